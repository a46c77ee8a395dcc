package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Twilio as the server meets it: form-encoded webhooks and a Media Streams WebSocket, signed the way Twilio
 * documents (HMAC-SHA1 of the URL plus sorted parameters, keyed with the auth token), over real loopback
 * connections.
 */
final class FakeTwilio {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final int port;
    private final String authToken;
    private final String publicOrigin;

    /**
     * @param port the server's port
     * @param authToken the token to sign with, or {@code null} to send no signature
     * @param publicOrigin the origin Twilio believes it calls (PUBLIC_BASE_URL)
     */
    FakeTwilio(int port, String authToken, String publicOrigin) {
        this.port = port;
        this.authToken = authToken;
        this.publicOrigin = publicOrigin;
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> webhook(String path, Map<String, String> form) throws Exception {
        return webhook(path, form, authToken == null ? null : sign(authToken, publicOrigin + path, form));
    }

    HttpResponse<String> webhook(String path, Map<String, String> form, String signature) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (signature != null) {
            request.header("X-Twilio-Signature", signature);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Opens the media socket signed for {@code wss://{public host}/voice-stream}. */
    Stream openStream() throws Exception {
        String wss = "wss://" + URI.create(publicOrigin).getAuthority() + "/voice-stream";
        return openStream(authToken == null ? null : sign(authToken, wss, Map.of()));
    }

    Stream openStream(String signature) throws Exception {
        Stream stream = new Stream();
        WebSocket.Builder builder = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5));
        if (signature != null) {
            builder.header("x-twilio-signature", signature);
        }
        stream.socket = builder.buildAsync(URI.create("ws://127.0.0.1:" + port + "/voice-stream"), stream)
                .get(10, TimeUnit.SECONDS);
        return stream;
    }

    static String sign(String token, String url, Map<String, String> params) throws Exception {
        StringBuilder data = new StringBuilder(url);
        new TreeMap<>(params).forEach((k, v) -> data.append(k).append(v));
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** A mark message as the server sends it: stream and name. */
    private static final Pattern MARK =
            Pattern.compile("\\{\"event\":\"mark\",\"streamSid\":\"([^\"]+)\",\"mark\":\\{\"name\":\"([^\"]*)\"}}");

    /** The Twilio end of one Media Stream. */
    static final class Stream implements WebSocket.Listener {
        WebSocket socket;
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        /** One send at a time: the JDK's WebSocket refuses a send while another is pending. */
        synchronized void send(String text) {
            socket.sendText(text, true).join();
        }

        synchronized void sendBinary(byte[] data) {
            socket.sendBinary(ByteBuffer.wrap(data), true).join();
        }

        String receive() throws InterruptedException {
            String message = received.poll(10, TimeUnit.SECONDS);
            assertThat(message).as("a message from the server").isNotNull();
            return message;
        }

        int awaitClose() throws Exception {
            return closed.get(10, TimeUnit.SECONDS);
        }

        /** Echo every mark at once, as Twilio does when no audio is buffered (the audio "played" instantly). */
        volatile boolean echoMarks;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String message = partial.toString();
                received.add(message);
                partial.setLength(0);
                Matcher mark = MARK.matcher(message);
                if (echoMarks && mark.matches()) {
                    Thread.ofVirtual().start(() -> send(mark(mark.group(1), mark.group(2))));
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }
    }

    static String start(String streamSid, String callSid, String from) {
        return "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"start\":{\"accountSid\":\"AC1\",\"streamSid\":\""
                + streamSid + "\",\"callSid\":\"" + callSid + "\",\"tracks\":[\"inbound\"],\"mediaFormat\":"
                + "{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1},\"customParameters\":"
                + "{\"From\":\"" + from + "\",\"To\":\"+15550009999\",\"CallSid\":\"" + callSid + "\"}},"
                + "\"streamSid\":\"" + streamSid + "\"}";
    }

    static String media(String streamSid, int chunk, byte[] audio) {
        return "{\"event\":\"media\",\"sequenceNumber\":\"" + (chunk + 1) + "\",\"media\":{\"track\":\"inbound\","
                + "\"chunk\":\"" + chunk + "\",\"timestamp\":\"" + (chunk * 20) + "\",\"payload\":\""
                + Base64.getEncoder().encodeToString(audio) + "\"},\"streamSid\":\"" + streamSid + "\"}";
    }

    static String mark(String streamSid, String name) {
        return "{\"event\":\"mark\",\"sequenceNumber\":\"9\",\"streamSid\":\"" + streamSid
                + "\",\"mark\":{\"name\":\"" + name + "\"}}";
    }

    static String stop(String streamSid, String callSid) {
        return "{\"event\":\"stop\",\"sequenceNumber\":\"99\",\"streamSid\":\"" + streamSid
                + "\",\"stop\":{\"accountSid\":\"AC1\",\"callSid\":\"" + callSid + "\"}}";
    }
}
