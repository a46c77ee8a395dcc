package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallEvent;
import dev.hotline.core.CallHandle;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.CallTransport;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.Engine;
import dev.hotline.core.Transcriber;
import dev.hotline.core.testing.CallHarness;
import dev.hotline.core.testing.RecordingCallTransport;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallFlowTest {

    private final CallSettings settings = CallSettings.defaults();

    @Test
    void givenANewCall_whenTheMediaStarts_thenThePersonaGreetsAndThenListens() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.start(settings);

            h.greeted();

            assertThat(String.join(" ", h.synthesizer.texts())).isEqualTo(h.persona.greeting());
            assertThat(h.transport.playedBytes()).isEqualTo(h.transport.sentBytes()).isPositive();
            assertThat(h.events(CallEvent.CallStarted.class)).hasSize(1);
            assertThat(h.events(CallEvent.StateChanged.class)).extracting(CallEvent.StateChanged::to)
                    .containsExactly("GREETING", "LISTENING");
        }
    }

    @Test
    void givenAGreetedCaller_whenTheyAskSomething_thenTheReplyIsSpokenAndRemembered() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("When is the next tour?");
            h.responder.reply("The tour starts ", "in May. ", "See you there!");
            h.start(settings);
            h.greeted();

            h.says(1_200, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.synthesizer.texts()).endsWith("The tour starts in May.", "See you there!");
            CallEvent.TurnCompleted turn = h.events(CallEvent.TurnCompleted.class).getFirst();
            assertThat(turn.transcript()).isEqualTo("When is the next tour?");
            assertThat(turn.reply()).isEqualTo("The tour starts in May. See you there!");
            assertThat(turn.interrupted()).isFalse();
            assertThat(turn.timings().voiceToVoice()).isGreaterThan(settings.endOfTurnSilence());
            assertThat(h.responder.requests().getFirst().messages()).extracting(ChatMessage::role)
                    .containsExactly(ChatMessage.Role.SYSTEM, ChatMessage.Role.USER);
            assertThat(h.transcriber.hints()).singleElement()
                    .isEqualTo(new Transcriber.Hints("en", "Synthetic Jason"));
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenAHallucinatedTranscript_whenTheCallerMakesANoise_thenItIsDroppedWithoutAReply() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Thank you for watching!");
            h.start(settings);
            h.greeted();
            int spokenBefore = h.synthesizer.texts().size();

            h.says(800, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(5));
            h.transport.feedSilence(Duration.ofSeconds(2));

            assertThat(h.events(CallEvent.UtteranceDropped.class)).singleElement().satisfies(d -> {
                assertThat(d.why()).isEqualTo("known hallucination");
                assertThat(d.transcript()).isEqualTo("Thank you for watching!");
            });
            assertThat(h.responder.requests()).isEmpty();
            assertThat(h.synthesizer.texts()).hasSize(spokenBefore);
            assertThat(h.events(CallEvent.TurnCompleted.class)).isEmpty();
        }
    }

    @Test
    void givenADirtyLongTranscript_whenItReachesTheLlm_thenItIsSanitizedAndCappedAtAWord() throws Exception {
        CallSettings short40 = settings.toBuilder().maxTranscriptChars(40).build();
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("  [Music] so\u0000 tell me\u200b about the\n tour dates in Berlin and Hamburg please ");
            h.responder.reply("Sure.");
            h.start(short40);
            h.greeted();

            h.says(1_000, short40);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.responder.requests().getFirst().messages().getLast())
                    .isEqualTo(ChatMessage.user("so tell me about the tour dates in"));
        }
    }

    @Test
    void givenATurn_whenItIsAnswered_thenUsageIsReportedWithTheProvidersNumbers() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("When is the next tour?");
            h.responder.reply("In May. ", "See you there!");
            h.start(settings);
            h.greeted();
            long greetingChars = h.synthesizer.characters();

            h.says(1_200, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            List<CallEvent.UsageReported> usage = h.events(CallEvent.UsageReported.class);
            double sttSeconds = h.transcriber.utterances().getFirst().duration().toNanos() / 1e9;
            assertThat(usage).filteredOn(u -> u.role().equals("stt")).singleElement()
                    .satisfies(u -> assertThat(u.sttSeconds()).isEqualTo(sttSeconds).isGreaterThan(1.2));
            assertThat(usage).filteredOn(u -> u.role().equals("llm")).singleElement().satisfies(u -> {
                assertThat(u.promptTokens()).as("the fake bills 10 tokens a message: system + user").isEqualTo(20);
                assertThat(u.completionTokens()).as("and one token a delta").isEqualTo(2);
                assertThat(u.provider()).isEqualTo(h.responder.name());
            });
            assertThat(usage).filteredOn(u -> u.role().equals("tts")).extracting(CallEvent.UsageReported::ttsCharacters)
                    .containsExactly(greetingChars, h.synthesizer.characters() - greetingChars);
        }
    }

    @Test
    void givenATransportThatThrows_whenAudioIsSent_thenTheCallEndsWithAFatalTransportError() throws Exception {
        try (CallHarness h = new CallHarness()) {
            RecordingCallTransport line = h.transport;
            CallTransport broken = new CallTransport() {
                @Override
                public void start(Listener listener) {
                    line.start(listener);
                }

                @Override
                public AudioFormat audioFormat() {
                    return line.audioFormat();
                }

                @Override
                public boolean sendAudio(byte[] audio) {
                    throw new IllegalStateException("socket broken");
                }

                @Override
                public void sendMark(String name) {
                    line.sendMark(name);
                }

                @Override
                public void clear() {
                    line.clear();
                }

                @Override
                public void hangUp() {
                    line.hangUp();
                }
            };
            Engine engine = h.engineBuilder(settings).build();
            CallHandle call = engine.startCall(broken);

            line.connect("CA-broken");
            line.feedSilenceUntilEnded(Duration.ofSeconds(2));

            assertThat(call.isEnded()).isTrue();
            assertThat(h.events(CallEvent.Error.class)).singleElement()
                    .satisfies(e -> assertThat(e.stage()).isEqualTo("transport"))
                    .satisfies(e -> assertThat(e.fatal()).isTrue());
            assertThat(h.events(CallEvent.CallEnded.class).getFirst().reason()).isEqualTo("transport failed");
            assertThat(engine.activeCalls()).isZero();
            engine.shutdown(Duration.ZERO);
        }
    }
}
