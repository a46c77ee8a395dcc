package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Every line logged while a call is handled carries its callSid and streamSid, and no secret. */
class CallLoggingTest {

    private static final String TOKEN = "very-secret-token";
    private static final String ORIGIN = "https://hotline.example.org";

    /** Keeps each event with its MDC as it was when logged (the MDC is cleared right after). */
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
        @Override
        protected void append(ILoggingEvent event) {
            event.prepareForDeferredProcessing();
            super.append(event);
        }
    };
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final List<Logger> quieted = List.of((Logger) LoggerFactory.getLogger("dev.hotline.server"),
            (Logger) LoggerFactory.getLogger("dev.hotline.twilio"));
    private HotlineServer server;

    @BeforeEach
    void capture() {
        appender.start();
        root.addAppender(appender);
        quieted.forEach(logger -> logger.setLevel(Level.INFO));
    }

    @AfterEach
    void release() {
        if (server != null) {
            server.shutdown();
        }
        root.detachAppender(appender);
        quieted.forEach(logger -> logger.setLevel(null));
    }

    @Test
    void given_a_call_with_bad_input_then_its_log_lines_carry_the_call_ids_and_no_token() throws Exception {
        ServerConfig config = ServerConfig.fromEnvironment(Map.of("PORT", "0", "PUBLIC_BASE_URL", ORIGIN,
                "TWILIO_AUTH_TOKEN", TOKEN));
        TestCalls calls = new TestCalls();
        server = new HotlineServer(config, calls,
                new InMemoryCallLimiter(config.limits(), Clock.systemUTC(), Duration.ofHours(4)), null).start();
        FakeTwilio twilio = new FakeTwilio(server.port(), TOKEN, ORIGIN);
        FakeTwilio.Stream stream = twilio.openStream();
        TestCalls.Call call = calls.nextCall();
        stream.send(FakeTwilio.start("MZlog", "CAlog", "+15550001111"));
        assertThat(call.nextEvent()).isEqualTo("start");

        stream.send("not json at all");
        stream.send(FakeTwilio.media("MZother", 1, new byte[160]));
        stream.send(FakeTwilio.stop("MZlog", "CAlog"));
        assertThat(call.nextEvent()).isEqualTo("stop");
        twilio.webhook("/voice", Map.of("CallSid", "CAforged"), "forged-signature");

        List<ILoggingEvent> callLines = appender.list.stream()
                .filter(e -> e.getLoggerName().startsWith("dev.hotline"))
                .filter(e -> !e.getFormattedMessage().startsWith("rejected"))
                .toList();
        assertThat(callLines).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.contains("dropped a malformed message"))
                .anyMatch(m -> m.contains("for another stream"))
                .anyMatch(m -> m.contains("media stream ended"));
        assertThat(callLines).allSatisfy(e -> {
            assertThat(e.getMDCPropertyMap()).containsEntry("callSid", "CAlog").containsEntry("streamSid", "MZlog");
        });
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                .anyMatch(m -> m.startsWith("rejected POST /voice"))
                .noneMatch(m -> m.contains(TOKEN));
    }
}
