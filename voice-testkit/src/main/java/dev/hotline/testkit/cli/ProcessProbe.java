package dev.hotline.testkit.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * CPU and memory of another process on this machine, for {@code hotline bench --target process}: CPU from the
 * operating system, resident memory from {@code /proc} (Linux), and the used Java heap after a full collection
 * through {@code jcmd} beside the running {@code java}. Every probe answers -1 when it cannot tell (another
 * operating system, a JRE without {@code jcmd}, the process gone) rather than failing the bench. Stateless.
 */
final class ProcessProbe {

    private static final Pattern RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB", Pattern.MULTILINE);
    /**
     * A heap's or generation's line in {@code GC.heap_info}, at the start of a line (the indented lines below it are
     * its spaces, and Metaspace): {@code garbage-first heap   total reserved 262144K, committed 262144K, used 2190K}
     * (G1), {@code DefNew ... used 5596K} and {@code Tenured ... used 1166K} (Serial), {@code PSYoungGen} and
     * {@code ParOldGen} (Parallel), {@code ZHeap            used 4M, capacity 256M} (ZGC). Seen on JDK 25.
     */
    private static final Pattern USED = Pattern.compile("(?m)^\\S.*?\\bused (\\d+)([KMG])");
    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(20);
    private static final Pattern CPU_LINE = Pattern.compile("(?m)^cpu ([\\d ]+)$");
    private static final Pattern SYSCR = Pattern.compile("(?m)^syscr:\\s+(\\d+)$");
    private static final Pattern SYSCW = Pattern.compile("(?m)^syscw:\\s+(\\d+)$");
    private static final Pattern SWITCHES =
            Pattern.compile("(?m)^(voluntary|nonvoluntary)_ctxt_switches:\\s+(\\d+)$");

    private ProcessProbe() {
    }

    /** CPU time the process used so far, in nanoseconds, or -1. */
    static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /** Resident set size in bytes, or -1. */
    static long residentBytes(ProcessHandle process) {
        try {
            Matcher m = RSS.matcher(Files.readString(Path.of("/proc", Long.toString(process.pid()), "status")));
            return m.find() ? Long.parseLong(m.group(1)) * 1024 : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * The whole machine's CPU time so far, in clock ticks, from the first line of {@code /proc/stat} (Linux):
     * busy (user, nice, system, irq, softirq), idle (idle, iowait) and stolen (time a virtual machine's
     * hypervisor ran something else while this machine had work).
     */
    record MachineCpu(long busy, long idle, long steal) {

        /** Ticks of every kind. */
        long total() {
            return busy + idle + steal;
        }
    }

    /** The machine's CPU time so far, or {@code null} when {@code /proc/stat} cannot be read or parsed. */
    static MachineCpu machineCpu() {
        try {
            return parseMachineCpu(Files.readString(Path.of("/proc/stat")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The aggregate {@code cpu} line of {@code /proc/stat} text ({@code cpu  user nice system idle iowait irq softirq
     * steal guest guest_nice}; guest time is inside user already), or {@code null} if there is none. Kernels before
     * 2.6.11 have no steal field: it counts as zero.
     */
    static MachineCpu parseMachineCpu(String procStat) {
        Matcher m = CPU_LINE.matcher(procStat);
        if (!m.find()) {
            return null;
        }
        String[] f = m.group(1).trim().split("\\s+");
        if (f.length < 7) {
            return null;
        }
        long[] v = new long[Math.min(f.length, 8)];
        for (int i = 0; i < v.length; i++) {
            v[i] = Long.parseLong(f[i]);
        }
        return new MachineCpu(v[0] + v[1] + v[2] + v[5] + v[6], v[3] + v[4], v.length > 7 ? v[7] : 0);
    }

    /**
     * How busy a process kept the kernel so far: its read-class and write-class system calls (every thread, the
     * ones that ended too: {@code /proc/PID/io}) and its context switches (summed over the threads alive now:
     * {@code /proc/PID/task/TID/status}). Unlike CPU time these do not depend on how fast the machine runs
     * or how much of it a hypervisor takes, so two builds compare on a noisy machine.
     */
    record KernelActivity(long readCalls, long writeCalls, long voluntarySwitches, long involuntarySwitches) {
    }

    /** The process's kernel activity so far, or {@code null} when {@code /proc} cannot tell (not Linux, gone). */
    static KernelActivity kernelActivity(ProcessHandle process) {
        Path proc = Path.of("/proc", Long.toString(process.pid()));
        try (java.util.stream.Stream<Path> tasks = Files.list(proc.resolve("task"))) {
            long[] switches = new long[2];
            tasks.forEach(task -> {
                try {
                    long[] one = parseSwitches(Files.readString(task.resolve("status")));
                    switches[0] += one[0];
                    switches[1] += one[1];
                } catch (IOException e) {
                    // the thread ended between the listing and the read: its switches are lost, as documented
                }
            });
            long[] calls = parseSystemCalls(Files.readString(proc.resolve("io")));
            return calls == null ? null : new KernelActivity(calls[0], calls[1], switches[0], switches[1]);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** {@code syscr} and {@code syscw} of {@code /proc/PID/io} text, or {@code null} if either is missing. */
    static long[] parseSystemCalls(String procIo) {
        Matcher r = SYSCR.matcher(procIo);
        Matcher w = SYSCW.matcher(procIo);
        return r.find() && w.find() ? new long[] {Long.parseLong(r.group(1)), Long.parseLong(w.group(1))} : null;
    }

    /** Voluntary and involuntary context switches of a {@code /proc/PID/task/TID/status} text (0 when missing). */
    static long[] parseSwitches(String taskStatus) {
        long[] switches = new long[2];
        Matcher m = SWITCHES.matcher(taskStatus);
        while (m.find()) {
            switches[m.group(1).equals("voluntary") ? 0 : 1] = Long.parseLong(m.group(2));
        }
        return switches;
    }

    /** Used heap in bytes right after a full collection the probe requests, or -1. */
    static long heapAfterGc(ProcessHandle process) {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        if (!Files.isExecutable(jcmd)) {
            return -1;
        }
        String pid = Long.toString(process.pid());
        if (run(jcmd, pid, "GC.run") == null) {
            return -1;
        }
        String info = run(jcmd, pid, "GC.heap_info");
        return info == null ? -1 : usedBytes(info);
    }

    /**
     * The heap in use that {@code jcmd PID GC.heap_info} printed, in bytes (its generations' lines added up), or -1 if
     * the text names none.
     */
    static long usedBytes(String heapInfo) {
        Matcher m = USED.matcher(heapInfo);
        long used = 0;
        boolean found = false;
        while (m.find()) {
            int shift = switch (m.group(2)) {
                case "K" -> 10;
                case "M" -> 20;
                default -> 30;
            };
            used += Long.parseLong(m.group(1)) << shift;
            found = true;
        }
        return found ? used : -1;
    }

    private static String run(Path jcmd, String pid, String command) {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), pid, command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(JCMD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return p.exitValue() == 0 ? new String(output, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
