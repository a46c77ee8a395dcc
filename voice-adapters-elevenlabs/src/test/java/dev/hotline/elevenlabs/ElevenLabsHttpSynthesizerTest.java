package dev.hotline.elevenlabs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.ProviderException.Kind;
import dev.hotline.core.RetryPolicy;
import dev.hotline.core.Synthesizer.Request;
import dev.hotline.core.Synthesizer.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okhttp3.mockwebserver.SocketPolicy;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;

/** {@link ElevenLabsSynthesizer} in HTTP mode against a real HTTP server on loopback. */
@Timeout(20)
class ElevenLabsHttpSynthesizerTest {

    static final String API_KEY = "sk_0123456789abcdef_test_secret";

    private MockWebServer server;
    private ElevenLabsSynthesizer synthesizer;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final List<byte[]> chunks = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server = new MockWebServer();
        server.start();
        synthesizer = new ElevenLabsSynthesizer(config());
    }

    @AfterEach
    void stopServer() throws IOException {
        synthesizer.close();
        server.shutdown();
    }

    private ElevenLabsConfig config() {
        return ElevenLabsConfig.of(API_KEY, "JBFqnCBsd6RMkjVDRZzb")
                .withBaseUrl(server.url("/").toString())
                .withVoiceSettings(new VoiceSettings(0.5, 0.8, 0.0, true, 1.1))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    private Usage synthesize(Request request) throws IOException {
        return synthesizer.synthesize(request, this::record, new CancelSignal());
    }

    /**
     * Synthesizes under the engine's retry policy (up to two retries, 5 ms backoff, 3 s of waits), retrying only
     * while no audio was delivered, as the engine does.
     */
    private Usage synthesizeRetrying(Request request) throws IOException {
        return synthesizeRetrying(request, new CancelSignal(), new RetryPolicy(2, Duration.ofSeconds(3),
                Duration.ofMillis(5)));
    }

    private Usage synthesizeRetrying(Request request, CancelSignal cancel, RetryPolicy policy) throws IOException {
        return policy.call(cancel, () -> synthesizer.synthesize(request, this::record, cancel),
                () -> received.size() == 0, failure -> { });
    }

    private void record(byte[] chunk) {
        chunks.add(chunk);
        received.writeBytes(chunk);
    }

    @Test
    void givenRequestWithContext_whenSynthesizing_thenPostsTheDocumentedStreamRequest() throws Exception {
        byte[] audio = TestData.phonePrompt();
        server.enqueue(new MockResponse().setBody(new Buffer().write(audio)).addHeader("character-cost", "21"));

        Usage usage = synthesize(new Request("Hello, this is Jason.", AudioFormat.PCM16_16K, "Hi.", "How are you?"));

        RecordedRequest request = server.takeRequest();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getPath()).isEqualTo("/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream?output_format=pcm_16000");
        assertThat(request.getHeader("xi-api-key")).isEqualTo(API_KEY);
        assertThat(request.getHeader("Content-Type")).startsWith("application/json");
        JsonNode body = TestData.JSON.readTree(request.getBody().readUtf8());
        assertThat(body.get("text").asText()).isEqualTo("Hello, this is Jason.");
        assertThat(body.get("model_id").asText()).isEqualTo("eleven_flash_v2_5");
        assertThat(body.get("previous_text").asText()).isEqualTo("Hi.");
        assertThat(body.get("next_text").asText()).isEqualTo("How are you?");
        JsonNode settings = body.get("voice_settings");
        assertThat(settings.get("stability").asDouble()).isEqualTo(0.5);
        assertThat(settings.get("similarity_boost").asDouble()).isEqualTo(0.8);
        assertThat(settings.get("style").asDouble()).isEqualTo(0.0);
        assertThat(settings.get("use_speaker_boost").asBoolean()).isTrue();
        assertThat(settings.get("speed").asDouble()).isEqualTo(1.1);
        assertThat(received.toByteArray()).isEqualTo(audio);
        assertThat(usage).isEqualTo(new Usage(21, false));
    }

    @Test
    void givenNoContextAndDefaultSettings_whenSynthesizing_thenOmitsOptionalFieldsAndCountsCharacters()
            throws Exception {
        synthesizer.close();
        synthesizer = new ElevenLabsSynthesizer(config().withVoiceSettings(VoiceSettings.DEFAULT));
        server.enqueue(new MockResponse().setBody(new Buffer().write(new byte[] {1, 2, 3, 4})));

        Usage usage = synthesize(Request.of("Goodbye!", AudioFormat.ULAW_8K));

        RecordedRequest request = server.takeRequest();
        assertThat(request.getRequestUrl().queryParameter("output_format")).isEqualTo("ulaw_8000");
        JsonNode body = TestData.JSON.readTree(request.getBody().readUtf8());
        assertThat(body.has("voice_settings")).isFalse();
        assertThat(body.has("previous_text")).isFalse();
        assertThat(body.has("next_text")).isFalse();
        assertThat(usage).isEqualTo(new Usage("Goodbye!".length(), false));
    }

    @ParameterizedTest
    @CsvSource({
        "ULAW, 8000, 1, ulaw_8000", "ALAW, 8000, 1, alaw_8000",
        "PCM16_LE, 8000, 1, pcm_8000", "PCM16_LE, 16000, 1, pcm_16000", "PCM16_LE, 22050, 1, pcm_22050",
        "PCM16_LE, 24000, 1, pcm_24000", "PCM16_LE, 44100, 1, pcm_44100", "PCM16_LE, 48000, 1, pcm_48000"})
    void givenSupportedFormat_whenSynthesizing_thenAsksForTheMatchingOutputFormat(AudioFormat.Encoding encoding,
            int rate, int channels, String outputFormat) throws Exception {
        AudioFormat format = new AudioFormat(encoding, rate, channels);
        server.enqueue(new MockResponse().setBody(new Buffer().write(new byte[] {0, 1, 2, 3})));

        assertThat(synthesizer.supports(format)).isTrue();
        synthesize(Request.of("Hello.", format));

        assertThat(server.takeRequest().getRequestUrl().queryParameter("output_format")).isEqualTo(outputFormat);
    }

    @ParameterizedTest
    @CsvSource({"ULAW, 16000, 1", "ALAW, 16000, 1", "PCM16_LE, 11025, 1", "PCM16_LE, 16000, 2"})
    void givenUnsupportedFormat_whenSynthesizing_thenRefusesBeforeAnyRequest(AudioFormat.Encoding encoding, int rate,
            int channels) {
        AudioFormat format = new AudioFormat(encoding, rate, channels);

        assertThat(synthesizer.supports(format)).isFalse();
        assertThatThrownBy(() -> synthesize(Request.of("Hello.", format)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ElevenLabs cannot produce");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenPcmChunkedAtOddSizes_whenSynthesizing_thenEveryChunkHoldsWholeSamplesAndNothingIsLost()
            throws Exception {
        byte[] audio = TestData.phonePrompt();
        server.enqueue(new MockResponse().setChunkedBody(new Buffer().write(audio), 777)
                .throttleBody(777, 1, TimeUnit.MILLISECONDS));

        synthesize(Request.of("Please enter a new extension, followed by pound.", AudioFormat.PCM16_8K));

        assertThat(chunks).hasSizeGreaterThan(1);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.length % 2).isZero());
        assertThat(chunks).anySatisfy(chunk -> assertThat(chunk.length).isNotEqualTo(777));
        assertThat(received.toByteArray()).isEqualTo(audio);
    }

    @Test
    void givenInvalidApiKeyFixture_whenSynthesizing_thenPermanentAuthenticationErrorNamingTheSettingAndNoRetry()
            throws Exception {
        server.enqueue(jsonError(401, TestData.errorBody("error_401_invalid_api_key.json")));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesize(Request.of("Hi.", AudioFormat.ULAW_8K)));

        assertThat(e.kind()).isEqualTo(Kind.AUTHENTICATION);
        assertThat(e.retryable()).isFalse();
        assertThat(e.httpStatus()).isEqualTo(401);
        assertThat(e.getMessage()).contains("ELEVENLABS_API_KEY").contains("invalid_api_key")
                .doesNotContain(API_KEY);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenQuotaExceededFixture_whenSynthesizing_thenPermanentQuotaErrorWithTheProvidersMessage()
            throws Exception {
        server.enqueue(jsonError(401, TestData.errorBody("error_401_quota_exceeded.json")));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesize(Request.of("Hi.", AudioFormat.ULAW_8K)));

        assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("You have 0 credits remaining");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenValidationErrorFixture_whenSynthesizing_thenInvalidRequestCarriesTheDetail() throws Exception {
        server.enqueue(jsonError(422, TestData.errorBody("error_422_validation_shape.json")));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesize(Request.of("Hi.", AudioFormat.ULAW_8K)));

        assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("body.text: field required (value_error.missing)");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"400, voice_not_found, ELEVENLABS_VOICE_ID", "401, voice_not_found, ELEVENLABS_VOICE_ID",
        "400, max_character_limit_exceeded, send shorter pieces"})
    void givenDocumentedRequestErrorCode_whenSynthesizing_thenInvalidRequestWhateverTheStatus(int status,
            String code, String hint) throws Exception {
        server.enqueue(jsonError(status, "{\"detail\":{\"status\":\"" + code + "\",\"message\":\"refused\"}}"));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesize(Request.of("Hi.", AudioFormat.ULAW_8K)));

        assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
        assertThat(e.getMessage()).contains(code).contains(hint);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({"error_429_too_many_concurrent_requests.json, too_many_concurrent_requests",
        "error_429_system_busy.json, system_busy"})
    void givenRateLimitFixtureOnce_whenSynthesizingUnderTheRetryPolicy_thenRetriedAndDelivered(String fixture,
            String code) throws Exception {
        server.enqueue(jsonError(429, TestData.errorBody(fixture)));
        server.enqueue(new MockResponse().setBody(new Buffer().write(new byte[] {7, 7, 7, 7})));

        synthesizeRetrying(Request.of("Hi.", AudioFormat.ULAW_8K));

        assertThat(received.toByteArray()).containsExactly(7, 7, 7, 7);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource({"error_429_too_many_concurrent_requests.json, too_many_concurrent_requests",
        "error_429_system_busy.json, system_busy"})
    void givenRateLimitFixtureEveryTime_whenSynthesizingUnderTheRetryPolicy_thenRateLimitedAfterThreeRequests(
            String fixture, String code) throws Exception {
        for (int i = 0; i < 3; i++) {
            server.enqueue(jsonError(429, TestData.errorBody(fixture)));
        }

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesizeRetrying(Request.of("Hi.", AudioFormat.ULAW_8K)));

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.getMessage()).contains(code);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void givenServerErrorTwiceThenAudio_whenSynthesizingUnderTheRetryPolicy_thenTheThirdRequestDelivers()
            throws Exception {
        server.enqueue(new MockResponse().setResponseCode(503).setBody("upstream unavailable"));
        server.enqueue(new MockResponse().setResponseCode(500).setBody("internal error"));
        server.enqueue(new MockResponse().setBody(new Buffer().write(new byte[] {5, 5})));

        synthesizeRetrying(Request.of("Hi.", AudioFormat.ULAW_8K));

        assertThat(received.toByteArray()).containsExactly(5, 5);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void givenServerError_whenTheSynthesizerAloneIsCalled_thenOneRequestAndTheFailureIsThrown() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(503).setBody("upstream unavailable"));
        server.enqueue(new MockResponse().setBody(new Buffer().write(new byte[] {5, 5})));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesize(Request.of("Hi.", AudioFormat.ULAW_8K)));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.retryable()).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(received.size()).isZero();
    }

    @Test
    void givenRetryAfter_whenRateLimitedUnderTheRetryPolicy_thenTheProvidersWaitIsHonouredBeforeTheRetry()
            throws Exception {
        server.enqueue(jsonError(429, TestData.errorBody("error_429_system_busy.json")).addHeader("Retry-After", "1"));
        server.enqueue(new MockResponse().setBody(new Buffer().write(new byte[] {9, 9})));
        long start = System.nanoTime();

        synthesizeRetrying(Request.of("Hi.", AudioFormat.ULAW_8K));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(received.toByteArray()).containsExactly(9, 9);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void givenRetryAfterBeyondTheBudget_whenRateLimitedUnderTheRetryPolicy_thenFailsAtOnceForFallback()
            throws Exception {
        server.enqueue(jsonError(429, TestData.errorBody("error_429_system_busy.json")).addHeader("Retry-After", "30"));
        server.enqueue(new MockResponse().setBody(new Buffer().write(new byte[] {9, 9})));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesizeRetrying(Request.of("Hi.", AudioFormat.ULAW_8K)));

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(30));
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenStreamStallsAfterSomeAudio_whenSynthesizingUnderTheRetryPolicy_thenTimeoutWithoutRetry()
            throws Exception {
        byte[] audio = TestData.phonePrompt();
        server.enqueue(new MockResponse().setBody(new Buffer().write(audio)).throttleBody(1000, 3, TimeUnit.SECONDS));
        server.enqueue(new MockResponse().setBody(new Buffer().write(audio)));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesizeRetrying(Request.of("Hi.", AudioFormat.PCM16_8K)));

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).contains("stalled after 1000 bytes");
        assertThat(received.size()).isEqualTo(1000);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenServerNeverAnswers_whenSynthesizing_thenTimeoutAfterOneRequest() throws Exception {
        server.enqueue(new MockResponse().setSocketPolicy(SocketPolicy.NO_RESPONSE));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesize(Request.of("Hi.", AudioFormat.ULAW_8K)));

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.retryable()).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(e.getMessage()).contains("no answer within 500 ms");
        assertThat(received.size()).isZero();
    }

    @Test
    void givenConnectionDropsMidBody_whenSynthesizingUnderTheRetryPolicy_thenTruncatedStreamErrorNotRetried()
            throws Exception {
        byte[] audio = TestData.phonePrompt();
        server.enqueue(new MockResponse().setBody(new Buffer().write(audio))
                .setSocketPolicy(SocketPolicy.DISCONNECT_DURING_RESPONSE_BODY));
        server.enqueue(new MockResponse().setBody(new Buffer().write(audio)));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesizeRetrying(Request.of("Hi.", AudioFormat.PCM16_8K)));

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
        assertThat(e.getMessage()).contains("audio stream ended early");
        assertThat(received.size()).isLessThan(audio.length);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenEmptyBody_whenSynthesizing_thenMalformedResponse() throws Exception {
        server.enqueue(new MockResponse().setBody(""));

        assertThatThrownBy(() -> synthesize(Request.of("Hi.", AudioFormat.ULAW_8K)))
                .isInstanceOfSatisfying(ProviderException.class,
                        e -> assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE))
                .hasMessageContaining("no audio");
    }

    @Test
    void givenSinkCancelsAfterFirstChunk_whenStreaming_thenCancelledAndNothingMoreDelivered() throws Exception {
        byte[] audio = TestData.phonePrompt();
        server.enqueue(new MockResponse().setBody(new Buffer().write(audio)).throttleBody(800, 50,
                TimeUnit.MILLISECONDS));
        CancelSignal cancel = new CancelSignal();

        assertThatThrownBy(() -> synthesizer.synthesize(Request.of("Hi.", AudioFormat.PCM16_8K), chunk -> {
            record(chunk);
            cancel.cancel("barge-in");
        }, cancel)).isInstanceOf(CancelledException.class).hasMessage("barge-in");

        assertThat(chunks).hasSize(1);
        assertThat(received.size()).isLessThan(audio.length);
    }

    @Test
    void givenServerSlowToAnswer_whenCancelledFromAnotherThread_thenCallIsAbortedAtOnce() throws Exception {
        synthesizer.close();
        synthesizer = new ElevenLabsSynthesizer(config().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofSeconds(60)));
        server.enqueue(new MockResponse().setBody("x").setHeadersDelay(30, TimeUnit.SECONDS));
        CancelSignal cancel = new CancelSignal();
        Thread.ofVirtual().start(() -> {
            awaitRequest();
            cancel.cancel("hang-up");
        });

        assertThatThrownBy(() -> synthesizer.synthesize(Request.of("Hi.", AudioFormat.ULAW_8K), this::record, cancel))
                .isInstanceOf(CancelledException.class).hasMessage("hang-up");
        assertThat(received.size()).isZero();
    }

    @Test
    void givenTheRetryPolicyWaitingToRetry_whenCancelled_thenCancelledWithoutAnotherTry() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(503).setHeader("Retry-After", "20"));
        CancelSignal cancel = new CancelSignal();
        Thread.ofVirtual().start(() -> {
            awaitRequest();
            pauseForTheAnswerToArrive();
            cancel.cancel("barge-in");
        });

        assertThatThrownBy(() -> synthesizeRetrying(Request.of("Hi.", AudioFormat.ULAW_8K), cancel,
                new RetryPolicy(3, Duration.ofSeconds(30), Duration.ofMillis(5))))
                .isInstanceOf(CancelledException.class).hasMessage("barge-in");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenAlreadyCancelled_whenSynthesizing_thenNoRequestIsMade() {
        CancelSignal cancel = new CancelSignal();
        cancel.cancel("call ended");

        assertThatThrownBy(() -> synthesizer.synthesize(Request.of("Hi.", AudioFormat.ULAW_8K), this::record, cancel))
                .isInstanceOf(CancelledException.class);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenRepeatedAuthenticationFailures_whenSynthesizing_thenSaysSoOnceAndNeverLogsTheKey() throws Exception {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        Level previous = root.getLevel();
        root.setLevel(Level.DEBUG);
        try {
            List<String> messages = new CopyOnWriteArrayList<>();
            for (int i = 0; i < 3; i++) {
                server.enqueue(jsonError(401, TestData.errorBody("error_401_invalid_api_key.json")));
                ProviderException e = catchThrowableOfType(ProviderException.class,
                        () -> synthesize(Request.of("Hi.", AudioFormat.ULAW_8K)));
                messages.add(e.getMessage());
                messages.add(String.valueOf(e));
            }
            server.enqueue(jsonError(429, TestData.errorBody("error_429_system_busy.json")));
            server.enqueue(new MockResponse().setBody(new Buffer().write(new byte[] {1, 1})));
            synthesizeRetrying(Request.of("Hi.", AudioFormat.ULAW_8K));

            List<ILoggingEvent> warnings = logs.list.stream()
                    .filter(event -> event.getLoggerName().equals(ElevenLabsSynthesizer.class.getName()))
                    .filter(event -> event.getLevel() == Level.WARN).toList();
            assertThat(warnings).hasSize(1);
            assertThat(warnings.get(0).getFormattedMessage()).contains("AUTHENTICATION").contains("once");
            assertThat(logs.list).isNotEmpty().allSatisfy(event -> assertThat(event.getFormattedMessage())
                    .doesNotContain(API_KEY));
            assertThat(messages).allSatisfy(message -> assertThat(message).doesNotContain(API_KEY));
            assertThat(synthesizer.config().toString()).doesNotContain(API_KEY).contains("apiKey=***");
        } finally {
            root.detachAppender(logs);
            root.setLevel(previous);
        }
    }

    @Test
    void givenProviderEchoesTheKey_whenFailing_thenTheMessageHidesIt() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(400).setHeader("Content-Type", "application/json")
                .setBody("{\"detail\":{\"status\":\"bad_request\",\"message\":\"key " + API_KEY + " rejected\"}}"));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesize(Request.of("Hi.", AudioFormat.ULAW_8K)));

        assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("key *** rejected").doesNotContain(API_KEY);
    }

    /** Lets the 503 reach the client so the cancel lands in the 20 s wait before the retry. */
    private static void pauseForTheAnswerToArrive() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitRequest() {
        try {
            server.takeRequest(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static MockResponse jsonError(int status, String body) {
        return new MockResponse().setResponseCode(status)
                .setHeader("Content-Type", "application/json")
                .setHeader("server", "uvicorn")
                .setBody(body);
    }
}
