package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.Persona;
import dev.hotline.testkit.RecordedRequest;
import dev.hotline.testkit.elevenlabs.FakeElevenLabsServer;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * With ElevenLabs configured, the server synthesizes the persona's fixed lines for phone calls as it starts,
 * against the test kit's fake speaking ElevenLabs' wire format on loopback.
 */
class PhraseWarmupTest {

    @Test
    void given_elevenlabs_when_warmed_then_every_fixed_line_is_asked_for_once_as_phone_audio() throws Exception {
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start();
                FakeElevenLabsServer elevenLabs = FakeElevenLabsServer.start()) {
            Bootstrap bootstrap = Bootstrap.fromEnvironment(InProcessHotline.environment(openAi, elevenLabs));
            Persona persona = bootstrap.config().persona();
            List<String> fixed = new ArrayList<>(List.of(persona.greeting(), persona.goodbye(),
                    persona.didNotCatch(), persona.apology()));
            fixed.addAll(persona.idlePrompts());
            long expected = fixed.stream().distinct().count();

            bootstrap.warmPhraseCache();

            long deadline = System.nanoTime() + 10_000_000_000L;
            while (elevenLabs.requests().size() < expected && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            List<RecordedRequest> requests = elevenLabs.requests();
            ObjectMapper json = new ObjectMapper();
            List<String> texts = new ArrayList<>();
            for (RecordedRequest request : requests) {
                assertThat(request.path()).endsWith("/stream");
                assertThat(request.query()).containsEntry("output_format", "ulaw_8000");
                texts.add(json.readTree(new String(request.body(), StandardCharsets.UTF_8)).get("text").asText());
            }
            assertThat(texts).containsExactlyInAnyOrderElementsOf(fixed.stream().distinct().toList());
        }
    }
}
