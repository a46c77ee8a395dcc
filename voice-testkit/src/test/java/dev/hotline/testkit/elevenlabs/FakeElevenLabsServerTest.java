package dev.hotline.testkit.elevenlabs;

import static dev.hotline.testkit.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.testkit.Fault;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeElevenLabsServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeElevenLabsServer fake = FakeElevenLabsServer.start(Duration.ofMinutes(2));
    private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(3, TimeUnit.SECONDS).build();

    @AfterEach
    void stop() {
        fake.close();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    @Test
    void givenUlaw8000_whenStreaming_thenTheAudioLastsInProportionToTheText() throws IOException {
        fake.millisPerCharacter(50);

        byte[] audio = stream("Hello world", "ulaw_8000", 200);

        assertThat(audio).hasSize(11 * 50 * 8);
        assertThat(fake.audioDuration("Hello world")).isEqualTo(Duration.ofMillis(550));
        int loud = 0;
        for (byte b : audio) {
            if ((b & 0x7F) < 0x60) {
                loud++;
            }
        }
        assertThat(loud).as("speech-like, not silence").isGreaterThan(audio.length / 4);
        assertThat(fake.requests().get(0).headers()).containsEntry("xi-api-key", "xi-test");
        assertThat(fake.requests().get(0).query()).containsEntry("output_format", "ulaw_8000");
    }

    @Test
    void givenALimitOfNone_whenStreaming_thenTheAudioComesAndTheRequestIsOnlyCounted() throws IOException {
        fake.millisPerCharacter(50).rememberAtMost(0);

        byte[] audio = stream("Hello world", "ulaw_8000", 200);

        assertThat(audio).hasSize(11 * 50 * 8);
        assertThat(fake.requests()).isEmpty();
        assertThat(fake.droppedRequests()).isEqualTo(1);
    }

    @Test
    void givenPcm16000_whenStreaming_thenTwoBytesPerSampleAtSixteenKilohertz() throws IOException {
        fake.millisPerCharacter(40);

        byte[] audio = stream("Hi.", "pcm_16000", 200);

        assertThat(audio).hasSize((40 + 40 + 120) * 16 * 2);
    }

    @Test
    void givenTheSameTextTwice_whenStreamedInTwoFormats_thenEachRepeatIsIdenticalAndTheFormatsDoNotMix() throws IOException {
        fake.millisPerCharacter(40);

        byte[] first = stream("Same words again.", "ulaw_8000", 200);
        byte[] pcm = stream("Same words again.", "pcm_16000", 200);
        byte[] again = stream("Same words again.", "ulaw_8000", 200);
        fake.millisPerCharacter(20);
        byte[] faster = stream("Same words again.", "ulaw_8000", 200);

        assertThat(again).isEqualTo(first);
        assertThat(pcm).hasSize(first.length * 4);
        assertThat(faster).hasSize(first.length / 2);
    }

    @Test
    void givenACacheBound_whenMoreAudioIsRendered_thenTheLeastRecentlyUsedTextIsDroppedAndTheBoundHolds() {
        FakeElevenLabsServer.OutputFormat ulaw = FakeElevenLabsServer.OutputFormat.parse("ulaw_8000");
        FakeElevenLabsServer.AudioCache cache = new FakeElevenLabsServer.AudioCache(2 * 10 * 50 * 8);

        FakeElevenLabsServer.Speech a = cache.speak("aaaaaaaaaa", ulaw, 50);
        FakeElevenLabsServer.Speech b = cache.speak("bbbbbbbbbb", ulaw, 50);
        assertThat(cache.speak("aaaaaaaaaa", ulaw, 50)).isSameAs(a);
        cache.speak("cccccccccc", ulaw, 50);

        assertThat(cache.bytes()).isEqualTo(2 * 10 * 50 * 8);
        assertThat(cache.speak("aaaaaaaaaa", ulaw, 50)).as("used last, kept").isSameAs(a);
        FakeElevenLabsServer.Speech bAgain = cache.speak("bbbbbbbbbb", ulaw, 50);
        assertThat(bAgain).as("least recently used, dropped and rendered again").isNotSameAs(b);
        assertThat(bAgain.audio()).isEqualTo(b.audio());
        assertThat(cache.speak("a very long text that is over the bound by itself", ulaw, 50).audio())
                .hasSize(49 * 50 * 8);
        assertThat(cache.bytes()).isLessThanOrEqualTo(2 * 10 * 50 * 8);
    }

    @Test
    void givenMp3_whenStreaming_thenA422InTheDocumentedValidationShape() throws IOException {
        try (Response response = client.newCall(streamRequest("Hi", "mp3_44100_128")).execute()) {
            assertThat(response.code()).isEqualTo(422);
            JsonNode item = JSON.readTree(response.body().string()).path("detail").get(0);
            JsonNode fixtureItem = JSON.readTree(fixture("elevenlabs/error_422_validation_shape.json").toFile())
                    .path("body").path("detail").get(0);
            assertThat(names(item)).isEqualTo(names(fixtureItem));
        }
    }

    @Test
    void givenRecordedErrorFaults_whenStreaming_thenStatusAndBodyEqualTheFixtures() throws IOException {
        assertError(FakeElevenLabsServer.invalidApiKey(), 401,
                JSON.readTree(fixture("elevenlabs/error_401_invalid_api_key.json").toFile()));
        assertError(FakeElevenLabsServer.quotaExceeded(), 401,
                JSON.readTree(fixture("elevenlabs/error_401_quota_exceeded.json").toFile()).path("body"));
        assertError(FakeElevenLabsServer.tooManyConcurrentRequests(), 429,
                JSON.readTree(fixture("elevenlabs/error_429_too_many_concurrent_requests.json").toFile()).path("body"));
        assertError(FakeElevenLabsServer.systemBusy(), 429,
                JSON.readTree(fixture("elevenlabs/error_429_system_busy.json").toFile()).path("body"));
    }

    @Test
    void givenAConcurrencyLimitOfOne_whenTwoStreamsOverlap_thenTheSecondGetsTooManyConcurrentRequests() throws Exception {
        fake.maxConcurrentRequests(1).latency(Duration.ofMillis(500), 0);
        CompletableFuture<Integer> first = CompletableFuture.supplyAsync(() -> {
            try (Response response = client.newCall(streamRequest("Slow one", "ulaw_8000")).execute()) {
                response.body().bytes();
                return response.code();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        while (fake.requests().isEmpty()) {
            Thread.sleep(5);
        }
        Thread.sleep(100);

        try (Response second = client.newCall(streamRequest("Second", "ulaw_8000")).execute()) {
            assertThat(second.code()).isEqualTo(429);
            assertThat(second.body().string()).contains("too_many_concurrent_requests");
        }
        assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo(200);
    }

    @Test
    void givenATruncation_whenStreaming_thenLessAudioArrivesWithoutAnError() throws IOException {
        fake.millisPerCharacter(50).failNext(new Fault.Truncate(2));

        byte[] audio = stream("A sentence long enough for several chunks.", "ulaw_8000", 200);

        assertThat(audio).hasSize(2 * 800);
    }

    @Test
    void givenAResetAfterOneChunk_whenStreaming_thenTheClientFails() {
        fake.millisPerCharacter(50).failNext(new Fault.Reset(1));

        assertThatThrownBy(() -> stream("A sentence long enough for several chunks.", "ulaw_8000", 200))
                .isInstanceOf(IOException.class);
    }

    @Test
    void givenAStreamInputSession_whenTextIsFlushedAndClosed_thenAudioWithAlignmentThenIsFinalThenClose() throws Exception {
        fake.millisPerCharacter(30);
        Socket socket = open("ulaw_8000", "");

        socket.ws.send("{\"text\":\" \",\"voice_settings\":{\"speed\":1.0,\"stability\":0.5,\"similarity_boost\":0.8}}");
        socket.ws.send("{\"text\":\"Hello world. \",\"flush\":true}");
        socket.ws.send("{\"text\":\"Bye now. \"}");
        socket.ws.send("{\"text\":\"\"}");

        List<JsonNode> messages = socket.messagesUntilClose();
        JsonNode observed = JSON.readTree(fixture("elevenlabs/ws_audio_output_observed.json").toFile()).path("message");
        JsonNode first = messages.get(0);
        assertThat(names(first)).isEqualTo(names(observed));
        assertThat(first.path("isFinal").isNull()).isTrue();
        assertThat(names(first.path("alignment"))).isEqualTo(names(observed.path("alignment")));
        assertThat(names(first.path("normalizedAlignment"))).isEqualTo(names(observed.path("normalizedAlignment")));
        JsonNode last = messages.get(messages.size() - 1);
        assertThat(last).isEqualTo(JSON.readTree(fixture("elevenlabs/ws_final_output.json").toFile()));
        int bytes = 0;
        StringBuilder spoken = new StringBuilder();
        for (JsonNode message : messages.subList(0, messages.size() - 1)) {
            bytes += Base64.getDecoder().decode(message.path("audio").asText()).length;
            message.path("alignment").path("chars").forEach(c -> spoken.append(c.asText()));
        }
        assertThat(spoken.toString()).isEqualTo("Hello world. Bye now. ");
        assertThat(bytes).isEqualTo((int) fake.audioDuration("Hello world. Bye now. ").toMillis() * 8);
        assertThat(socket.closeCode.get(3, TimeUnit.SECONDS)).isEqualTo(1000);
    }

    @Test
    void givenAFirstMessageThatIsNotASpace_whenSent_thenTheSessionIsClosedWithAPolicyError() throws Exception {
        Socket socket = open("ulaw_8000", "");

        socket.ws.send("{\"text\":\"Hello\"}");

        List<JsonNode> messages = socket.messagesUntilClose();
        assertThat(messages.get(0).path("code").asInt()).isEqualTo(1008);
        assertThat(socket.closeCode.get(3, TimeUnit.SECONDS)).isEqualTo(1008);
    }

    @Test
    void givenSilenceFromTheClient_whenTheInactivityTimeoutPasses_thenTheObservedTimeoutErrorComes() throws Exception {
        Socket socket = open("ulaw_8000", "&inactivity_timeout=1");

        List<JsonNode> messages = socket.messagesUntilClose();

        JsonNode observed = JSON.readTree(fixture("elevenlabs/ws_error_input_timeout_exceeded_observed.json").toFile())
                .path("message");
        assertThat(names(messages.get(0))).isEqualTo(names(observed));
        assertThat(messages.get(0).path("error").asText()).isEqualTo("input_timeout_exceeded");
        assertThat(messages.get(0).path("message").asText()).isEqualTo("No message received within 1s.");
        assertThat(socket.closeCode.get(3, TimeUnit.SECONDS)).isEqualTo(1008);
    }

    @Test
    void givenAnAuthFault_whenASessionOpens_thenAnErrorMessageAndClose1008() throws Exception {
        fake.failNext(FakeElevenLabsServer.invalidApiKey());
        Socket socket = open("ulaw_8000", "");

        List<JsonNode> messages = socket.messagesUntilClose();

        assertThat(messages.get(0).path("error").asText()).isEqualTo("invalid_api_key");
        assertThat(socket.closeCode.get(3, TimeUnit.SECONDS)).isEqualTo(1008);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void assertError(Fault fault, int status, JsonNode expected) throws IOException {
        fake.failNext(fault);
        try (Response response = client.newCall(streamRequest("Hi", "ulaw_8000")).execute()) {
            assertThat(response.code()).isEqualTo(status);
            assertThat(JSON.readTree(response.body().string())).isEqualTo(expected);
        }
    }

    private Request streamRequest(String text, String format) {
        String body = "{\"text\":" + JSON.valueToTree(text) + ",\"model_id\":\"eleven_flash_v2_5\"}";
        return new Request.Builder()
                .url(fake.baseUrl() + "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream?output_format=" + format)
                .header("xi-api-key", "xi-test")
                .post(RequestBody.create(body, MediaType.get("application/json"))).build();
    }

    private byte[] stream(String text, String format, int expectedStatus) throws IOException {
        try (Response response = client.newCall(streamRequest(text, format)).execute()) {
            assertThat(response.code()).isEqualTo(expectedStatus);
            return response.body().bytes();
        }
    }

    private Socket open(String format, String extraQuery) {
        Socket socket = new Socket();
        Request request = new Request.Builder().url(fake.webSocketBaseUrl()
                + "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream-input?model_id=eleven_flash_v2_5&output_format="
                + format + extraQuery).header("xi-api-key", "xi-test").build();
        socket.ws = client.newWebSocket(request, socket);
        return socket;
    }

    private static Set<String> names(JsonNode node) {
        Set<String> names = new HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** A client socket that queues what it receives. */
    private static final class Socket extends WebSocketListener {
        private final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
        private final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
        private WebSocket ws;

        @Override
        public void onMessage(WebSocket webSocket, String text) {
            messages.add(text);
        }

        @Override
        public void onClosing(WebSocket webSocket, int code, String reason) {
            closeCode.complete(code);
            webSocket.close(1000, null);
        }

        @Override
        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
            closeCode.completeExceptionally(t);
        }

        List<JsonNode> messagesUntilClose() throws Exception {
            closeCode.get(5, TimeUnit.SECONDS);
            List<JsonNode> out = new ArrayList<>();
            for (String text : messages) {
                out.add(JSON.readTree(text));
            }
            return out;
        }
    }
}
