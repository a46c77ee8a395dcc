package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.testkit.openai.FakeOpenAiServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ACCESS_PIN reaches the engine's PIN gate through the whole stack: a caller who keeps typing a wrong PIN
 * hears the prompt, is told goodbye and is hung up by the engine, through Twilio's REST API.
 */
class PinGateTest {

    @Test
    void given_an_access_pin_when_the_caller_types_wrong_ones_then_the_engine_hangs_up_through_rest()
            throws Exception {
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start(); LocalTwilioRest rest = new LocalTwilioRest()) {
            Bootstrap bootstrap = Bootstrap.fromEnvironment(Map.of("PORT", "0", "ACCESS_PIN", "4321",
                    "OPENAI_API_KEY", "test-key", "OPENAI_BASE_URL", openAi.baseUrl()));
            HotlineServer server = bootstrap.server(rest.callControl()).start();
            try {
                FakeTwilio twilio = new FakeTwilio(server.port(), null, "http://127.0.0.1:" + server.port());
                FakeTwilio.Stream stream = twilio.openStream();
                stream.echoMarks = true;
                stream.send(FakeTwilio.start("MZpin", "CApin", "+15550001111"));
                assertThat(stream.receive()).as("the PIN prompt is spoken").contains("\"event\":\"media\"");

                for (int attempt = 0; attempt < 3; attempt++) {
                    for (char digit : new char[] {'1', '1', '1', '1', '#'}) {
                        stream.send("{\"event\":\"dtmf\",\"sequenceNumber\":\"9\",\"streamSid\":\"MZpin\","
                                + "\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"" + digit + "\"}}");
                    }
                }

                assertThat(stream.closed.get(60, TimeUnit.SECONDS)).isEqualTo(1000);
                assertThat(rest.awaitRequests(Duration.ofSeconds(10))).containsExactly(
                        "POST /2010-04-01/Accounts/" + LocalTwilioRest.ACCOUNT + "/Calls/CApin.json Status=completed");
                assertThat(openAi.chatRequests()).as("no conversation before the PIN").isEmpty();
            } finally {
                server.shutdown();
            }
        }
    }
}
