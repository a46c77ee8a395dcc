package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Utterance;
import dev.hotline.core.testing.CallHarness;
import dev.hotline.core.testing.Gate;
import dev.hotline.core.testing.TestAudio;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code earlyTranscript}: the turn so far is transcribed in the caller's pause, and answers the turn if no more
 * speech comes; the transcriber's latency then runs inside the end-of-turn silence instead of after it.
 */
class EarlyTranscriptTest {

    private static final String TEXT = "Tell me about the tour";
    /** How long the scripted transcriber takes, in the call's audio time. */
    private static final Duration STT = Duration.ofMillis(300);

    private final CallSettings early = CallSettings.defaults().toBuilder().earlyTranscript(Duration.ofMillis(300)).build();

    @Test
    void givenEarlyTranscriptOn_whenTheTurnEndsWithNoMoreSpeech_thenTheResponderIsAskedAsTheTurnEnds() {
        try (CallHarness h = new CallHarness()) {
            speakOneTurnWithSlowTranscriber(h, early);

            // The transcription started 300 ms into the pause and was back 300 ms later, before the turn ended.
            assertThat(h.responder.requests()).as("asked at the end of the turn, not 300 ms after").singleElement()
                    .satisfies(r -> assertThat(r.messages()).containsExactly(
                            ChatMessage.system(h.persona.systemPrompt()), ChatMessage.user(TEXT)));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.transcript()).isEqualTo(TEXT));
            assertThat(h.events(CallEvent.UsageReported.class).stream().filter(u -> u.role().equals("stt")))
                    .as("one transcription, billed once").hasSize(1);
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenEarlyTranscriptOff_whenTheTurnEnds_thenTheTranscriberStartsThenAndTheResponderWaitsForIt() {
        CallSettings off = CallSettings.defaults().toBuilder().earlyTranscript(Duration.ZERO).build();
        try (CallHarness h = new CallHarness()) {
            speakOneTurnWithSlowTranscriber(h, off);

            assertThat(h.responder.requests()).as("the transcript is still 300 ms away").isEmpty();
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));
            assertThat(h.responder.requests()).hasSize(1);
        }
    }

    @Test
    void givenAnEarlyTranscript_whenTheCallerGoesOnBeforeTheTurnEnds_thenTheWholeTurnIsTranscribedAndAnswered() {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me").hear(TEXT);
            h.responder.reply("It starts in Paris.");
            h.start(early);
            h.greeted();

            h.transport.feedPcm(TestAudio.voice(1_000));
            h.transport.feedSilence(Duration.ofMillis(400)); // past 300 ms: the early transcription ran
            assertThat(h.transcriber.utterances()).hasSize(1);
            assertThat(h.call().state()).as("the turn goes on").isEqualTo(CallState.LISTENING);
            h.transport.feedPcm(TestAudio.voice(800));
            h.transport.feedSilence(Duration.ofMillis(200)); // a pause too short for another one
            h.transport.feedPcm(TestAudio.voice(300));
            h.transport.feedSilence(early.endOfTurnSilence().plusMillis(40));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            List<Utterance> heard = h.transcriber.utterances();
            assertThat(heard).as("the early one, then at the end of the last pause another early one of the whole")
                    .hasSize(2);
            assertThat(heard.get(1).duration()).isGreaterThan(heard.get(0).duration().plusMillis(1_000));
            assertThat(h.responder.requests()).singleElement().satisfies(r -> assertThat(r.messages())
                    .containsExactly(ChatMessage.system(h.persona.systemPrompt()), ChatMessage.user(TEXT)));
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.transcript()).isEqualTo(TEXT));
            assertThat(h.events(CallEvent.UsageReported.class).stream().filter(u -> u.role().equals("stt")))
                    .as("both transcriptions are billed").hasSize(2);
            h.transcriber.assertExhausted();
        }
    }

    @Test
    void givenTheEarlyTranscriptionFails_whenTheTurnEnds_thenTheTurnIsTranscribedAgainAndAnswered() {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.fail(new ProviderException("fake", ProviderException.Kind.UNAVAILABLE, "overloaded", 503,
                    null, null)).hear(TEXT);
            h.responder.reply("It starts in Paris.");
            h.start(early);
            h.greeted();

            h.transport.feedPcm(TestAudio.voice(1_000));
            h.transport.feedSilence(early.endOfTurnSilence().plusMillis(40));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.transcriber.utterances()).hasSize(2);
            assertThat(h.events(CallEvent.Error.class)).as("the failed attempt is reported, not fatal").singleElement()
                    .satisfies(e -> assertThat(e.stage()).isEqualTo("stt"))
                    .satisfies(e -> assertThat(e.fatal()).isFalse());
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.transcript()).isEqualTo(TEXT));
            assertThat(h.synthesizer.texts()).doesNotContain(h.persona.didNotCatch());
            h.transcriber.assertExhausted();
        }
    }

    @Test
    void givenAnEarlyTranscriptStillComing_whenTheCallerGoesOnAfterTheTurnEnded_thenBothPartsAreAnsweredTogether() {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hearAfter(Gate.latch(new java.util.concurrent.CountDownLatch(1)), "Tell me about")
                    .hear("Tell me about the tour in May");
            h.responder.reply("It starts in Paris.");
            h.start(early);
            h.greeted();

            h.says(1_000, early);
            assertThat(h.call().state()).as("the turn ended; its early transcript is not back").isEqualTo(
                    CallState.THINKING);
            h.says(1_000, early); // goes on: the turn is carried, and the early transcription cancelled
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            List<Utterance> heard = h.transcriber.utterances();
            assertThat(heard).as("the first part early, then both parts at once: no early one while carrying")
                    .hasSize(2);
            assertThat(heard.get(1).duration()).isGreaterThan(heard.get(0).duration().plusMillis(1_000));
            assertThat(h.responder.requests()).singleElement().satisfies(r -> assertThat(r.messages())
                    .containsExactly(ChatMessage.system(h.persona.systemPrompt()),
                            ChatMessage.user("Tell me about the tour in May")));
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenATranscriberThatFailsItsOwnWayWhenCancelled_whenTheCallerGoesOn_thenNoErrorAndNoTranscriptionIsWasted() {
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        Gate failsWhenCancelled = cancel -> {
            try {
                Gate.latch(never).pass(cancel);
            } catch (dev.hotline.core.CancelledException e) {
                // as an HTTP client whose call was cancelled throws its own "Canceled"
                throw new java.io.UncheckedIOException(new java.io.IOException("Canceled"));
            }
        };
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hearAfter(failsWhenCancelled, "Tell me about").hear("Tell me about the tour in May");
            h.responder.reply("It starts in Paris.");
            h.start(early);
            h.greeted();

            h.says(1_000, early);
            h.says(1_000, early);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.transcriber.utterances()).as("the cancelled reply did not transcribe again").hasSize(2);
            assertThat(h.events(CallEvent.Error.class)).as("a cancellation is not a failure").isEmpty();
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.transcript()).isEqualTo("Tell me about the tour in May"));
            h.transcriber.assertExhausted();
        }
    }

    /**
     * Starts a call with {@code settings} whose transcriber takes {@link #STT} of audio time; the caller says one
     * second, then is quiet for the end-of-turn silence and a frame more. One transcription has begun.
     */
    private static void speakOneTurnWithSlowTranscriber(CallHarness h, CallSettings settings) {
        h.transcriber.hearAfter(Gate.audioDelay(h.transport, STT), TEXT);
        h.responder.reply("It starts in Paris.");
        h.start(settings);
        h.greeted();
        h.transport.feedPcm(TestAudio.voice(1_000));
        h.transport.feedSilence(settings.endOfTurnSilence().plusMillis(40));
        assertThat(h.transcriber.utterances()).hasSize(1);
    }
}
