package dev.hotline.testkit.twilio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * A tiny stand-in for a hotline in tests: a real WebSocket server on 127.0.0.1 that records every message a
 * caller sends (with the handshake headers) and lets the test react to each one.
 */
public final class ScriptedHotline implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final List<Long> receivedAt = new CopyOnWriteArrayList<>();
    final List<Map<String, String>> handshakeHeaders = new CopyOnWriteArrayList<>();
    private final Javalin app;

    /** {@code onMessage} sees each parsed message and the socket to answer on. */
    public ScriptedHotline(BiConsumer<JsonNode, WsContext> onMessage) {
        app = Javalin.create(config -> {
            config.jetty.host = "127.0.0.1";
            config.startup.showJavalinBanner = false;
            config.routes.ws("/voice-stream", ws -> {
                ws.onConnect(ctx -> handshakeHeaders.add(ctx.headerMap()));
                ws.onMessage(ctx -> {
                    JsonNode message = JSON.readTree(ctx.message());
                    received.add(message);
                    receivedAt.add(System.nanoTime());
                    onMessage.accept(message, ctx);
                });
            });
        }).start(0);
    }

    public URI url() {
        return URI.create("ws://127.0.0.1:" + app.port() + "/voice-stream");
    }

    /** Waits up to 5 s for the caller's {@code stop}, then returns everything received, in order. */
    List<JsonNode> receivedThroughStop() throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (events("stop").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return List.copyOf(received);
    }

    List<JsonNode> events(String event) {
        return received.stream().filter(m -> m.path("event").asText().equals(event)).toList();
    }

    public static String media(String streamSid, byte[] ulaw) {
        return "{\"event\":\"media\",\"streamSid\":\"" + streamSid + "\",\"media\":{\"payload\":\""
                + java.util.Base64.getEncoder().encodeToString(ulaw) + "\"}}";
    }

    static String mark(String streamSid, String name) {
        return "{\"event\":\"mark\",\"streamSid\":\"" + streamSid + "\",\"mark\":{\"name\":\"" + name + "\"}}";
    }

    static String clear(String streamSid) {
        return "{\"event\":\"clear\",\"streamSid\":\"" + streamSid + "\"}";
    }

    public static boolean isSpeech(JsonNode media) {
        byte[] payload = java.util.Base64.getDecoder().decode(media.path("media").path("payload").asText());
        for (byte b : payload) {
            if (b != (byte) 0xFF) {
                return true;
            }
        }
        return false;
    }

    static JsonNode parse(String text) throws IOException {
        return JSON.readTree(text);
    }

    @Override
    public void close() {
        app.stop();
    }
}
