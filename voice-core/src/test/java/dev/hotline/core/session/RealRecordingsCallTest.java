package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.testing.CallHarness;
import dev.hotline.core.testing.TestAudio;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Whole calls fed with real telephone speech ({@code fixtures/speech/phone}) as 20 ms mu-law frames. */
class RealRecordingsCallTest {

    private final CallSettings settings = CallSettings.defaults();

    private static Map<String, String> transcripts() throws Exception {
        Path tsv = TestAudio.fixtures().map(f -> f.resolve("speech/phone/transcripts.tsv")).orElseThrow();
        return Files.readAllLines(tsv).stream().skip(1).map(l -> l.split("\t", 2))
                .collect(Collectors.toMap(p -> p[0], p -> p[1]));
    }

    private static TestAudio.Pcm recording(String name) throws Exception {
        Path file = TestAudio.phone(name).orElse(null);
        assumeTrue(file != null, "shared fixtures not present (hotline.shared.dir): " + name);
        return TestAudio.readWav(file);
    }

    @Test
    void givenARealCallerUtterance_whenFedAsMuLawFrames_thenOneTurnWithTheWholeUtteranceIsTranscribedAndAnswered()
            throws Exception {
        TestAudio.Pcm speech = recording("vm-msgsaved.wav");
        String words = transcripts().get("vm-msgsaved.wav");
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear(words);
            h.responder.reply("Great, thanks for leaving it!");
            h.start(settings);
            h.greeted();

            h.transport.feedPcm(speech.samples());
            h.transport.feedSilence(Duration.ofMillis(900));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.transcriber.utterances()).singleElement().satisfies(u -> assertThat(u.duration().toMillis())
                    .isBetween(speech.millis() / 2, speech.millis() + 1_000));
            assertThat(h.responder.requests().getFirst().messages().getLast()).isEqualTo(ChatMessage.user(words));
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.reply()).isEqualTo("Great, thanks for leaving it!"));
        }
    }

    @Test
    void givenARealCallerTalkingOverTheReply_whenFed_thenTheReplyIsCutAndTheirWordsAreTheNextTurn() throws Exception {
        TestAudio.Pcm interruption = recording("pls-hold-while-try.wav");
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me about the album").hear(transcripts().get("pls-hold-while-try.wav"));
            h.responder.reply("The album took two years to make, and every song on it was recorded in my kitchen. "
                    + "The neighbours were very patient.").reply("Sure, I'll wait.");
            h.start(settings);
            h.greeted();
            h.says(1_000, settings);
            h.silenceUntil(CallState.SPEAKING, Duration.ofSeconds(5));
            h.transport.feedSilence(Duration.ofSeconds(1));

            h.transport.feedPcm(interruption.samples());
            h.transport.feedSilence(Duration.ofMillis(900));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.events(CallEvent.BargeIn.class)).hasSize(1);
            assertThat(h.events(CallEvent.TurnCompleted.class).getFirst().interrupted()).isTrue();
            assertThat(h.transcriber.utterances().get(1).duration().toMillis())
                    .isGreaterThanOrEqualTo(interruption.millis() / 2);
            h.transcriber.assertExhausted();
        }
    }
}
