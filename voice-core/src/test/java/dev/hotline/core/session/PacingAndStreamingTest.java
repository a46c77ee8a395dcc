package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Responder;
import dev.hotline.core.testing.CallHarness;
import dev.hotline.core.testing.Gate;
import dev.hotline.core.testing.RecordingCallTransport;
import dev.hotline.core.testing.ScriptedSynthesizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PacingAndStreamingTest {

    private final CallSettings settings = CallSettings.defaults();

    @ParameterizedTest
    @ValueSource(ints = {20, 40, 100})
    void givenAChunkSize_whenSpeaking_thenEveryChunkHasAUniqueMarkAndAtMostMaxQueuedIsUnplayed(int chunkMs)
            throws Exception {
        CallSettings paced = settings.toBuilder().playoutChunkMs(chunkMs).maxQueuedMs(200).build();
        try (CallHarness h = new CallHarness()) {
            h.start(paced);

            h.greeted();

            List<RecordingCallTransport.Sent> log = h.transport.log();
            Set<String> marks = new HashSet<>();
            for (int i = 0; i < log.size(); i += 2) {
                RecordingCallTransport.Sent.Audio audio = (RecordingCallTransport.Sent.Audio) log.get(i);
                RecordingCallTransport.Sent.Mark mark = (RecordingCallTransport.Sent.Mark) log.get(i + 1);
                assertThat(audio.bytes().length).isLessThanOrEqualTo(8 * chunkMs);
                assertThat(marks.add(mark.name())).as("mark names are unique").isTrue();
            }
            assertThat(h.transport.maxQueuedBytes()).isLessThanOrEqualTo(8L * 200);
            assertThat(h.transport.playedBytes()).as("every byte synthesized (50 ms a character) was played")
                    .isEqualTo(h.synthesizer.characters() * 400);
        }
    }

    @Test
    void givenBackPressure_whenTheTransportRefusesSends_thenNothingIsLostAndSendingResumes() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transport.rejectNextSends(3);
            h.start(settings);

            h.greeted();

            assertThat(h.transport.playedBytes()).isEqualTo(h.synthesizer.characters() * 400);
        }
    }

    @Test
    void givenASlowSynthesizer_whenTheFirstPieceIsReady_thenItPlaysBeforeTheLaterPiecesAreSynthesized()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            CountDownLatch second = new CountDownLatch(1);
            h.transcriber.hear("Hello");
            h.responder.reply("First piece here. ", "Second piece here.");
            h.start(settings);
            h.greeted();
            h.synthesizer.gateNext(Gate.OPEN).gateNext(Gate.latch(second));

            h.says(800, settings);
            h.transport.feedSilence(Duration.ofMillis(300));

            assertThat(h.call().state()).isEqualTo(CallState.SPEAKING);
            assertThat(h.synthesizer.texts()).endsWith("First piece here.", "Second piece here.");
            second.countDown();
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));
            assertThat(h.events(CallEvent.TurnCompleted.class).getFirst().reply())
                    .isEqualTo("First piece here. Second piece here.");
        }
    }

    /**
     * A responder that streams its first sentence and the first word of the next (the chunker's lookahead),
     * then waits (until cancelled, or until {@code rest} opens) before the rest; records whether the wait was
     * cancelled.
     */
    static final class HalfwayResponder implements Responder {
        final CountDownLatch rest = new CountDownLatch(1);
        final CountDownLatch cancelled = new CountDownLatch(1);

        @Override
        public Usage respond(Request request, TextSink sink, CancelSignal cancel) throws CancelledException {
            sink.onText("The tour starts in May and goes all over Europe. Then");
            try {
                Gate.latch(rest).pass(cancel);
            } catch (CancelledException e) {
                cancelled.countDown();
                throw e;
            }
            sink.onText(" we come home.");
            return new Usage(10, 2, "stop");
        }

        @Override
        public String name() {
            return "halfway responder";
        }
    }

    @Test
    void givenTheLlmStillStreaming_whenItsFirstSentenceIsComplete_thenThatSentenceIsAlreadyPlaying() throws Exception {
        try (CallHarness h = new CallHarness()) {
            HalfwayResponder llm = new HalfwayResponder();
            h.transcriber.hear("Tell me about the tour");
            h.start(h.engineBuilder(settings).responder(llm));
            h.greeted();
            long before = h.transport.playedBytes();

            h.says(800, settings);
            h.transport.feedSilence(Duration.ofMillis(300));

            assertThat(h.call().state()).isEqualTo(CallState.SPEAKING);
            assertThat(h.transport.playedBytes()).as("reply audio plays while the LLM call is open")
                    .isGreaterThan(before);
            assertThat(llm.rest.getCount()).isEqualTo(1);
            llm.rest.countDown();
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));
            assertThat(h.events(CallEvent.TurnCompleted.class).getFirst().reply())
                    .isEqualTo("The tour starts in May and goes all over Europe. Then we come home.");
        }
    }

    @Test
    void givenPlaybackStalled_whenAReplyIsMuchLongerThanTheBuffer_thenSynthesisWaitsAtTheBufferCap() throws Exception {
        CallSettings small = settings.toBuilder().maxQueuedMs(200).maxBufferedAudio(Duration.ofSeconds(2)).build();
        StringBuilder reply = new StringBuilder();
        for (int i = 1; i <= 12; i++) {
            reply.append("This is sentence number ").append(i).append(". ");
        }
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Talk to me");
            h.responder.reply(reply.toString());
            h.start(small);
            h.greeted();
            long greetingChars = h.synthesizer.characters();

            h.says(800, small);
            h.transport.pausePlayback();
            h.transport.feedSilence(Duration.ofSeconds(3));

            long replyAudioMs = (h.synthesizer.characters() - greetingChars) * 50;
            long oneSentenceMs = 50L * "This is sentence number 10.".length();
            assertThat(replyAudioMs).as("synthesized ahead: at most the buffer, what the transport holds and one piece")
                    .isLessThanOrEqualTo(2_000 + 200 + oneSentenceMs)
                    .isLessThan(50L * reply.length() / 2);
            h.transport.resumePlayback();
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(60));
            assertThat(h.events(CallEvent.TurnCompleted.class).getFirst().reply()).isEqualTo(reply.toString().strip());
        }
    }

    @Test
    void givenStreamingSynthesis_whenReplying_thenTheWholeReplyGoesThroughOneStream() throws Exception {
        CallSettings streaming = settings.withStreamingSynthesis(true);
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello");
            h.responder.reply("First piece here. ", "Second piece here.");
            h.start(streaming);
            h.greeted();

            h.says(800, streaming);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            CallEvent.TurnCompleted turn = h.events(CallEvent.TurnCompleted.class).getFirst();
            assertThat(turn.reply()).isEqualTo("First piece here. Second piece here.");
            assertThat(h.synthesizer.texts()).endsWith("First piece here. ", "Second piece here. ");
            assertThat(turn.timings().firstAudioSent()).isNotNull();
        }
    }

    @Test
    void givenAStreamThatIsBusyAtFirst_whenReplying_thenOpeningIsRetriedAndTheSameSynthesizerSpeaks()
            throws Exception {
        CallSettings streaming = settings.withStreamingSynthesis(true);
        try (CallHarness h = new CallHarness()) {
            ScriptedSynthesizer backup = new ScriptedSynthesizer("backup", 50);
            h.transcriber.hear("Hello");
            h.responder.reply("First piece here. ", "Second piece here.");
            h.start(h.engineBuilder(streaming).fallbackSynthesizer(backup));
            h.greeted();
            h.synthesizer.failNextOpen(new ProviderException("fake", ProviderException.Kind.RATE_LIMITED,
                    "too_many_concurrent_requests"));
            int opensBefore = h.synthesizer.opens();

            h.says(800, streaming);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.synthesizer.opens() - opensBefore).isEqualTo(2);
            assertThat(backup.texts()).isEmpty();
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.reply()).isEqualTo("First piece here. Second piece here."));
        }
    }

    @Test
    void givenAReply_whenItPlays_thenEveryStageTimingIsRecordedInOrder() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello");
            h.responder.reply("Hi there. ", "Nice to hear you.");
            h.start(settings);
            h.greeted();

            h.says(800, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            CallEvent.TurnTimings t = h.events(CallEvent.TurnCompleted.class).getFirst().timings();
            List<Duration> stages = new ArrayList<>(List.of(t.transcriptReady(), t.firstReplyText(),
                    t.firstSentenceReady(), t.firstAudio(), t.firstAudioSent()));
            assertThat(stages).doesNotContainNull().isSorted();
            assertThat(t.transcriptReady()).isGreaterThan(settings.endOfTurnSilence());
            assertThat(h.events(CallEvent.UsageReported.class)).extracting(CallEvent.UsageReported::role)
                    .contains("stt", "llm", "tts");
        }
    }

    @Test
    void givenStreamingSynthesisThatFails_whenReplying_thenTheRestOfTheReplyGoesToTheNextSynthesizer()
            throws Exception {
        CallSettings streaming = settings.withStreamingSynthesis(true);
        try (CallHarness h = new CallHarness()) {
            ScriptedSynthesizer backup = new ScriptedSynthesizer("backup", 50);
            h.transcriber.hear("Hello");
            h.responder.reply("First piece here. ", "Second piece here. ", "Third piece here.");
            h.start(h.engineBuilder(streaming).fallbackSynthesizer(backup));
            h.greeted();
            h.synthesizer.failNext(new ProviderException("fake", ProviderException.Kind.NETWORK, "socket reset"));

            h.says(800, streaming);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(backup.texts()).containsExactly("First piece here.", "Second piece here.",
                    "Third piece here.");
            assertThat(h.events(CallEvent.Error.class)).singleElement()
                    .satisfies(e -> assertThat(e.stage()).isEqualTo("tts"));
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.interrupted()).isFalse());
        }
    }
}
