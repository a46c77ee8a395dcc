package dev.hotline.twilio;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotline.twilio.MalformedMessageException.Problem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The wire format of Twilio Media Streams (bidirectional, {@code <Connect><Stream>}): parses the JSON text
 * messages Twilio sends and writes the three Twilio accepts ({@code media}, {@code mark}, {@code clear}).
 *
 * <p>Inbound, the codec checks what the transport relies on: the event is known, the fields the engine uses
 * are present with the documented types, numbers written as strings are numbers, the payload is base64, a
 * DTMF digit is a key. Fields the engine does not use are ignored, as Twilio may add new ones. Anything else
 * is a {@link MalformedMessageException}; the codec never throws an unchecked exception on bad input.
 *
 * <p>Outbound messages have exactly the shape of Twilio's documented examples, keys in the same order:
 * <pre>
 * {"event":"media","streamSid":"MZ...","media":{"payload":"&lt;base64 mu-law&gt;"}}
 * {"event":"mark","streamSid":"MZ...","mark":{"name":"..."}}
 * {"event":"clear","streamSid":"MZ..."}
 * </pre>
 *
 * <p>Thread-safe and stateless: one instance serves every call.
 */
public final class MediaStreamCodec {

    /**
     * The default largest inbound message, in characters. A real 20 ms media message is about 300 characters
     * and a {@code start} with custom parameters a few kilobytes ({@code <Parameter>} name plus value is under
     * 500 characters each, per Twilio's TwiML docs); Twilio documents no maximum, so 64 KiB leaves room.
     */
    public static final int DEFAULT_MAX_MESSAGE_CHARS = 64 * 1024;

    /** Keys a caller can press; Twilio reports them in {@code dtmf.digit}. */
    private static final String DTMF_DIGITS = "0123456789*#ABCD";

    /**
     * Jackson's default buffer pool is per thread, and each inbound frame arrives on a new virtual thread, so it
     * allocated fresh parse buffers (about 10 kB) for every frame: two thirds of the hotline's allocation at
     * 200 calls (docs/benchmarks.md). A pool shared by all threads reuses them.
     */
    private final ObjectMapper json = new ObjectMapper(
            JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build());
    private final int maxMessageChars;

    /** A codec that accepts messages up to {@link #DEFAULT_MAX_MESSAGE_CHARS}. */
    public MediaStreamCodec() {
        this(DEFAULT_MAX_MESSAGE_CHARS);
    }

    /** A codec that refuses inbound messages longer than {@code maxMessageChars}. */
    public MediaStreamCodec(int maxMessageChars) {
        if (maxMessageChars < 1024) {
            throw new IllegalArgumentException("maxMessageChars must be >= 1024, was " + maxMessageChars);
        }
        this.maxMessageChars = maxMessageChars;
    }

    /** The largest inbound message accepted, in characters. */
    public int maxMessageChars() {
        return maxMessageChars;
    }

    /**
     * Parses one text frame from Twilio.
     *
     * @throws MalformedMessageException if the text is too long, not a JSON object, names an unknown event,
     *     lacks a field the event needs or holds a value of the wrong type
     */
    public MediaStreamMessage decode(String text) throws MalformedMessageException {
        Objects.requireNonNull(text, "text");
        if (text.length() > maxMessageChars) {
            throw new MalformedMessageException(Problem.TOO_LARGE,
                    "message of " + text.length() + " characters exceeds the limit of " + maxMessageChars);
        }
        MediaStreamMessage.Media media = fastMedia(text);
        return media != null ? media : decodeTree(text);
    }

    /** {@link #decode} by way of a JSON tree, for every message (the fast path's answers are checked against it). */
    MediaStreamMessage decodeTree(String text) throws MalformedMessageException {
        JsonNode root;
        try {
            root = json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new MalformedMessageException(Problem.NOT_JSON,
                    "message is not JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedMessageException(Problem.NOT_JSON, "message is not a JSON object");
        }
        String event = text(root, "event", "message");
        return switch (event) {
            case "connected" -> new MediaStreamMessage.Connected(
                    optionalText(root, "protocol"), optionalText(root, "version"));
            case "start" -> start(root);
            case "media" -> media(root);
            case "dtmf" -> dtmf(root);
            case "mark" -> new MediaStreamMessage.Mark(number(root, "sequenceNumber", "mark"),
                    text(root, "streamSid", "mark"), text(object(root, "mark", "mark"), "name", "mark.mark"));
            case "stop" -> stop(root);
            default -> throw new MalformedMessageException(Problem.UNKNOWN_EVENT,
                    "unknown event \"" + abbreviate(event) + "\"");
        };
    }

    /** The {@code media} message that plays {@code mulaw} (8 kHz mu-law, no file header) on the call. */
    public String encodeMedia(String streamSid, byte[] mulaw) {
        Objects.requireNonNull(mulaw, "mulaw");
        Objects.requireNonNull(streamSid, "streamSid");
        if (plain(streamSid)) {
            return assemble(MEDIA_START, streamSid, MEDIA_MIDDLE, mulaw, true, END_TWO);
        }
        ObjectNode message = envelope("media", streamSid);
        message.putObject("media").put("payload", Base64.getEncoder().encodeToString(mulaw));
        return write(message);
    }

    /** The {@code mark} message Twilio echoes when the audio sent before it has played or was cleared. */
    public String encodeMark(String streamSid, String name) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(streamSid, "streamSid");
        if (plain(streamSid) && plain(name)) {
            return assemble(MARK_START, streamSid, MARK_MIDDLE, name.getBytes(StandardCharsets.ISO_8859_1), false,
                    END_TWO);
        }
        ObjectNode message = envelope("mark", streamSid);
        message.putObject("mark").put("name", name);
        return write(message);
    }

    /** The {@code clear} message that drops all audio Twilio has buffered and echoes its pending marks. */
    public String encodeClear(String streamSid) {
        return write(envelope("clear", streamSid));
    }

    /** Through this codec's mapper and its shared buffers; {@code toString()} would use Jackson's per-thread ones. */
    private String write(ObjectNode message) {
        try {
            return json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            // A tree of strings always serializes.
            throw new IllegalStateException("could not write a " + message.path("event").asText() + " message", e);
        }
    }

    private static final byte[] MEDIA_START = ascii("{\"event\":\"media\",\"streamSid\":\"");
    private static final byte[] MEDIA_MIDDLE = ascii("\",\"media\":{\"payload\":\"");
    private static final byte[] MARK_START = ascii("{\"event\":\"mark\",\"streamSid\":\"");
    private static final byte[] MARK_MIDDLE = ascii("\",\"mark\":{\"name\":\"");
    private static final byte[] END_TWO = ascii("\"}}");

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    /** Printable ASCII with nothing JSON escapes: written as it is, the same bytes Jackson writes. */
    private static boolean plain(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** RFC 4648's base64 alphabet (the one {@link Base64#getEncoder()} uses). */
    private static final byte[] BASE64 = ascii("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");

    /**
     * The outbound media and mark messages, written straight into one array: 10 or more a second per speaking
     * call, they went through a tree and Jackson's writer. Only for {@link #plain} strings; the others take the
     * tree, so the text is the same either way. {@code value} goes in as it is, or as padded base64.
     */
    private static String assemble(byte[] start, String streamSid, byte[] middle, byte[] value, boolean base64,
            byte[] end) {
        int valueLength = base64 ? (value.length + 2) / 3 * 4 : value.length;
        byte[] message = new byte[start.length + streamSid.length() + middle.length + valueLength + end.length];
        int at = 0;
        System.arraycopy(start, 0, message, at, start.length);
        at += start.length;
        for (int i = 0; i < streamSid.length(); i++) {
            message[at++] = (byte) streamSid.charAt(i); // plain: every char is one ASCII byte
        }
        System.arraycopy(middle, 0, message, at, middle.length);
        at += middle.length;
        if (base64) {
            at = writeBase64(value, message, at);
        } else {
            System.arraycopy(value, 0, message, at, value.length);
            at += value.length;
        }
        System.arraycopy(end, 0, message, at, end.length);
        return new String(message, StandardCharsets.ISO_8859_1);
    }

    /** Writes {@code data} as padded base64 at {@code at}; returns where it ended. */
    private static int writeBase64(byte[] data, byte[] out, int at) {
        int whole = data.length / 3 * 3;
        for (int i = 0; i < whole; i += 3) {
            int bits = (data[i] & 0xFF) << 16 | (data[i + 1] & 0xFF) << 8 | data[i + 2] & 0xFF;
            out[at++] = BASE64[bits >>> 18];
            out[at++] = BASE64[bits >>> 12 & 0x3F];
            out[at++] = BASE64[bits >>> 6 & 0x3F];
            out[at++] = BASE64[bits & 0x3F];
        }
        int left = data.length - whole;
        if (left > 0) {
            int bits = (data[whole] & 0xFF) << 16 | (left == 2 ? (data[whole + 1] & 0xFF) << 8 : 0);
            out[at++] = BASE64[bits >>> 18];
            out[at++] = BASE64[bits >>> 12 & 0x3F];
            out[at++] = left == 2 ? BASE64[bits >>> 6 & 0x3F] : (byte) '=';
            out[at++] = '=';
        }
        return at;
    }

    private ObjectNode envelope(String event, String streamSid) {
        Objects.requireNonNull(streamSid, "streamSid");
        ObjectNode message = json.createObjectNode();
        message.put("event", event);
        message.put("streamSid", streamSid);
        return message;
    }

    private MediaStreamMessage.Start start(JsonNode root) throws MalformedMessageException {
        JsonNode start = object(root, "start", "start");
        JsonNode format = object(start, "mediaFormat", "start.start");
        List<String> tracks = new ArrayList<>();
        JsonNode trackNode = start.get("tracks");
        if (trackNode != null && !trackNode.isNull()) {
            if (!trackNode.isArray()) {
                throw new MalformedMessageException(Problem.BAD_VALUE, "start.start.tracks must be an array");
            }
            for (JsonNode track : trackNode) {
                if (!track.isTextual()) {
                    throw new MalformedMessageException(Problem.BAD_VALUE, "start.start.tracks must hold strings");
                }
                tracks.add(track.asText());
            }
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        JsonNode custom = start.get("customParameters");
        if (custom != null && !custom.isNull()) {
            if (!custom.isObject()) {
                throw new MalformedMessageException(Problem.BAD_VALUE,
                        "start.start.customParameters must be an object");
            }
            for (Map.Entry<String, JsonNode> entry : custom.properties()) {
                if (!entry.getValue().isValueNode() || entry.getValue().isNull()) {
                    throw new MalformedMessageException(Problem.BAD_VALUE,
                            "start.start.customParameters." + abbreviate(entry.getKey()) + " must be a string");
                }
                parameters.put(entry.getKey(), entry.getValue().asText());
            }
        }
        return new MediaStreamMessage.Start(
                number(root, "sequenceNumber", "start"),
                text(root, "streamSid", "start"),
                optionalText(start, "accountSid"),
                text(start, "callSid", "start.start"),
                tracks,
                text(format, "encoding", "start.start.mediaFormat"),
                Math.toIntExact(number(format, "sampleRate", "start.start.mediaFormat")),
                Math.toIntExact(number(format, "channels", "start.start.mediaFormat")),
                parameters);
    }

    /** Keys of a media message, as bits, so that a repeated one sends the message to the tree path. */
    private static final int EVENT = 1;
    private static final int SEQUENCE = 2;
    private static final int STREAM = 4;
    private static final int MEDIA = 8;
    private static final int PAYLOAD = 16;
    private static final int TRACK = 32;
    private static final int CHUNK = 64;
    private static final int TIMESTAMP = 128;

    /**
     * A well-formed {@code media} message read token by token, without a tree: 50 a second for each call, it was
     * a quarter of the hotline's allocation through {@link #decodeTree} (docs/benchmarks.md). It answers only
     * when the tree path would give the same message: any other event, a field missing, repeated, null or of an
     * unexpected type, bad base64 or bad JSON returns {@code null}, and {@link #decodeTree} decides (and words the
     * error).
     */
    MediaStreamMessage.Media fastMedia(String text) {
        try (JsonParser parser = json.getFactory().createParser(text)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            int seen = 0;
            long sequence = -1;
            String streamSid = null;
            String payload = null;
            String track = null;
            long chunk = -1;
            long timestamp = -1;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String key = parser.currentName();
                JsonToken value = parser.nextToken();
                int bit = switch (key) {
                    case "event" -> EVENT;
                    case "sequenceNumber" -> SEQUENCE;
                    case "streamSid" -> STREAM;
                    case "media" -> MEDIA;
                    default -> 0;
                };
                if ((seen & bit) != 0) {
                    return null;
                }
                seen |= bit;
                switch (bit) {
                    case EVENT -> {
                        if (value != JsonToken.VALUE_STRING || !parser.getText().equals("media")) {
                            return null;
                        }
                    }
                    case SEQUENCE -> sequence = fastNumber(parser, value);
                    case STREAM -> streamSid = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    case MEDIA -> {
                        if (value != JsonToken.START_OBJECT) {
                            return null;
                        }
                        while (parser.nextToken() == JsonToken.FIELD_NAME) {
                            String inner = parser.currentName();
                            JsonToken innerValue = parser.nextToken();
                            int innerBit = switch (inner) {
                                case "payload" -> PAYLOAD;
                                case "track" -> TRACK;
                                case "chunk" -> CHUNK;
                                case "timestamp" -> TIMESTAMP;
                                default -> 0;
                            };
                            if ((seen & innerBit) != 0) {
                                return null;
                            }
                            seen |= innerBit;
                            switch (innerBit) {
                                case PAYLOAD -> payload = innerValue == JsonToken.VALUE_STRING ? parser.getText() : null;
                                case TRACK -> {
                                    if (innerValue != JsonToken.VALUE_STRING) {
                                        return null;
                                    }
                                    track = parser.getText();
                                }
                                case CHUNK -> chunk = fastNumber(parser, innerValue);
                                case TIMESTAMP -> timestamp = fastNumber(parser, innerValue);
                                default -> parser.skipChildren();
                            }
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || (seen & (EVENT | MEDIA)) != (EVENT | MEDIA)
                    || sequence < 0 || streamSid == null || payload == null || chunk < 0 || timestamp < 0) {
                return null;
            }
            return new MediaStreamMessage.Media(sequence, streamSid, track, chunk, timestamp,
                    Base64.getDecoder().decode(payload));
        } catch (IOException | IllegalArgumentException e) {
            return null; // bad JSON or bad base64: the tree path says which
        }
    }

    /** A number as {@link #number} takes it, or -1 for anything it would refuse. */
    private static long fastNumber(JsonParser parser, JsonToken value) throws IOException {
        long number = -1;
        if (value == JsonToken.VALUE_NUMBER_INT) {
            if (parser.getNumberType() == JsonParser.NumberType.INT || parser.getNumberType() == JsonParser.NumberType.LONG) {
                number = parser.getLongValue();
            }
        } else if (value == JsonToken.VALUE_STRING) {
            String digits = parser.getText();
            if (!digits.isEmpty() && digits.length() <= 10 && allDigits(digits)) {
                number = Long.parseLong(digits);
            }
        }
        return number <= Integer.MAX_VALUE ? number : -1;
    }

    private MediaStreamMessage.Media media(JsonNode root) throws MalformedMessageException {
        JsonNode media = object(root, "media", "media");
        String payload = text(media, "payload", "media.media");
        byte[] audio;
        try {
            audio = Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException(Problem.BAD_BASE64,
                    "media.media.payload is not valid base64: " + e.getMessage());
        }
        return new MediaStreamMessage.Media(
                number(root, "sequenceNumber", "media"),
                text(root, "streamSid", "media"),
                optionalText(media, "track"),
                number(media, "chunk", "media.media"),
                number(media, "timestamp", "media.media"),
                audio);
    }

    private MediaStreamMessage.Dtmf dtmf(JsonNode root) throws MalformedMessageException {
        JsonNode dtmf = object(root, "dtmf", "dtmf");
        String digit = text(dtmf, "digit", "dtmf.dtmf");
        if (digit.length() != 1 || DTMF_DIGITS.indexOf(digit.charAt(0)) < 0) {
            throw new MalformedMessageException(Problem.BAD_VALUE,
                    "dtmf.dtmf.digit must be one of " + DTMF_DIGITS + ", was \"" + abbreviate(digit) + "\"");
        }
        return new MediaStreamMessage.Dtmf(number(root, "sequenceNumber", "dtmf"), text(root, "streamSid", "dtmf"),
                optionalText(dtmf, "track"), digit.charAt(0));
    }

    private MediaStreamMessage.Stop stop(JsonNode root) throws MalformedMessageException {
        JsonNode stop = root.get("stop");
        String accountSid = null;
        String callSid = null;
        if (stop != null && stop.isObject()) {
            accountSid = optionalText(stop, "accountSid");
            callSid = optionalText(stop, "callSid");
        }
        return new MediaStreamMessage.Stop(number(root, "sequenceNumber", "stop"), text(root, "streamSid", "stop"),
                accountSid, callSid);
    }

    private static JsonNode object(JsonNode parent, String field, String where) throws MalformedMessageException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new MalformedMessageException(Problem.MISSING_FIELD, where + " lacks \"" + field + "\"");
        }
        if (!node.isObject()) {
            throw new MalformedMessageException(Problem.BAD_VALUE, where + "." + field + " must be an object");
        }
        return node;
    }

    private static String text(JsonNode parent, String field, String where) throws MalformedMessageException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new MalformedMessageException(Problem.MISSING_FIELD, where + " lacks \"" + field + "\"");
        }
        if (!node.isTextual()) {
            throw new MalformedMessageException(Problem.BAD_VALUE, where + "." + field + " must be a string");
        }
        return node.asText();
    }

    private static String optionalText(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        return node == null || node.isNull() || !node.isValueNode() ? null : node.asText();
    }

    /** A non-negative int-sized integer that Twilio writes as a string ({@code "4"}) or, in mediaFormat, as a number. */
    private static long number(JsonNode parent, String field, String where) throws MalformedMessageException {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            throw new MalformedMessageException(Problem.MISSING_FIELD, where + " lacks \"" + field + "\"");
        }
        long value = -1;
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            value = node.asLong();
        } else if (node.isTextual()) {
            String digits = node.asText();
            if (!digits.isEmpty() && digits.length() <= 10 && allDigits(digits)) {
                value = Long.parseLong(digits);
            }
        }
        if (value >= 0 && value <= Integer.MAX_VALUE) {
            return value;
        }
        throw new MalformedMessageException(Problem.BAD_VALUE,
                where + "." + field + " must be a non-negative integer, was " + abbreviate(node.toString()));
    }

    private static boolean allDigits(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** Keeps error messages short when a peer sends something huge. */
    private static String abbreviate(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
