package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallEvent;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Responder;
import dev.hotline.core.Synthesizer;
import dev.hotline.core.testing.CallHarness;
import dev.hotline.core.testing.Gate;
import dev.hotline.core.testing.ScriptedResponder;
import dev.hotline.core.testing.ScriptedSynthesizer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailurePathsTest {

    private final CallSettings settings = CallSettings.defaults().toBuilder()
            .retryBackoff(Duration.ofMillis(1)).build();

    private static ProviderException transient503() {
        return new ProviderException("fake", ProviderException.Kind.UNAVAILABLE, "overloaded", 503, null, null);
    }

    private static ProviderException badKey() {
        return new ProviderException("fake", ProviderException.Kind.AUTHENTICATION, "key refused", 401, null, null);
    }

    private static String spoken(CallHarness h) {
        return String.join(" ", h.synthesizer.texts());
    }

    @Test
    void givenTheTranscriberFails_whenTheCallerSpeaks_thenThePersonaSaysItDidNotCatchThat() throws Exception {
        try (CallHarness h = new CallHarness()) {
            // The early transcription in the caller's pause, then the turn's own at its end.
            h.transcriber.fail(badKey()).fail(badKey());
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.synthesizer.texts().getLast()).isEqualTo(h.persona.didNotCatch());
            assertThat(h.events(CallEvent.Error.class)).hasSize(2)
                    .allSatisfy(e -> assertThat(e.stage()).isEqualTo("stt"))
                    .allSatisfy(e -> assertThat(e.fatal()).isFalse());
            assertThat(h.responder.requests()).isEmpty();
            h.transcriber.assertExhausted();
        }
    }

    @Test
    void givenTheResponderFails_whenTheCallerSpeaks_thenAnApologyIsSpoken() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello");
            h.responder.fail(badKey());
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.synthesizer.texts().getLast()).isEqualTo(h.persona.apology());
            assertThat(h.events(CallEvent.Error.class)).singleElement()
                    .satisfies(e -> assertThat(e.stage()).isEqualTo("llm"));
            assertThat(h.responder.requests()).as("a permanent failure is not retried").hasSize(1);
        }
    }

    @Test
    void givenAFallbackResponder_whenTheResponderFails_thenTheFallbackAnswers() throws Exception {
        try (CallHarness h = new CallHarness()) {
            ScriptedResponder scripted = ScriptedResponder.repeating("I'm a bit offline, but I love your call.");
            h.transcriber.hear("Hello");
            h.responder.fail(badKey());
            h.start(h.engineBuilder(settings).fallbackResponder(scripted));
            h.greeted();

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.synthesizer.texts().getLast()).isEqualTo("I'm a bit offline, but I love your call.");
            assertThat(scripted.requests()).hasSize(1);
        }
    }

    @Test
    void givenTransientFailures_whenResponding_thenRetriedWithinTheBudgetAndTheReplyIsSpoken() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.fail(transient503()).hear("Hello");
            h.responder.fail(transient503()).fail(transient503()).reply("Hi there.");
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.synthesizer.texts().getLast()).isEqualTo("Hi there.");
            assertThat(h.responder.requests()).hasSize(3);
            assertThat(h.events(CallEvent.Error.class)).extracting(CallEvent.Error::stage)
                    .containsExactly("stt", "llm", "llm");
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenMoreTransientFailuresThanRetries_whenResponding_thenGivesUpWithAnApology() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello");
            h.responder.fail(transient503()).fail(transient503()).fail(transient503());
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.responder.requests()).hasSize(1 + settings.maxRetries());
            assertThat(h.synthesizer.texts().getLast()).isEqualTo(h.persona.apology());
        }
    }

    @Test
    void givenTheResponderFailsMidStream_whenResponding_thenTheCompleteSentencesAndAnApologyAreSpoken()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello");
            h.responder.failAfter(transient503(), "The tour starts in May. ", "And then we");
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.synthesizer.texts()).endsWith("The tour starts in May.", h.persona.apology());
            assertThat(h.responder.requests()).as("text was delivered, so no retry").hasSize(1);
            assertThat(h.events(CallEvent.TurnCompleted.class).getFirst().reply())
                    .isEqualTo("The tour starts in May. " + h.persona.apology());
        }
    }

    @Test
    void givenThePrimarySynthesizerFails_whenSpeaking_thenTheNextInTheChainSpeaksAndTheSwitchIsReportedOnce()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            ScriptedSynthesizer backup = new ScriptedSynthesizer("backup", 50);
            h.transcriber.hear("Hello").hear("Again");
            h.responder.reply("First sentence here. Second one.").reply("Third.");
            h.synthesizer.failNext(badKey());
            h.start(h.engineBuilder(settings).fallbackSynthesizer(backup));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(30));

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));
            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.synthesizer.texts()).hasSize(1);
            assertThat(String.join(" ", backup.texts())).isEqualTo(h.persona.greeting()
                    + " First sentence here. Second one. Third.");
            assertThat(h.events(CallEvent.Error.class)).singleElement()
                    .satisfies(e -> assertThat(e.stage()).isEqualTo("tts"));
        }
    }

    @Test
    void givenTheSynthesizerFailsMidPiece_whenSpeaking_thenTheRestComesFromTheFallback() throws Exception {
        try (CallHarness h = new CallHarness()) {
            ScriptedSynthesizer backup = new ScriptedSynthesizer("backup", 50);
            h.transcriber.hear("Hello");
            h.responder.reply("First sentence here. Second one.");
            h.start(h.engineBuilder(settings).fallbackSynthesizer(backup));
            h.greeted();
            h.synthesizer.failAfterChunks(3, transient503());
            h.synthesizer.failNext(transient503());

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.synthesizer.texts()).endsWith("First sentence here.");
            assertThat(backup.texts()).containsExactly("Second one.");
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.interrupted()).isFalse());
        }
    }

    @Test
    void givenEverySynthesizerFails_whenSpeaking_thenTheCallEndsWithAFatalError() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.synthesizer.failNext(badKey());
            h.start(settings);

            assertThat(h.transport.feedSilenceUntilEnded(Duration.ofSeconds(5))).isTrue();

            assertThat(h.events(CallEvent.Error.class)).extracting(CallEvent.Error::fatal).contains(true);
            assertThat(h.events(CallEvent.CallEnded.class)).singleElement()
                    .satisfies(e -> assertThat(e.reason()).isEqualTo("no synthesizer left"));
        }
    }

    @Test
    void givenASlowResponder_whenTheSilenceBoundPasses_thenAFillerIsSpokenAndTheReplyFollows() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello");
            h.responder.replyAfter(Gate.audioDelay(h.transport, Duration.ofSeconds(5)), "Here I am.");
            h.start(settings);
            h.greeted();

            long greeting = h.transport.sentBytes();
            h.says(1_000, settings);
            h.transport.feedSilence(settings.silenceBound().minusMillis(300));
            long beforeBound = h.transport.sentBytes();
            h.transport.feedSilence(Duration.ofMillis(300));
            long afterBound = h.transport.sentBytes();
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(beforeBound).as("nothing said before the silence bound").isEqualTo(greeting);
            assertThat(afterBound).as("the filler starts at the silence bound").isGreaterThan(greeting);
            assertThat(h.synthesizer.texts()).endsWith(settings.fillerPhrase(), "Here I am.");
            assertThat(h.events(CallEvent.TurnCompleted.class).getFirst().reply()).isEqualTo("Here I am.");
            assertThat(h.events(CallEvent.Error.class)).isEmpty();
        }
    }

    @Test
    void givenAResponderThatNeverAnswers_whenTheTimeoutPasses_thenAnApologyIsSpokenAndTheCallGoesOn() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello").hear("Still there?");
            h.responder.hang().reply("Yes!");
            h.start(settings);
            h.greeted();

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(30));
            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(30));

            assertThat(h.synthesizer.texts()).contains(settings.fillerPhrase(), h.persona.apology());
            assertThat(h.synthesizer.texts().getLast()).isEqualTo("Yes!");
            assertThat(h.transport.longestSilence()).as("the caller never waits longer than the bound")
                    .isLessThanOrEqualTo(settings.endOfTurnSilence().plus(settings.silenceBound()).plusMillis(100));
            assertThat(h.events(CallEvent.Error.class)).singleElement()
                    .satisfies(e -> assertThat(((ProviderException) e.cause()).kind())
                            .isEqualTo(ProviderException.Kind.TIMEOUT));
            h.responder.assertExhausted();
        }
    }

    @Test
    void givenTheLlmCallInFlight_whenTheCallerHangsUp_thenTheCallEndsAndNothingOfItSurvives() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello");
            h.responder.hang();
            h.start(settings);
            h.greeted();
            h.says(1_000, settings);
            assertThat(h.call().state()).isEqualTo(CallState.THINKING);

            h.transport.callerHangsUp();

            assertThat(h.call().isEnded()).isTrue();
            assertThat(h.threads.alive()).as("no thread of the call is left").isZero();
            assertThat(h.engine().activeCalls()).isZero();
            assertThat(h.events(CallEvent.Error.class)).isEmpty();
            assertThat(h.observer.events().getLast()).isInstanceOf(CallEvent.CallEnded.class);
            assertThat(((CallEvent.CallEnded) h.observer.events().getLast()).reason()).isEqualTo("caller hung up");
        }
    }

    @Test
    void givenAnObserverThatThrows_whenTheCallRuns_thenTheCallIsUnaffected() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello");
            h.responder.reply("Hi.");
            h.start(h.engineBuilder(settings).observer(event -> {
                h.observer.onEvent(event);
                throw new IllegalStateException("metrics down");
            }));
            h.greeted();

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.reply()).isEqualTo("Hi."));
        }
    }

    @Test
    void givenProvidersWithBugsThatThrow_whenUsed_thenTheyAreTreatedAsFailuresAndTheCallGoesOn() throws Exception {
        try (CallHarness h = new CallHarness()) {
            Synthesizer buggy = new Synthesizer() {
                @Override
                public Usage synthesize(Request request, AudioSink sink, CancelSignal cancel) {
                    throw new NullPointerException("adapter bug");
                }

                @Override
                public boolean supports(AudioFormat format) {
                    return true;
                }

                @Override
                public String name() {
                    return "buggy";
                }
            };
            Responder buggyLlm = new Responder() {
                @Override
                public Usage respond(Request request, TextSink sink, CancelSignal cancel) {
                    throw new IllegalStateException("adapter bug");
                }

                @Override
                public String name() {
                    return "buggy llm";
                }
            };
            h.transcriber.hear("Hello");
            h.start(h.engineBuilder(settings).synthesizer(buggy).fallbackSynthesizer(h.synthesizer)
                    .responder(buggyLlm));
            h.greeted();

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));

            assertThat(h.synthesizer.texts().getLast()).isEqualTo(h.persona.apology());
            assertThat(h.events(CallEvent.Error.class)).extracting(CallEvent.Error::stage)
                    .containsExactly("tts", "llm");
        }
    }
}
