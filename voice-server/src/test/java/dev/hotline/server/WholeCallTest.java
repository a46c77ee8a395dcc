package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.testkit.TestkitAudio;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import dev.hotline.testkit.twilio.CallReport;
import dev.hotline.testkit.twilio.CallScript;
import dev.hotline.testkit.twilio.SimulatedTwilioCaller;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole call through the real server, wired by {@link Bootstrap} from environment variables: the simulated
 * Twilio caller speaks real telephone recordings over a real WebSocket at real time; speech-to-text and the
 * LLM are the testkit's OpenAI fake on loopback (reached through the real OpenAI adapters), speech is FreeTTS,
 * voice activity is Silero, the conversation is voice-core's engine.
 */
class WholeCallTest {

    private static final String TOKEN = "whole-call-token";
    private static final String ORIGIN = "https://hotline.example.org";

    @Test
    void given_a_caller_who_speaks_then_interrupts_then_hangs_up_then_greeting_reply_clear_and_cleanup(
            @TempDir Path dir) throws Exception {
        Path phone = phoneRecordings();
        Path persona = dir.resolve("persona.yaml");
        Files.writeString(persona, """
                name: Test Jason
                greeting: "Hi, Jason here."
                systemPrompt: "You are a test persona. Answer briefly."
                goodbye: "Bye now."
                """);
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start()) {
            openAi.requireApiKey("test-key")
                    .transcripts("Goodbye. Thank you for trying out the Asterisk Open Source PBX.",
                            "Please hold while I try to locate the person you are calling.")
                    .replies("Thanks for calling my hotline, it is always great to hear from a fan. "
                            + "Let me tell you a long story about the making of the last record, "
                            + "which took three summers, two vans and one very patient drummer.",
                            "Sure, I will hold.");
            Map<String, String> env = new HashMap<>();
            env.put("PORT", "0");
            env.put("PUBLIC_BASE_URL", ORIGIN);
            env.put("TWILIO_AUTH_TOKEN", TOKEN);
            env.put("OPENAI_API_KEY", "test-key");
            env.put("OPENAI_BASE_URL", openAi.baseUrl());
            env.put("PERSONA_FILE", persona.toString());
            Bootstrap bootstrap = Bootstrap.fromEnvironment(env);
            assertThat(bootstrap.banner(0)).contains("openai").contains("freetts").contains("taken by the engine");
            HotlineServer server = bootstrap.server(null).start();
            try {
                FakeTwilio twilio = new FakeTwilio(server.port(), TOKEN, ORIGIN);
                Map<String, String> form = new LinkedHashMap<>();
                form.put("CallSid", "CA0000000000000000000000000000a001");
                form.put("From", "+15550001111");
                form.put("To", "+15550009999");
                assertThat(twilio.webhook("/voice", form).body()).contains("wss://hotline.example.org/voice-stream");

                CallScript script = CallScript.builder()
                        .say(TestkitAudio.readWavAsUlaw8k(phone.resolve("demo-thanks.wav")), "demo-thanks")
                        .interrupt(TestkitAudio.readWavAsUlaw8k(phone.resolve("pls-hold-while-try.wav")),
                                Duration.ofMillis(1500), "pls-hold")
                        .greetingTimeout(Duration.ofSeconds(30))
                        .replyTimeout(Duration.ofSeconds(30))
                        .maxCallDuration(Duration.ofSeconds(90))
                        .build();
                CallReport report = SimulatedTwilioCaller
                        .dialing(URI.create("ws://127.0.0.1:" + server.port() + "/voice-stream"))
                        .withCustomParameters(Map.of("From", "+15550001111", "To", "+15550009999",
                                "CallSid", "CA0000000000000000000000000000a001"))
                        .signedWith(TOKEN, "wss://hotline.example.org/voice-stream")
                        .call(script);

                assertThat(report.protocolErrors()).isEmpty();
                assertThat(report.greetingLatency()).as("the greeting was heard").isPresent();
                assertThat(report.turns()).hasSize(2);
                assertThat(report.turns().get(0).voiceToVoice()).as("a reply to the first utterance").isPresent();
                assertThat(report.turns().get(1).bargedIn()).isTrue();
                assertThat(report.turns().get(1).clearAfter()).as("the barge-in cleared the reply").isPresent();
                assertThat(report.clearsReceived()).isPositive();
                assertThat(report.marksEchoed()).isPositive();
                assertThat(openAi.transcriptionRequests()).hasSizeGreaterThanOrEqualTo(1);
                assertThat(openAi.chatRequests()).hasSizeGreaterThanOrEqualTo(1);

                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (server.openStreams() > 0 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(server.openStreams()).as("per-call state removed after hang-up").isZero();
            } finally {
                server.shutdown();
            }
        }
    }

    private static Path phoneRecordings() {
        String shared = System.getProperty("hotline.shared.dir");
        assumeTrue(shared != null, "hotline.shared.dir is not set; run through Maven");
        Path phone = Path.of(shared, "fixtures", "speech", "phone");
        assumeTrue(Files.isDirectory(phone), "shared speech recordings are absent at " + phone);
        return phone;
    }
}
