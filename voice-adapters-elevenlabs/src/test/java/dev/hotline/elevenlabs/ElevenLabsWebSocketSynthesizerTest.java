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
import dev.hotline.core.StreamingSynthesizer.SpeechStream;
import dev.hotline.core.Synthesizer.Request;
import dev.hotline.core.Synthesizer.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * {@link ElevenLabsSynthesizer}'s stream-input mode against a real WebSocket server on loopback speaking the
 * documented protocol with the recorded {@code ws_*} frames.
 */
@Timeout(20)
class ElevenLabsWebSocketSynthesizerTest {

    private static final String API_KEY = "sk_websocket_test_secret_987654";

    private MockWebServer server;
    private ElevenLabsSynthesizer synthesizer;
    private byte[] audio;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private final List<byte[]> chunks = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        audio = TestData.phonePrompt();
        server = new MockWebServer();
        server.start();
        synthesizer = new ElevenLabsSynthesizer(config());
    }

    @AfterEach
    void stop() throws IOException {
        synthesizer.close();
        server.shutdown();
    }

    private ElevenLabsConfig config() {
        return ElevenLabsConfig.of(API_KEY, "JBFqnCBsd6RMkjVDRZzb")
                .withBaseUrl(server.url("/").toString())
                .withVoiceSettings(new VoiceSettings(0.5, 0.8, null, null, 1.0))
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(3));
    }

    private FakeStreamInputServer serve(FakeStreamInputServer.Behaviour behaviour) throws IOException {
        FakeStreamInputServer fake = new FakeStreamInputServer(behaviour, audio, 5);
        server.enqueue(new MockResponse().withWebSocketUpgrade(fake));
        return fake;
    }

    private void record(byte[] chunk) {
        chunks.add(chunk);
        synchronized (received) {
            received.writeBytes(chunk);
        }
    }

    @Test
    void givenLlmDeltas_whenStreaming_thenSendsWholeWordsFlushesAtSentenceEndsAndPlaysAllAudio() throws Exception {
        FakeStreamInputServer fake = serve(FakeStreamInputServer.Behaviour.NORMAL);

        Usage usage;
        try (SpeechStream stream = synthesizer.open(AudioFormat.PCM16_8K, this::record, new CancelSignal())) {
            stream.append("Hel");
            stream.append("lo the");
            stream.append("re. How");
            stream.append(" are you?");
            stream.flush();
            stream.append(" Bye");
            usage = stream.finish();
        }

        RecordedRequest handshake = server.takeRequest();
        assertThat(handshake.getPath()).isEqualTo(
                "/v1/text-to-speech/JBFqnCBsd6RMkjVDRZzb/stream-input?model_id=eleven_flash_v2_5&output_format=pcm_8000");
        assertThat(handshake.getHeader("xi-api-key")).isEqualTo(API_KEY);
        JsonNode init = fake.nextMessage();
        assertThat(init.get("text").asText()).isEqualTo(" ");
        assertThat(init.get("voice_settings").toString())
                .isEqualTo("{\"stability\":0.5,\"similarity_boost\":0.8,\"speed\":1.0}");
        assertThat(init.get("generation_config").get("chunk_length_schedule").toString()).isEqualTo("[120,160,250,290]");
        assertThat(init.has("xi_api_key")).isFalse();
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"Hello \"}");
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"there. \"}");
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"How are \"}");
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"you? \",\"flush\":true}");
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"Bye \"}");
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"\"}");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(audio);
        expected.writeBytes(audio);
        assertThat(received.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(chunks).hasSizeGreaterThan(2).allSatisfy(chunk -> assertThat(chunk.length % 2).isZero());
        assertThat(usage).isEqualTo(new Usage("Hello there. How are you? Bye".length(), false));
    }

    @Test
    void givenTextWithoutSpaces_whenItOutgrowsTheHoldBack_thenItIsSentAnyway() throws Exception {
        FakeStreamInputServer fake = serve(FakeStreamInputServer.Behaviour.NORMAL);
        String run = "x".repeat(499);

        try (SpeechStream stream = synthesizer.open(AudioFormat.ULAW_8K, this::record, new CancelSignal())) {
            stream.append(run);
            stream.append("y");
            stream.append("z");
            stream.finish();
        }

        fake.nextMessage();
        assertThat(fake.nextMessage().get("text").asText()).isEqualTo(run + "y ");
        assertThat(fake.nextMessage().get("text").asText()).isEqualTo("z ");
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"\"}");
    }

    @Test
    void givenWebSocketMode_whenSynthesizingOnePiece_thenUsesStreamInputAndDeliversAllAudioOnTheCallingThread() throws Exception {
        synthesizer.close();
        synthesizer = new ElevenLabsSynthesizer(config().withMode(ElevenLabsConfig.Mode.WEBSOCKET));
        FakeStreamInputServer fake = serve(FakeStreamInputServer.Behaviour.NORMAL);

        Thread caller = Thread.currentThread();
        List<Thread> sinkThreads = new CopyOnWriteArrayList<>();

        Usage usage = synthesizer.synthesize(Request.of("Hello there.", AudioFormat.ULAW_8K), chunk -> {
            sinkThreads.add(Thread.currentThread());
            record(chunk);
        }, new CancelSignal());

        assertThat(server.takeRequest().getRequestUrl().queryParameter("output_format")).isEqualTo("ulaw_8000");
        assertThat(synthesizer.name()).isEqualTo("elevenlabs eleven_flash_v2_5 websocket");
        fake.nextMessage();
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"Hello \"}");
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"there. \"}");
        assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\"\"}");
        assertThat(received.toByteArray()).isEqualTo(audio);
        assertThat(usage.characters()).isEqualTo("Hello there.".length());
        assertThat(sinkThreads).isNotEmpty().allMatch(thread -> thread == caller);
    }

    @Test
    void givenRecordedTimeoutErrorFrame_whenStreaming_thenTimeoutProviderException() throws Exception {
        serve(FakeStreamInputServer.Behaviour.TIMEOUT_ERROR_FRAME);

        SpeechStream stream = synthesizer.open(AudioFormat.ULAW_8K, this::record, new CancelSignal());
        stream.append("Hello ");
        ProviderException e = catchThrowableOfType(ProviderException.class, stream::finish);

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).contains("input_timeout_exceeded").contains("No message received within 20s.");
        stream.close();
    }

    @Test
    void givenQuotaErrorFrameOnTwoStreams_whenStreaming_thenPermanentAndSaidOnce() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(ElevenLabsSynthesizer.class);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        Level previous = logger.getLevel();
        logger.setLevel(Level.WARN);
        try {
            for (int i = 0; i < 2; i++) {
                serve(FakeStreamInputServer.Behaviour.QUOTA_ERROR_FRAME);
                SpeechStream stream = synthesizer.open(AudioFormat.ULAW_8K, this::record, new CancelSignal());
                stream.append("Hello ");
                ProviderException e = catchThrowableOfType(ProviderException.class, stream::finish);
                stream.close();

                assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
                assertThat(e.retryable()).isFalse();
                assertThat(e.getMessage()).contains("You have 0 credits remaining").doesNotContain(API_KEY);
            }

            assertThat(logs.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("QUOTA_EXCEEDED").doesNotContain(API_KEY);
            });
        } finally {
            logger.detachAppender(logs);
            logger.setLevel(previous);
        }
    }

    @Test
    void givenProviderClosesBeforeIsFinal_whenFinishing_thenUnavailableNamingTheCloseCode() throws Exception {
        serve(FakeStreamInputServer.Behaviour.CLOSE_AFTER_FIRST_AUDIO);

        SpeechStream stream = synthesizer.open(AudioFormat.PCM16_8K, this::record, new CancelSignal());
        stream.append("Hello there. ");
        stream.flush();
        ProviderException e = catchThrowableOfType(ProviderException.class, stream::finish);

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("before isFinal").contains("1011");
        assertThat(received.size()).isPositive().isLessThan(audio.length);
    }

    @Test
    void givenSilentProvider_whenFinishing_thenTimeoutAfterTheCallTimeout() throws Exception {
        synthesizer.close();
        synthesizer = new ElevenLabsSynthesizer(config().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
                Duration.ofMillis(300)));
        serve(FakeStreamInputServer.Behaviour.SILENT);

        SpeechStream stream = synthesizer.open(AudioFormat.ULAW_8K, this::record, new CancelSignal());
        stream.append("Hello there.");
        ProviderException e = catchThrowableOfType(ProviderException.class, stream::finish);

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).contains("no isFinal within 300 ms");
    }

    @Test
    void givenInvalidKeyAtHandshake_whenOpening_thenAuthenticationError() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(401).setHeader("Content-Type", "application/json")
                .setBody(TestData.errorBody("error_401_invalid_api_key.json")));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesizer.open(AudioFormat.ULAW_8K, this::record, new CancelSignal()));

        assertThat(e.kind()).isEqualTo(Kind.AUTHENTICATION);
        assertThat(e.getMessage()).contains("ELEVENLABS_API_KEY").doesNotContain(API_KEY);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenBusyAtHandshakeOnce_whenOpeningUnderTheRetryPolicy_thenRetriedAndStreams() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(429).setHeader("Content-Type", "application/json")
                .setBody(TestData.errorBody("error_429_too_many_concurrent_requests.json")));
        serve(FakeStreamInputServer.Behaviour.NORMAL);
        CancelSignal cancel = new CancelSignal();
        RetryPolicy policy = new RetryPolicy(2, Duration.ofSeconds(3), Duration.ofMillis(5));

        try (SpeechStream stream = policy.call(cancel, () -> synthesizer.open(AudioFormat.ULAW_8K, this::record,
                cancel))) {
            stream.append("Hi. ");
            stream.finish();
        }

        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(received.toByteArray()).isEqualTo(audio);
    }

    @Test
    void givenBusyAtHandshake_whenTheSynthesizerAloneOpens_thenOneRequestAndRateLimited() throws Exception {
        server.enqueue(new MockResponse().setResponseCode(429).setHeader("Content-Type", "application/json")
                .setBody(TestData.errorBody("error_429_too_many_concurrent_requests.json")));
        serve(FakeStreamInputServer.Behaviour.NORMAL);

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> synthesizer.open(AudioFormat.ULAW_8K, this::record, new CancelSignal()));

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenQuietStream_whenIdle_thenKeepAliveSpacesAreSent() throws Exception {
        synthesizer.close();
        synthesizer = new ElevenLabsSynthesizer(config().withStreaming(Duration.ofMillis(100),
                ElevenLabsConfig.DEFAULT_CHUNK_LENGTH_SCHEDULE));
        FakeStreamInputServer fake = serve(FakeStreamInputServer.Behaviour.NORMAL);

        try (SpeechStream stream = synthesizer.open(AudioFormat.ULAW_8K, this::record, new CancelSignal())) {
            assertThat(fake.nextMessage().has("generation_config")).isTrue();
            assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\" \"}");
            assertThat(fake.nextMessage().toString()).isEqualTo("{\"text\":\" \"}");
            stream.append("Still there? ");
            stream.finish();
        }

        assertThat(received.toByteArray()).isEqualTo(audio);
    }

    @Test
    void givenAudioArriving_whenCancelledBySink_thenCancelledAndNoFurtherAudio() throws Exception {
        serve(FakeStreamInputServer.Behaviour.SLOW_AUDIO);
        CancelSignal cancel = new CancelSignal();

        SpeechStream stream = synthesizer.open(AudioFormat.PCM16_8K, chunk -> {
            record(chunk);
            cancel.cancel("barge-in");
        }, cancel);
        stream.append("A long answer that the caller interrupts. ");
        stream.flush();

        assertThatThrownBy(stream::finish).isInstanceOf(CancelledException.class).hasMessage("barge-in");
        assertThat(chunks).hasSize(1);
        assertThatThrownBy(() -> stream.append("more ")).isInstanceOf(CancelledException.class);
        stream.close();
    }

    @Test
    void givenAlreadyCancelled_whenOpening_thenNothingIsConnected() {
        CancelSignal cancel = new CancelSignal();
        cancel.cancel();

        assertThatThrownBy(() -> synthesizer.open(AudioFormat.ULAW_8K, this::record, cancel))
                .isInstanceOf(CancelledException.class);
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenUnsupportedFormat_whenOpening_thenIllegalArgumentBeforeConnecting() {
        assertThatThrownBy(() -> synthesizer.open(new AudioFormat(AudioFormat.Encoding.PCM16_LE, 11_025, 1),
                this::record, new CancelSignal())).isInstanceOf(IllegalArgumentException.class);
        assertThat(server.getRequestCount()).isZero();
    }
}
