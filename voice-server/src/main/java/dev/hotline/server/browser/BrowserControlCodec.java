package dev.hotline.server.browser;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * The wire format of the browser socket's control messages: one JSON object per text frame, told apart by
 * its {@code "type"} field. Audio is not handled here; it travels in binary frames (PCM16 little-endian,
 * 16 kHz, mono).
 *
 * <pre>
 * page -&gt; server   {"type":"start","persona":"Synthetic Jason"}   persona optional
 *                  {"type":"mark","name":"m-12"}                   echo of a mark that played
 *                  {"type":"stop"}
 * server -&gt; page   {"type":"mark","name":"m-12"}
 *                  {"type":"clear"}
 *                  {"type":"caption","who":"caller","text":"Hi there"}   who: caller | persona
 *                  {"type":"turn","latencyMs":812}
 *                  {"type":"hangup"}
 * </pre>
 *
 * <p>Stateless and thread-safe. Fields a message does not define are ignored, so the page may add some.
 */
public final class BrowserControlCodec {

    /** Longest control message accepted, in characters: far above any legitimate one. */
    public static final int MAX_MESSAGE_CHARS = 4_096;
    /** Longest mark name or persona name accepted, in characters. */
    static final int MAX_NAME_CHARS = 256;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Encodes a server message as one JSON text frame, fields in the order shown above. */
    public String encode(ServerMessage message) {
        Objects.requireNonNull(message, "message");
        ObjectNode node = JSON.createObjectNode();
        switch (message) {
            case ServerMessage.Mark mark -> node.put("type", "mark").put("name", mark.name());
            case ServerMessage.Clear ignored -> node.put("type", "clear");
            case ServerMessage.Caption caption ->
                    node.put("type", "caption").put("who", caption.who()).put("text", caption.text());
            case ServerMessage.Turn turn -> node.put("type", "turn").put("latencyMs", turn.latencyMs());
            case ServerMessage.Hangup ignored -> node.put("type", "hangup");
        }
        return node.toString();
    }

    /**
     * Decodes one text frame from the page.
     *
     * @throws IllegalArgumentException naming what is wrong: not JSON, not an object, an unknown or missing
     *     type, a missing or malformed field, too long
     */
    public ClientMessage decode(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() > MAX_MESSAGE_CHARS) {
            throw new IllegalArgumentException(
                    "control message too long: " + text.length() + " chars, limit " + MAX_MESSAGE_CHARS);
        }
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("control message is not JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("control message must be a JSON object");
        }
        JsonNode type = node.get("type");
        if (type == null || !type.isTextual()) {
            throw new IllegalArgumentException("control message needs a string field 'type'");
        }
        return switch (type.asText()) {
            case "start" -> new ClientMessage.Start(optionalName(node, "persona"));
            case "mark" -> {
                String name = optionalName(node, "name");
                if (name == null || name.isBlank()) {
                    throw new IllegalArgumentException("mark needs a non-blank string field 'name'");
                }
                yield new ClientMessage.MarkPlayed(name);
            }
            case "stop" -> new ClientMessage.Stop();
            default -> throw new IllegalArgumentException("unknown control message type '"
                    + abbreviate(type.asText()) + "' (expected start, mark or stop)");
        };
    }

    private static String optionalName(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException("field '" + field + "' must be a string");
        }
        String text = value.asText();
        if (text.length() > MAX_NAME_CHARS) {
            throw new IllegalArgumentException(
                    "field '" + field + "' too long: " + text.length() + " chars, limit " + MAX_NAME_CHARS);
        }
        return text;
    }

    private static String abbreviate(String text) {
        return text.length() <= 32 ? text : text.substring(0, 32) + "...";
    }
}
