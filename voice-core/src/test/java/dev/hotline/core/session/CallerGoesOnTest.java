package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Utterance;
import dev.hotline.core.testing.CallHarness;
import dev.hotline.core.testing.Gate;
import dev.hotline.core.testing.TestAudio;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/**
 * A caller who pauses mid-thought (long enough to end the turn) and goes on before the persona has said
 * anything is heard whole: the two utterances are answered together, once.
 */
class CallerGoesOnTest {

    private static final String FIRST = "Your message has been saved.";
    private static final String SECOND = "please hold while I try to locate the person you are calling";

    /**
     * Without the early transcript: the scripted transcriber answers in the order it is called, and every
     * pause of 350 ms inside the recordings would start (and the speech after it cancel) one more call.
     * {@code EarlyTranscriptTest} covers a carried turn with it on.
     */
    private final CallSettings settings = CallSettings.defaults().toBuilder().earlyTranscript(Duration.ZERO).build();

    private static TestAudio.Pcm recording(String name) throws Exception {
        Path file = TestAudio.phone(name).orElse(null);
        assumeTrue(file != null, "shared fixtures not present (hotline.shared.dir): " + name);
        return TestAudio.readWav(file);
    }

    @Test
    void givenTheFirstUtteranceStillBeingTranscribed_whenTheCallerGoesOn_thenBothAreTranscribedAndAnsweredTogether()
            throws Exception {
        TestAudio.Pcm first = recording("vm-msgsaved.wav");
        TestAudio.Pcm second = recording("pls-hold-while-try.wav");
        CountDownLatch firstStt = new CountDownLatch(1);
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hearAfter(Gate.latch(firstStt), FIRST).hear(FIRST + " " + SECOND);
            h.responder.reply("Sure, I'll wait.");
            h.start(settings);
            h.greeted();

            h.transport.feedPcm(first.samples());
            h.transport.feedSilence(settings.endOfTurnSilence().plusMillis(200));
            assertThat(h.call().state()).as("the first utterance ended a turn").isEqualTo(CallState.THINKING);
            h.transport.feedPcm(second.samples());
            h.transport.feedSilence(Duration.ofMillis(900));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            List<Utterance> heard = h.transcriber.utterances();
            assertThat(heard).hasSize(2);
            byte[] earlier = heard.get(0).pcm();
            byte[] joined = heard.get(1).pcm();
            assertThat(Arrays.copyOf(joined, earlier.length)).as("the joined audio starts with the first utterance")
                    .isEqualTo(earlier);
            assertThat(heard.get(1).duration().toMillis()).as("and covers both recordings and the pause")
                    .isGreaterThanOrEqualTo(first.millis() + second.millis());
            assertThat(h.responder.requests()).singleElement()
                    .satisfies(r -> assertThat(r.messages()).containsExactly(
                            ChatMessage.system(h.persona.systemPrompt()), ChatMessage.user(FIRST + " " + SECOND)));
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement().satisfies(t -> {
                assertThat(t.transcript()).isEqualTo(FIRST + " " + SECOND);
                assertThat(t.reply()).isEqualTo("Sure, I'll wait.");
                assertThat(t.interrupted()).isFalse();
            });
            assertThat(h.events(CallEvent.UtteranceDropped.class)).isEmpty();
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenTheFirstUtteranceTranscribedAndTheLlmThinking_whenTheCallerGoesOn_thenOneUserMessageHoldsBoth()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me about").hear("the tour in May");
            h.responder.hang().reply("It starts in Paris.");
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            assertThat(h.responder.requests()).hasSize(1);
            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.responder.requests()).hasSize(2);
            assertThat(h.responder.requests().get(1).messages()).containsExactly(
                    ChatMessage.system(h.persona.systemPrompt()), ChatMessage.user("Tell me about the tour in May"));
            assertThat(h.synthesizer.texts()).endsWith("It starts in Paris.")
                    .doesNotContain(h.persona.apology(), h.persona.didNotCatch());
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.transcript()).isEqualTo("Tell me about the tour in May"));
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenAThoughtInThreePieces_whenEachStartsBeforeTheLastWasAnswered_thenOneUserMessageHoldsAllThree()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me about").hearAfter(Gate.latch(new CountDownLatch(1)), "the tour")
                    .hear("the tour in May");
            h.responder.hang().reply("It starts in Paris.");
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            h.says(700, settings);
            h.says(900, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            List<Utterance> heard = h.transcriber.utterances();
            assertThat(heard).hasSize(3);
            assertThat(Arrays.copyOf(heard.get(2).pcm(), heard.get(1).pcm().length))
                    .as("the second piece's audio, not transcribed yet, leads the third request")
                    .isEqualTo(heard.get(1).pcm());
            assertThat(h.responder.requests()).hasSize(2);
            assertThat(h.responder.requests().get(1).messages()).containsExactly(
                    ChatMessage.system(h.persona.systemPrompt()), ChatMessage.user("Tell me about the tour in May"));
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.reply()).isEqualTo("It starts in Paris."));
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenACarriedTranscript_whenTheNextUtteranceIsAHallucination_thenTheEarlierWordsAreAnsweredAlone()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("When do you play Berlin").hear("Thank you for watching.");
            h.responder.hang().reply("In June.");
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            h.says(600, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.responder.requests().get(1).messages().subList(1, 2))
                    .containsExactly(ChatMessage.user("When do you play Berlin"));
            assertThat(h.events(CallEvent.UtteranceDropped.class)).extracting(CallEvent.UtteranceDropped::why)
                    .containsExactly("known hallucination");
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.reply()).isEqualTo("In June."));
        }
    }

    @Test
    void givenACarriedTranscript_whenTheNextUtteranceCannotBeTranscribed_thenTheEarlierWordsStayInTheConversation()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("When do you play Berlin").fail(new ProviderException("fake",
                    ProviderException.Kind.INVALID_REQUEST, "bad audio", 400, null, null)).hear("and Hamburg");
            h.responder.hang().reply("Both in June.");
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            h.says(600, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));
            h.says(800, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.synthesizer.texts()).contains(h.persona.didNotCatch());
            assertThat(h.responder.requests().get(1).messages()).containsExactly(
                    ChatMessage.system(h.persona.systemPrompt()), ChatMessage.user("When do you play Berlin"),
                    ChatMessage.user("and Hamburg"));
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenTheReplyAlreadySpeaking_whenTheCallerTalks_thenItIsABargeInNotAJoin() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me about the tour").hear("Wait");
            h.responder.reply("The tour starts in May and it goes all over Europe this year.").reply("Yes?");
            h.start(settings);
            h.greeted();
            h.says(1_000, settings);
            h.silenceUntil(CallState.SPEAKING, Duration.ofSeconds(5));

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.responder.requests().get(1).messages().getLast()).isEqualTo(ChatMessage.user("Wait"));
            assertThat(h.events(CallEvent.TurnCompleted.class)).hasSize(2).first()
                    .satisfies(t -> assertThat(t.interrupted()).isTrue());
        }
    }
}
