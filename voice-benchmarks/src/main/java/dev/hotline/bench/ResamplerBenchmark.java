package dev.hotline.bench;

import dev.hotline.audio.Resampler;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Streaming resampling, one 20 ms chunk per invocation through a long-lived {@link Resampler}
 * (never flushed, as in a call). JMH's ops/s is chunks per second, so times real time is
 * {@code ops/s * 0.02}. Target: >= 1000x real time (50,000 ops/s) on one core for 8k -> 16k and 16k -> 8k.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ResamplerBenchmark {

    /** Rate pair as "from-to" in Hz. */
    @Param({"8000-16000", "16000-8000"})
    public String rates;

    private Resampler resampler;
    private short[] chunk;

    @Setup
    public void setUp() {
        String[] pair = rates.split("-");
        int from = Integer.parseInt(pair[0]);
        int to = Integer.parseInt(pair[1]);
        resampler = new Resampler(from, to);
        chunk = new short[from / 50];
        Random random = new Random(20);
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (short) (random.nextGaussian() * 3300);
        }
    }

    @Benchmark
    public short[] stream20msChunk() {
        return resampler.process(chunk);
    }
}
