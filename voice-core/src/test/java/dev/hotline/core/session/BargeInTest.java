package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.testing.CallHarness;
import dev.hotline.core.testing.Gate;
import dev.hotline.core.testing.RecordingCallTransport;
import dev.hotline.core.testing.TestAudio;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class BargeInTest {

    private static final String REPLY = "The tour starts in May and it goes all over Europe this year. "
            + "Then we come back home for the summer.";

    private final CallSettings settings = CallSettings.defaults();

    @Test
    void givenThePersonaSpeaking_whenTheCallerTalksOverIt_thenTheReplyIsCutToWhatWasHeardAndTheNewUtteranceKept()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me about the tour").hear("Wait, what about Asia?");
            h.responder.reply(REPLY).reply("Asia is next year.");
            h.start(settings);
            h.greeted();
            long greetingBytes = h.transport.playedBytes();
            h.says(1_000, settings);
            h.silenceUntil(CallState.SPEAKING, Duration.ofSeconds(5));
            h.transport.feedSilence(Duration.ofMillis(1_500));

            h.transport.feedPcm(TestAudio.voice(1_500));
            h.transport.feedSilence(Duration.ofMillis(800));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            CallEvent.BargeIn bargeIn = h.events(CallEvent.BargeIn.class).getFirst();
            CallEvent.TurnCompleted cut = h.events(CallEvent.TurnCompleted.class).getFirst();
            assertThat(cut.interrupted()).isTrue();
            assertThat(REPLY).startsWith(cut.reply());
            assertThat(cut.reply()).isNotEmpty().hasSizeLessThan(REPLY.indexOf('.'));
            assertThat(bargeIn.heardChars()).isEqualTo(cut.reply().length());
            long replyBytesHeard = h.transport.playedBytes() - greetingBytes
                    - h.transport.format().bytesForMillis(50L * "Asia is next year.".length());
            assertThat(cut.reply().length()).as("heard text follows the bytes played (50 ms a character)")
                    .isCloseTo((int) (replyBytesHeard / 400), org.assertj.core.data.Offset.offset(10));
            assertThat(h.transport.clears()).isEqualTo(1);
            List<ChatMessage> second = h.responder.requests().get(1).messages();
            assertThat(second).contains(ChatMessage.assistant(cut.reply()));
            assertThat(second.getLast()).isEqualTo(ChatMessage.user("Wait, what about Asia?"));
            assertThat(h.transcriber.utterances().get(1).duration())
                    .as("the interrupting utterance is kept from its start, pre-roll included")
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1_500));
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenTheFirstReplyAudioJustSent_whenTheCallerBargesIn_thenNothingHeardIsRememberedAndNoMoreAudioIsSent()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            CountDownLatch tts = new CountDownLatch(1);
            h.transcriber.hear("Tell me about the tour").hear("Stop");
            h.responder.reply(REPLY).reply("Okay.");
            h.start(settings);
            h.greeted();
            h.synthesizer.gateNext(Gate.latch(tts));
            h.says(1_000, settings);
            h.transport.pausePlayback();
            h.transport.feedPcm(TestAudio.voice(200));

            tts.countDown();
            h.transport.settle();
            long sentBeforeBargeIn = h.transport.sentBytes();
            h.transport.feedPcm(TestAudio.voice(800));
            long sentAtBargeIn = h.transport.sentBytes();
            h.transport.resumePlayback();
            h.transport.feedSilence(Duration.ofMillis(800));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(sentBeforeBargeIn).isPositive();
            assertThat(sentAtBargeIn).isEqualTo(sentBeforeBargeIn);
            assertThat(h.events(CallEvent.BargeIn.class)).singleElement()
                    .extracting(CallEvent.BargeIn::heardChars).isEqualTo(0);
            assertThat(h.responder.requests().get(1).messages()).extracting(ChatMessage::role)
                    .containsExactly(ChatMessage.Role.SYSTEM, ChatMessage.Role.USER, ChatMessage.Role.USER);
            assertThat(h.transport.log()).filteredOn(s -> s instanceof RecordingCallTransport.Sent.Clear).hasSize(1);
        }
    }

    @Test
    void givenAShortMhm_whenThePersonaSpeaks_thenItIsNotInterrupted() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me about the tour");
            h.responder.reply(REPLY);
            h.start(settings);
            h.greeted();
            h.says(1_000, settings);
            h.silenceUntil(CallState.SPEAKING, Duration.ofSeconds(5));

            h.transport.feedPcm(TestAudio.voice(300));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(30));

            assertThat(h.events(CallEvent.BargeIn.class)).isEmpty();
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.reply()).isEqualTo(REPLY));
            assertThat(h.events(CallEvent.UtteranceDropped.class)).extracting(CallEvent.UtteranceDropped::why)
                    .containsExactly("too short to interrupt");
        }
    }

    @Test
    void givenAMinimumWordsRule_whenTheCallerSaysOneWordOverThePersona_thenItIsNotInterrupted() throws Exception {
        CallSettings twoWords = settings.toBuilder().bargeInMinWords(2).build();
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me about the tour").hear("okay");
            h.responder.reply(REPLY);
            h.start(twoWords);
            h.greeted();
            h.says(1_000, twoWords);
            h.silenceUntil(CallState.SPEAKING, Duration.ofSeconds(5));

            h.transport.feedPcm(TestAudio.voice(900));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(30));

            assertThat(h.events(CallEvent.BargeIn.class)).isEmpty();
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.interrupted()).isFalse());
            h.transcriber.assertExhausted();
        }
    }

    @Test
    void givenAMinimumWordsRule_whenTheCallerSaysEnoughWords_thenTheReplyIsCut() throws Exception {
        CallSettings twoWords = settings.toBuilder().bargeInMinWords(2).build();
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me about the tour").hear("no wait").hear("no wait I meant Asia");
            h.responder.reply(REPLY).reply("Asia is next year.");
            h.start(twoWords);
            h.greeted();
            h.says(1_000, twoWords);
            h.silenceUntil(CallState.SPEAKING, Duration.ofSeconds(5));

            h.transport.feedPcm(TestAudio.voice(1_500));
            h.transport.feedSilence(Duration.ofMillis(800));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(30));

            assertThat(h.events(CallEvent.BargeIn.class)).hasSize(1);
            assertThat(h.responder.requests().get(1).messages().getLast())
                    .isEqualTo(ChatMessage.user("no wait I meant Asia"));
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenTheGreeting_whenTheCallerTalksOverIt_thenItStopsAndTheCallerIsHeard() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hi Jason");
            h.responder.reply("Hi!");
            h.start(settings);
            h.transport.feedSilence(Duration.ofMillis(500));

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.events(CallEvent.BargeIn.class)).singleElement()
                    .satisfies(b -> assertThat(b.turn()).isZero());
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.reply()).isEqualTo("Hi!"));
        }
    }

    @Test
    void givenTheLlmStillStreaming_whenTheCallerBargesIn_thenTheLlmCallIsCancelled() throws Exception {
        try (CallHarness h = new CallHarness()) {
            PacingAndStreamingTest.HalfwayResponder llm = new PacingAndStreamingTest.HalfwayResponder();
            h.transcriber.hear("Tell me about the tour").hear("Stop");
            h.start(h.engineBuilder(settings).responder(llm));
            h.greeted();
            h.says(800, settings);
            h.silenceUntil(CallState.SPEAKING, Duration.ofSeconds(5));
            assertThat(llm.cancelled.getCount()).isEqualTo(1);

            h.transport.feedPcm(TestAudio.voice(800));

            assertThat(h.events(CallEvent.BargeIn.class)).hasSize(1);
            assertThat(llm.cancelled.getCount()).as("the LLM call in flight was cancelled").isZero();
            assertThat(llm.rest.getCount()).as("and never allowed to go on").isEqualTo(1);
        }
    }
}
