package dev.hotline.bench;

import dev.hotline.core.CallHandle;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.Engine;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The engine's own cost per turn: from the inbound frame that completes the caller's end-of-turn silence
 * to the first reply audio handed to the transport, with providers that answer at once. This is the
 * voice-to-voice latency minus the end-of-turn wait and minus provider time (the instant fakes' own few
 * microseconds are included, so it is an upper bound). Target: p99 &lt;= 2 ms.
 *
 * <p>Each invocation feeds silent frames until the turn is detected and spins until the first reply audio
 * is sent; setup feeds the caller's speech and most of the silence, teardown plays the reply out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TurnLatencyBenchmark {

    /** Frames of silence the setup feeds: one short of the 700 ms end-of-turn silence. */
    private static final int SILENCE_FRAMES_BEFORE = 34;
    private static final int SPEECH_FRAMES = 15;

    private Engine engine;
    private BenchTransport transport;
    private CallHandle call;

    @Setup(Level.Trial)
    public void startCall() {
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
        transport = new BenchTransport();
        call = engine.startCall(transport);
        transport.connect("CA-bench");
        playUntilListening();
        for (int i = 0; i < 50; i++) {
            transport.feed(BenchTransport.SILENCE);
        }
    }

    @Setup(Level.Invocation)
    public void callerSpeaks() {
        for (int i = 0; i < SPEECH_FRAMES; i++) {
            transport.feed(BenchTransport.LOUD);
        }
        for (int i = 0; i < SILENCE_FRAMES_BEFORE; i++) {
            transport.feed(BenchTransport.SILENCE);
        }
        transport.resetAudioFlag();
    }

    @Benchmark
    public boolean endOfTurnToFirstAudio() throws InterruptedException {
        while (call.state() == CallState.LISTENING) {
            transport.feed(BenchTransport.SILENCE);
        }
        transport.awaitAudio();
        return true;
    }

    @TearDown(Level.Invocation)
    public void replyPlaysOut() {
        playUntilListening();
    }

    @TearDown(Level.Trial)
    public void endCall() throws InterruptedException {
        transport.stop();
        engine.shutdown(Duration.ZERO);
    }

    private void playUntilListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (call.state() != CallState.LISTENING) {
            transport.playAll();
            Thread.onSpinWait();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the call did not get back to listening; it is " + call.state());
            }
        }
        transport.playAll();
    }
}
