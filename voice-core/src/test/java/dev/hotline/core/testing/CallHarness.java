package dev.hotline.core.testing;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallHandle;
import dev.hotline.core.CallObserver;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.Engine;
import dev.hotline.core.Persona;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One engine and one call, all fakes, driven in audio time: what most engine tests need. The monotonic
 * clock is fake too and advances by one millisecond each time it is read, so timings are deterministic
 * in order and positive.
 */
public final class CallHarness implements AutoCloseable {

    /** Tracks the session's threads, so each frame is fed once they settled. */
    public final ThreadTracker threads = new ThreadTracker();
    /** The call. */
    public final RecordingCallTransport transport = new RecordingCallTransport(threads);
    /** Every event. */
    public final RecordingObserver observer = new RecordingObserver();
    /** Speech-to-text. */
    public final ScriptedTranscriber transcriber;
    /** The LLM. */
    public final ScriptedResponder responder;
    /** The primary TTS. */
    public final ScriptedSynthesizer synthesizer;
    /** The persona. */
    public final Persona persona = Persona.syntheticJason();
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private Engine engine;
    private CallHandle call;

    /** A harness with these fakes. */
    public CallHarness(ScriptedTranscriber transcriber, ScriptedResponder responder, ScriptedSynthesizer synthesizer) {
        this.transcriber = transcriber;
        this.responder = responder;
        this.synthesizer = synthesizer;
    }

    /** A harness with empty scripts and a synthesizer that speaks anything. */
    public CallHarness() {
        this(new ScriptedTranscriber(), new ScriptedResponder(), new ScriptedSynthesizer());
    }

    /** An engine builder with the fakes, the tracker, the fake clocks and {@code settings}. */
    public Engine.Builder engineBuilder(CallSettings settings) {
        return Engine.builder()
                .transcriber(transcriber)
                .responder(responder)
                .synthesizer(synthesizer)
                .persona(persona)
                .settings(settings)
                .observer(observer)
                .clock(InstantSource.fixed(Instant.parse("2026-11-24T10:00:00Z")))
                .nanoTime(() -> nanos.addAndGet(1_000_000))
                .threadFactory(threads);
    }

    /** Builds the engine from {@code builder}, starts a call and connects it. */
    public CallHandle start(Engine.Builder builder) {
        engine = builder.build();
        call = engine.startCall(transport);
        transport.connect("CA-test");
        return call;
    }

    /** Starts a call with {@code settings} and default wiring. */
    public CallHandle start(CallSettings settings) {
        return start(engineBuilder(settings));
    }

    /** Moves the fake monotonic clock on, as if {@code duration} of wall-clock time had passed. */
    public void advanceNanoTime(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    /** The engine. */
    public Engine engine() {
        return engine;
    }

    /** The call. */
    public CallHandle call() {
        return call;
    }

    /** Feeds quiet line until the call is in {@code state}; fails if it takes longer than {@code max}. */
    public void silenceUntil(CallState state, Duration max) {
        if (!transport.feedSilenceUntil(() -> call.state() == state, max)) {
            throw new AssertionError("call did not reach " + state + " within " + max + " of audio; it is "
                    + call.state() + "; events " + observer.events());
        }
    }

    /** Lets the greeting play out. */
    public void greeted() {
        silenceUntil(CallState.LISTENING, Duration.ofSeconds(30));
    }

    /** The caller talks for {@code millis}, then is quiet for the end-of-turn silence plus a frame. */
    public void says(long millis, CallSettings settings) {
        transport.feedPcm(TestAudio.voice(millis));
        transport.feedSilence(settings.endOfTurnSilence().plusMillis(40));
    }

    /** The events of one type. */
    public <E extends CallEvent> List<E> events(Class<E> type) {
        return observer.events(type);
    }

    /** An observer that also forwards to the harness's recorder; for tests that add their own. */
    public CallObserver observer() {
        return observer;
    }

    /** Hangs up a call still running and shuts the engine down. */
    @Override
    public void close() {
        if (call != null && !call.isEnded()) {
            call.hangUp("test over");
        }
        if (engine != null) {
            try {
                engine.shutdown(Duration.ZERO);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while shutting the engine down", e);
            }
        }
    }
}
