package dev.hotline.bench;

import dev.hotline.core.CallHandle;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.Engine;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One call on instant providers, driven turn after turn from one thread: the caller speaks, the turn is
 * detected, the reply's first audio is awaited, the reply is played out. Shared by the JMH benchmark and
 * the CPU-time measurement.
 */
final class TurnDriver implements AutoCloseable {

    /** Frames of silence fed before a turn: one short of the 700 ms end-of-turn silence. */
    private static final int SILENCE_FRAMES_BEFORE = 34;
    private static final int SPEECH_FRAMES = 15;
    /** How long the driver parks between checks while the reply plays out, so it does not burn a CPU. */
    private static final long POLL_NANOS = 20_000;

    private final Engine engine;
    private final BenchTransport transport = new BenchTransport();
    private final CallHandle call;

    TurnDriver() {
        CallSettings settings = CallSettings.defaults().toBuilder()
                .maxExchanges(Integer.MAX_VALUE)
                .maxCallLength(Duration.ofDays(365))
                .build();
        engine = Engine.builder()
                .transcriber(new InstantProviders.Stt())
                .responder(new InstantProviders.Llm())
                .synthesizer(new InstantProviders.Tts())
                .settings(settings)
                .build();
        call = engine.startCall(transport);
        transport.connect("CA-bench");
        playUntilListening();
        for (int i = 0; i < 50; i++) {
            transport.feed(BenchTransport.SILENCE);
        }
    }

    /** The caller speaks and is silent for all but the last frame of the end-of-turn silence. */
    void callerSpeaks() {
        for (int i = 0; i < SPEECH_FRAMES; i++) {
            transport.feed(BenchTransport.LOUD);
        }
        for (int i = 0; i < SILENCE_FRAMES_BEFORE; i++) {
            transport.feed(BenchTransport.SILENCE);
        }
        transport.resetAudioFlag();
    }

    /**
     * Feeds silence until the turn is detected, then waits for the reply's first audio.
     *
     * @return nanoseconds from just before the frame that ended the turn to the moment the first reply
     *     audio reached the transport (so the driver's own wake-up is not counted)
     */
    long endOfTurnToFirstAudio() throws InterruptedException {
        long frameStart;
        do {
            frameStart = System.nanoTime();
            transport.feed(BenchTransport.SILENCE);
        } while (call.state() == CallState.LISTENING);
        transport.awaitAudio();
        return transport.firstAudioNanos() - frameStart;
    }

    /** Plays the reply out until the call listens again. */
    void playUntilListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (call.state() != CallState.LISTENING) {
            transport.playAll();
            LockSupport.parkNanos(POLL_NANOS);
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the call did not get back to listening; it is " + call.state());
            }
        }
        transport.playAll();
    }

    @Override
    public void close() throws InterruptedException {
        transport.stop();
        engine.shutdown(Duration.ZERO);
    }
}
