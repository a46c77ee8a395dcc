package dev.hotline.bench;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;

/**
 * The engine's CPU cost per turn, which other jobs on a shared machine cannot inflate: the process's CPU
 * time over many whole turns (caller speech, turn detection, STT, reply, chunking, synthesis, pacing,
 * playing out, on instant providers), divided by the turns. Also prints the wall-clock latency from the
 * end-of-turn frame to the moment the first reply audio reached the transport, per turn (unlike the JMH
 * benchmark, this leaves out the measuring thread's own wake-up). Not JMH; run with
 * {@code java -cp voice-benchmarks/target/benchmarks.jar dev.hotline.bench.TurnCpuCost [turns]}.
 */
public final class TurnCpuCost {

    private TurnCpuCost() {
    }

    public static void main(String[] args) throws Exception {
        int turns = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (TurnDriver driver = new TurnDriver()) {
            for (int i = 0; i < turns; i++) {
                turn(driver);
            }
            long[] latencies = new long[turns];
            long cpuBefore = os.getProcessCpuTime();
            for (int i = 0; i < turns; i++) {
                latencies[i] = turn(driver);
            }
            long cpu = os.getProcessCpuTime() - cpuBefore;
            Arrays.sort(latencies);
            System.out.printf("turns: %d after %d warm-up turns%n", turns, turns);
            System.out.printf("process CPU per whole turn: %.1f us%n", cpu / 1e3 / turns);
            System.out.printf("end of turn -> first audio sent (wall clock): p50 %.1f us, p90 %.1f us, "
                    + "p99 %.1f us, max %.1f us%n", pct(latencies, 0.50), pct(latencies, 0.90), pct(latencies, 0.99),
                    latencies[turns - 1] / 1e3);
        }
    }

    private static long turn(TurnDriver driver) throws InterruptedException {
        driver.callerSpeaks();
        long latency = driver.endOfTurnToFirstAudio();
        driver.playUntilListening();
        return latency;
    }

    private static double pct(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e3;
    }
}
