package dev.hotline.bench;

import dev.hotline.audio.G711;
import dev.hotline.audio.Resampler;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;
import java.util.Random;

/**
 * The same work as {@link G711Benchmark} and {@link ResamplerBenchmark}, timed by the thread's CPU
 * time instead of the wall clock, so it estimates one core's throughput on a machine shared with
 * other jobs (where JMH's wall-clock scores drop with the load). It does not replace JMH: no forking,
 * no blackholes beyond a checksum, and cache sharing with other jobs still slows it. Run:
 * {@code java -cp voice-benchmarks/target/benchmarks.jar dev.hotline.bench.CpuTimeThroughput}.
 * Prints the best of five rounds, each after the same work as warm-up.
 */
public final class CpuTimeThroughput {

    private static final int ROUNDS = 5;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private CpuTimeThroughput() {
    }

    /** Runs every measurement and prints one line each. */
    public static void main(String[] args) {
        Random random = new Random(711);
        short[] linear = new short[G711Benchmark.SAMPLES];
        for (int i = 0; i < linear.length; i++) {
            linear[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, random.nextGaussian() * 3300));
        }
        byte[] ulaw = G711.linearToUlaw(linear);
        byte[] alaw = G711.linearToAlaw(linear);
        byte[] codes = new byte[linear.length];
        short[] decoded = new short[linear.length];
        int repeats = 20_000;
        long checksum = 0;

        checksum += samplesPerSecond("mu-law encode", repeats, () -> G711.linearToUlaw(linear, 0, codes, 0, codes.length));
        checksum += samplesPerSecond("mu-law decode", repeats, () -> G711.ulawToLinear(ulaw, 0, decoded, 0, decoded.length));
        checksum += samplesPerSecond("A-law encode", repeats, () -> G711.linearToAlaw(linear, 0, codes, 0, codes.length));
        checksum += samplesPerSecond("A-law decode", repeats, () -> G711.alawToLinear(alaw, 0, decoded, 0, decoded.length));
        checksum += codes[7] + decoded[7];

        for (int[] rates : new int[][] {{8000, 16_000}, {16_000, 8000}}) {
            Resampler resampler = new Resampler(rates[0], rates[1]);
            short[] chunk = new short[rates[0] / 50];
            System.arraycopy(linear, 0, chunk, 0, chunk.length);
            int chunks = 50_000;
            double best = 0;
            for (int round = 0; round < 2 * ROUNDS; round++) {
                long start = THREADS.getCurrentThreadCpuTime();
                for (int i = 0; i < chunks; i++) {
                    checksum += resampler.process(chunk).length;
                }
                double seconds = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
                if (round >= ROUNDS) {
                    best = Math.max(best, chunks * 0.020 / seconds);
                }
            }
            System.out.printf(Locale.ROOT, "resample %d -> %d Hz, 20 ms chunks: %.0fx real time per CPU-second%n",
                    rates[0], rates[1], best);
        }
        System.out.println("checksum " + checksum);
    }

    private static long samplesPerSecond(String name, int repeats, Runnable work) {
        double best = 0;
        for (int round = 0; round < 2 * ROUNDS; round++) {
            long start = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < repeats; i++) {
                work.run();
            }
            double seconds = (THREADS.getCurrentThreadCpuTime() - start) / 1e9;
            if (round >= ROUNDS) {
                best = Math.max(best, (double) repeats * G711Benchmark.SAMPLES / seconds);
            }
        }
        System.out.printf(Locale.ROOT, "%s: %.0f M samples per CPU-second%n", name, best / 1e6);
        return (long) best;
    }
}
