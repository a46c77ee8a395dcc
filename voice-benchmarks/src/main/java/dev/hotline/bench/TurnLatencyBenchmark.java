package dev.hotline.bench;

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
 * <p>Each invocation feeds silent frames until the turn is detected and waits (parked) until the first reply
 * audio is sent; setup feeds the caller's speech and most of the silence, teardown plays the reply out.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TurnLatencyBenchmark {

    private TurnDriver driver;

    @Setup(Level.Trial)
    public void startCall() {
        driver = new TurnDriver();
    }

    @Setup(Level.Invocation)
    public void callerSpeaks() {
        driver.callerSpeaks();
    }

    @Benchmark
    public long endOfTurnToFirstAudio() throws InterruptedException {
        return driver.endOfTurnToFirstAudio();
    }

    @TearDown(Level.Invocation)
    public void replyPlaysOut() {
        driver.playUntilListening();
    }

    @TearDown(Level.Trial)
    public void endCall() throws InterruptedException {
        driver.close();
    }
}
