package dev.hotline.openai;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Responder;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Utterance;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * Drives every failure path of both adapters with a recognisable fake key, including servers that echo the
 * key back (retried under the engine's retry policy where retryable), and checks that neither the exceptions (whole cause chain, as printed) nor any log line carry it.
 */
class SecretLeakTest extends LoopbackServerTest {

    /** The part of the key that would identify it even if the prefix were cut. */
    private static final String KEY_CORE = "HOTLINEFAKEKEY";

    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private Logger root;
    private Level previousLevel;

    @BeforeEach
    void captureLogs() {
        root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        previousLevel = root.getLevel();
        root.setLevel(Level.ALL);
        logs.start();
        root.addAppender(logs);
    }

    @AfterEach
    void releaseLogs() {
        root.detachAppender(logs);
        root.setLevel(previousLevel);
    }

    private static String echoing(String where) {
        return "{\"error\":{\"message\":\"" + where + ": Incorrect API key provided: " + FAKE_KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys.\","
                + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}";
    }

    static Stream<Arguments> failures() {
        String fixture401 = SharedFixtures.openAi("error_401_invalid_api_key.json");
        String quota = SharedFixtures.openAi("error_429_insufficient_quota.json");
        String rate = SharedFixtures.openAi("error_429_rate_limit_exceeded.json");
        String server = SharedFixtures.openAi("error_500_server_error.json");
        return Stream.of(
                Arguments.of("401 recorded", List.of(json(401, fixture401))),
                Arguments.of("401 echoing the key", List.of(json(401, echoing("401")))),
                Arguments.of("403 echoing the key", List.of(json(403, echoing("403")))),
                Arguments.of("400 echoing the key", List.of(json(400, echoing("400")))),
                Arguments.of("429 quota", List.of(json(429, quota))),
                Arguments.of("429 rate limit, retried", List.of(json(429, rate), json(429, rate), json(429, rate))),
                Arguments.of("500 echoing, retried", List.of(json(500, echoing("500")), json(500, echoing("500")),
                        json(500, echoing("500")))),
                Arguments.of("500 recorded, retried", List.of(json(500, server), json(500, server), json(500, server))),
                Arguments.of("plain-text body with the key", List.of(
                        new MockResponse.Builder().code(502).body("upstream said " + FAKE_KEY).build(),
                        new MockResponse.Builder().code(502).body("upstream said " + FAKE_KEY).build(),
                        new MockResponse.Builder().code(502).body("upstream said " + FAKE_KEY).build())),
                Arguments.of("connection reset", List.of(
                        new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build(),
                        new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build(),
                        new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build())),
                Arguments.of("stall", List.of(
                        new MockResponse.Builder().code(200).body("{\"text\":\"" + FAKE_KEY + "\"}")
                                .onResponseStart(SocketEffect.Stall.INSTANCE).build())));
    }

    private OpenAiClient impatientClient() {
        return client(config(FAKE_KEY).withTimeouts(Duration.ofSeconds(1), Duration.ofMillis(200),
                Duration.ofSeconds(5)));
    }

    @ParameterizedTest(name = "responder: {0}")
    @MethodSource("failures")
    void givenFailingServer_whenResponding_thenTheKeyIsNeitherInTheExceptionNorInTheLogs(String name,
            List<MockResponse> responses) {
        responses.forEach(server::enqueue);
        OpenAiResponder responder = new OpenAiResponder(impatientClient());

        IOException failure = failureOf(() -> retrying(() -> responder.respond(
                new Responder.Request(List.of(ChatMessage.user("hi")), 0), delta -> { }, new CancelSignal()),
                () -> true));

        assertNoKeyAnywhere(failure);
    }

    @ParameterizedTest(name = "transcriber: {0}")
    @MethodSource("failures")
    void givenFailingServer_whenTranscribing_thenTheKeyIsNeitherInTheExceptionNorInTheLogs(String name,
            List<MockResponse> responses) {
        responses.forEach(server::enqueue);
        OpenAiTranscriber transcriber = new OpenAiTranscriber(impatientClient());

        IOException failure = failureOf(() -> retrying(() -> transcriber.transcribe(
                new Utterance(AudioFormat.PCM16_16K, new byte[3200]), Transcriber.Hints.NONE, new CancelSignal()),
                () -> true));

        assertNoKeyAnywhere(failure);
    }

    @Test
    void givenErrorEventEchoingTheKeyMidStream_whenResponding_thenTheKeyIsNotInTheException() {
        server.enqueue(eventStream(contentEvent("hi") + "data: " + echoing("stream") + "\n\n").build());

        IOException failure = failureOf(() -> new OpenAiResponder(impatientClient()).respond(
                new Responder.Request(List.of(ChatMessage.user("hi")), 0), delta -> { }, new CancelSignal()));

        assertNoKeyAnywhere(failure);
    }

    @Test
    void givenMalformedStreamEchoingTheKey_whenResponding_thenTheKeyIsNotInTheException() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(eventStream("data: {" + FAKE_KEY + "\n\n").build());
        }

        IOException failure = failureOf(() -> new OpenAiResponder(impatientClient()).respond(
                new Responder.Request(List.of(ChatMessage.user("hi")), 0), delta -> { }, new CancelSignal()));

        assertNoKeyAnywhere(failure);
    }

    private interface Call {
        void run() throws IOException;
    }

    private static IOException failureOf(Call call) {
        try {
            call.run();
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("the call was expected to fail");
    }

    private void assertNoKeyAnywhere(IOException failure) {
        assertThat(failure).isInstanceOf(ProviderException.class);
        StringWriter printed = new StringWriter();
        failure.printStackTrace(new PrintWriter(printed));
        assertThat(printed.toString()).doesNotContain(FAKE_KEY).doesNotContain(KEY_CORE);

        assertThat(logs.list).isNotEmpty();
        for (ILoggingEvent event : logs.list) {
            assertThat(event.getFormattedMessage()).doesNotContain(KEY_CORE);
            for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                assertThat(t.getMessage() == null ? "" : t.getMessage()).doesNotContain(KEY_CORE);
            }
        }
    }
}
