package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;
import dev.hotline.audio.Pcm16;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.Responder;
import dev.hotline.core.Synthesizer;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalProvidersTest {

    @Test
    void givenNoSettings_whenStarted_thenEveryRoleIsServedAndTheBannerSaysBy() throws Exception {
        try (LocalProviders local = LocalProviders.start(LocalProviders.Settings.defaults())) {
            assertThat(local.banner()).containsOnlyKeys("vad", "stt", "llm", "tts");
            assertThat(local.banner().get("stt")).startsWith("sphinx4 en-us").contains("HOTLINE_VOSK_MODEL");
            assertThat(local.banner().get("tts")).startsWith("freetts kevin16");
            assertThat(local.banner().get("vad")).startsWith("silero v5");
            assertThat(local.banner().get("llm")).contains("Synthetic Jason");
            assertThat(local.persona().greeting()).isEqualTo(ScriptedResponder.syntheticJason().script().greeting());

            // A caller's question, spoken by the synthesizer in the phone's format, heard by the transcriber,
            // answered by the persona: the embedded set holds a conversation with itself.
            ByteArrayOutputStream ulaw = new ByteArrayOutputStream();
            local.synthesizer().synthesize(Synthesizer.Request.of("When is the next concert?", AudioFormat.ULAW_8K),
                    ulaw::writeBytes, new CancelSignal());
            Utterance heard = new Utterance(AudioFormat.PCM16_8K, G711.ulawToPcm16le(ulaw.toByteArray()));
            Transcript transcript = local.transcriber().transcribe(heard, Transcriber.Hints.NONE, new CancelSignal());
            StringBuilder reply = new StringBuilder();
            local.responder().respond(new Responder.Request(List.of(ChatMessage.user(transcript.text())), 0),
                    reply::append, new CancelSignal());

            assertThat(transcript.text()).as("what sphinx4 heard").contains("concert");
            assertThat(ScriptedResponder.syntheticJason().script().intents().getFirst().replies())
                    .contains(reply.toString());
            float speech = local.vad().create(8_000).speechProbability(Pcm16.toShorts(heard.pcm()), 0,
                    heard.pcm().length / 2);
            assertThat(speech).isBetween(0f, 1f);
        }
    }

    @Test
    void givenAMissingVoskModel_whenStarted_thenStartUpStopsNamingThePath(@TempDir Path dir) {
        Path missing = dir.resolve("no-model");
        LocalProviders.Settings settings = LocalProviders.Settings.fromEnvironment(
                Map.of(LocalProviders.ENV_VOSK_MODEL, missing.toString()));
        assertThatThrownBy(() -> LocalProviders.start(settings))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(missing.toString());
    }

    @Test
    void givenAPersonaScript_whenStarted_thenItsLinesAreUsed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bakery.yaml");
        Files.writeString(file, """
                name: Bakery Line
                greeting: "Fresh bread hotline, hello!"
                goodbye: "Bye, enjoy the bread."
                didNotCatch: "Say again?"
                apology: "Oops."
                idlePrompts: ["Still there?"]
                goodbyeKeywords: [bye]
                intents:
                  - name: hours
                    keywords: [open, hours]
                    replies: ["We open at seven."]
                fallback: ["Ask me about our hours."]
                """);
        LocalProviders.Settings settings = LocalProviders.Settings.fromEnvironment(
                Map.of(LocalProviders.ENV_PERSONA_SCRIPT, file.toString(), LocalProviders.ENV_VOSK_MODEL, " "));
        assertThat(settings.voskModel()).isNull();
        try (LocalProviders local = LocalProviders.start(settings)) {
            assertThat(local.persona().name()).isEqualTo("Bakery Line");
            assertThat(local.banner().get("llm")).contains(file.toString());
            StringBuilder reply = new StringBuilder();
            local.responder().respond(new Responder.Request(List.of(ChatMessage.user("when do you open")), 0),
                    reply::append, new CancelSignal());
            assertThat(reply).hasToString("We open at seven.");
        }
    }
}
