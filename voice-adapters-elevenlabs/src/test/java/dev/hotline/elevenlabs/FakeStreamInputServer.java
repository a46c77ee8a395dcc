package dev.hotline.elevenlabs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;

/**
 * The server side of ElevenLabs stream-input, as documented (PROTOCOLS.md 5.2) and recorded in the
 * {@code ws_*} fixtures: it records every client message, answers each flush and the end of input with
 * audio frames shaped like the fixtures (alternating the observed {@code isFinal:null}/{@code charDurationsMs}
 * shape and the docs' {@code isFinal:false}/{@code charsDurationsMs} shape), then {@code {"isFinal":true}} and
 * a normal close. Behaviours for failure tests are chosen at construction.
 */
final class FakeStreamInputServer extends WebSocketListener {

    /** What the fake does besides the happy path. */
    enum Behaviour {
        /** Answers flushes and the end of input with audio, then isFinal. */
        NORMAL,
        /** Answers the first text with the recorded input_timeout_exceeded frame, then closes 1008. */
        TIMEOUT_ERROR_FRAME,
        /** Sends one audio frame for the first flush, then closes with 1011 before isFinal. */
        CLOSE_AFTER_FIRST_AUDIO,
        /** Sends audio frames slowly (one every 100 ms), for cancellation tests. */
        SLOW_AUDIO,
        /** Records what it receives and never answers. */
        SILENT,
        /**
         * Answers the first text with an error frame in the timeout frame's shape carrying the recorded
         * quota_exceeded message (no quota frame was recorded), then closes 1008.
         */
        QUOTA_ERROR_FRAME
    }

    private final Behaviour behaviour;
    private final byte[] audio;
    private final int frames;
    private final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final List<JsonNode> log = new ArrayList<>();
    private final ObjectNode observedShape;
    private final ObjectNode docsShape;
    private final String finalFrame;
    private final String timeoutFrame;
    private final String quotaFrame;
    private int framesSent;

    /**
     * @param audio what to stream back for each flush and the end of input, split into {@code frames} frames of
     *     deliberately uneven (odd) sizes
     */
    FakeStreamInputServer(Behaviour behaviour, byte[] audio, int frames) throws IOException {
        this.behaviour = behaviour;
        this.audio = audio;
        this.frames = frames;
        this.observedShape = (ObjectNode) TestData.json("ws_audio_output_observed.json").get("message");
        JsonNode session = TestData.json("ws_stream_input_docs_example_session.json").get("messages");
        ObjectNode docs = null;
        for (JsonNode message : session) {
            if (message.path("messageId").asText().equals("AudioOutput")) {
                docs = (ObjectNode) message.get("value");
            }
        }
        this.docsShape = docs;
        this.finalFrame = TestData.JSON.writeValueAsString(TestData.json("ws_final_output.json"));
        this.timeoutFrame = TestData.JSON.writeValueAsString(
                TestData.json("ws_error_input_timeout_exceeded_observed.json").get("message"));
        ObjectNode quota = TestData.JSON.createObjectNode();
        quota.put("message", TestData.json("error_401_quota_exceeded.json").at("/body/detail/message").asText());
        quota.put("error", "quota_exceeded");
        quota.put("code", 1008);
        this.quotaFrame = quota.toString();
    }

    /** The next message the client sent, waiting up to 5 s. */
    JsonNode nextMessage() throws InterruptedException {
        JsonNode message = received.poll(5, TimeUnit.SECONDS);
        if (message == null) {
            throw new AssertionError("the client sent nothing more; so far: " + snapshot());
        }
        return message;
    }

    /** Every message received so far. */
    synchronized List<JsonNode> snapshot() {
        return List.copyOf(log);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        JsonNode message;
        try {
            message = TestData.JSON.readTree(text);
        } catch (IOException e) {
            webSocket.close(1003, "not JSON");
            return;
        }
        synchronized (this) {
            log.add(message);
        }
        received.add(message);
        boolean init = message.has("generation_config") || message.has("voice_settings");
        if (init) {
            return;
        }
        String textField = message.path("text").asText(" ");
        switch (behaviour) {
            case TIMEOUT_ERROR_FRAME -> {
                webSocket.send(timeoutFrame);
                webSocket.close(1008, "No message received within 20s.");
            }
            case QUOTA_ERROR_FRAME -> {
                webSocket.send(quotaFrame);
                webSocket.close(1008, "quota_exceeded");
            }
            case CLOSE_AFTER_FIRST_AUDIO -> {
                if (message.path("flush").asBoolean(false)) {
                    sendAudio(webSocket, 1);
                    webSocket.close(1011, "internal error");
                }
            }
            case SILENT -> {
                // a stalled provider: nothing comes back
            }
            case NORMAL, SLOW_AUDIO -> {
                if (message.path("flush").asBoolean(false)) {
                    sendAudio(webSocket, frames);
                } else if (textField.isEmpty()) {
                    sendAudio(webSocket, frames);
                    webSocket.send(finalFrame);
                    webSocket.close(1000, null);
                }
            }
        }
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(1000, null);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        // the client went away (cancellation tests); nothing to do
    }

    private void sendAudio(WebSocket webSocket, int count) {
        int size = audio.length / frames | 1;
        for (int i = 0; i < count; i++) {
            int start = i * size;
            int end = i == frames - 1 ? audio.length : Math.min(audio.length, start + size);
            ObjectNode frame = (framesSent++ % 2 == 0 ? observedShape : docsShape).deepCopy();
            frame.put("audio", Base64.getEncoder().encodeToString(Arrays.copyOfRange(audio, start, end)));
            webSocket.send(frame.toString());
            if (behaviour == Behaviour.SLOW_AUDIO) {
                sleep(100);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
