package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.Persona;
import dev.hotline.testkit.RecordedRequest;
import dev.hotline.testkit.elevenlabs.FakeElevenLabsServer;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import dev.hotline.testkit.twilio.CallReport;
import dev.hotline.testkit.twilio.CallScript;
import dev.hotline.testkit.twilio.SimulatedTwilioCaller;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With ElevenLabs configured, the server synthesizes what the persona's fixed lines are spoken as (the
 * greeting, goodbye and idle prompts in their sentence pieces) as it starts, and a call's greeting then costs
 * no request: against the test kit's fake speaking ElevenLabs' wire format and a simulated Twilio caller, on
 * loopback.
 */
class PhraseWarmupTest {

    @Test
    void given_elevenlabs_when_warmed_then_each_piece_is_asked_for_once_and_a_greeting_asks_nothing()
            throws Exception {
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start();
                FakeElevenLabsServer elevenLabs = FakeElevenLabsServer.start()) {
            Bootstrap bootstrap = Bootstrap.fromEnvironment(InProcessHotline.environment(openAi, elevenLabs));
            Persona persona = bootstrap.config().persona();
            List<String> expected = List.of(
                    // the greeting and the goodbye, sentence by sentence, as a call speaks them
                    "Hey!", "This is Synthetic Jason.", "Thanks for calling my hotline.", "What's on your mind?",
                    "It was great talking with you.", "Take care, bye!");
            assertThat(persona.greeting() + " " + persona.goodbye()).isEqualTo(String.join(" ", expected));
            int pieces = Bootstrap.fixedLines(persona, Bootstrap.settings(bootstrap.config()).maxPieceChars()).size();
            assertThat(Bootstrap.fixedLines(persona, 200)).containsAll(expected);

            HotlineServer server = bootstrap.server(null).start();
            try {
                bootstrap.warmPhraseCache();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (elevenLabs.requests().size() < pieces && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                List<String> warmed = texts(elevenLabs.requests());
                assertThat(warmed).hasSize(pieces).doesNotHaveDuplicates().containsAll(expected);

                CallReport report = SimulatedTwilioCaller
                        .dialing(URI.create("ws://127.0.0.1:" + server.port() + "/voice-stream"))
                        .call(CallScript.builder().greetingTimeout(Duration.ofSeconds(10))
                                .maxCallDuration(Duration.ofSeconds(8)).build());

                assertThat(report.greetingLatency()).as("the greeting was heard").isPresent();
                assertThat(texts(elevenLabs.requests())).as("requests after the call").isEqualTo(warmed);
            } finally {
                server.shutdown();
            }
        }
    }

    private static List<String> texts(List<RecordedRequest> requests) throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        for (RecordedRequest request : requests) {
            assertThat(request.path()).endsWith("/stream");
            assertThat(request.query()).containsEntry("output_format", "ulaw_8000");
            texts.add(json.readTree(new String(request.body(), StandardCharsets.UTF_8)).get("text").asText());
        }
        return texts;
    }
}
