package dev.hotline.server.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal Chrome DevTools Protocol client for tests: one WebSocket to one target (a page), commands sent
 * as {@code {"id","method","params"}} and matched to their responses by id. Events are ignored.
 */
final class CdpClient implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    private final AtomicInteger ids = new AtomicInteger();
    private final WebSocket socket;
    private final Map<Integer, CompletableFuture<JsonNode>> responses;

    private CdpClient(WebSocket socket, Map<Integer, CompletableFuture<JsonNode>> responses) {
        this.socket = socket;
        this.responses = responses;
    }

    /** Connects to a target's {@code webSocketDebuggerUrl}. */
    static CdpClient connect(HttpClient http, URI target) throws Exception {
        Map<Integer, CompletableFuture<JsonNode>> responses = new ConcurrentHashMap<>();
        WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(target, new Receiver(responses))
                .get(10, TimeUnit.SECONDS);
        return new CdpClient(socket, responses);
    }

    /** Sends a command and waits for its result; a protocol error becomes an {@link IOException}. */
    JsonNode send(String method, Map<String, ?> params) throws IOException, InterruptedException {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> response = new CompletableFuture<>();
        responses.put(id, response);
        ObjectNode message = JSON.createObjectNode().put("id", id).put("method", method);
        message.set("params", JSON.valueToTree(params));
        socket.sendText(message.toString(), true).join();
        try {
            JsonNode reply = response.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (reply.has("error")) {
                throw new IOException(method + " failed: " + reply.get("error"));
            }
            return reply.get("result");
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException(method + " got no answer", e);
        } finally {
            responses.remove(id);
        }
    }

    /**
     * Evaluates {@code expression} in the page, as if the user did it (a user gesture, so audio may start),
     * awaiting a returned promise, and returns its JSON value.
     */
    JsonNode evaluate(String expression) throws IOException, InterruptedException {
        JsonNode result = send("Runtime.evaluate", Map.of(
                "expression", expression, "returnByValue", true, "awaitPromise", true, "userGesture", true));
        if (result.has("exceptionDetails")) {
            throw new IOException("page threw evaluating " + expression + ": " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(2, TimeUnit.SECONDS).exceptionally(e -> null);
    }

    /** Collects (possibly fragmented) text messages and completes the command waiting for each. */
    private static final class Receiver implements WebSocket.Listener {
        private final Map<Integer, CompletableFuture<JsonNode>> responses;
        private final StringBuilder text = new StringBuilder();

        Receiver(Map<Integer, CompletableFuture<JsonNode>> responses) {
            this.responses = responses;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                String message = text.toString();
                text.setLength(0);
                try {
                    JsonNode node = JSON.readTree(message);
                    if (node.has("id")) {
                        CompletableFuture<JsonNode> waiting = responses.get(node.get("id").asInt());
                        if (waiting != null) {
                            waiting.complete(node);
                        }
                    }
                } catch (IOException e) {
                    responses.values().forEach(waiting -> waiting.completeExceptionally(e));
                }
            }
            webSocket.request(1);
            return null;
        }
    }
}
