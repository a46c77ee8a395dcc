package dev.hotline.testkit.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code jcmd PID GC.heap_info} as Temurin 25 prints it for each collector (captured on a 256 MB heap), and the
 * {@code /proc} files the bench reads.
 */
class ProcessProbeTest {

    static Stream<Arguments> heapInfoByCollector() {
        return Stream.of(
                Arguments.of("Serial: both generations", """
                        12809:
                        DefNew     total 78656K, used 5596K [0x00000000f0000000, 0x00000000f5550000, 0x00000000f5550000)
                         eden space 69952K,   8% used [0x00000000f0000000, 0x00000000f05770f0, 0x00000000f4450000)
                         from space 8704K,   0% used [0x00000000f4450000, 0x00000000f4450000, 0x00000000f4cd0000)
                         to   space 8704K,   0% used [0x00000000f4cd0000, 0x00000000f4cd0000, 0x00000000f5550000)
                        Tenured    total 174784K, used 1166K [0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)
                         the  space 174784K,   0% used [0x00000000f5550000, 0x00000000f5673ab8, 0x0000000100000000)
                        """, (5596L + 1166L) * 1024),
                Arguments.of("G1: the heap line, not Metaspace", """
                        12844:
                        garbage-first heap   total reserved 262144K, committed 262144K, used 2190K [0x00000000f0000000, 0x0000000100000000)
                         region size 1024K, 1 young (1024K), 0 survivors (0K)
                         Metaspace       used 1150K, committed 1344K, reserved 1114112K
                        """, 2190L * 1024),
                Arguments.of("Parallel: both generations", """
                        12928:
                        PSYoungGen      total 76288K, used 5242K [0x00000000fab00000, 0x0000000100000000, 0x0000000100000000)
                         eden space 65536K, 8% used [0x00000000fab00000,0x00000000fb01ebd0,0x00000000feb00000)
                        ParOldGen       total 175104K, used 1166K [0x00000000f0000000, 0x00000000fab00000, 0x00000000fab00000)
                         object space 175104K, 0% used [0x00000000f0000000,0x00000000f0123ab8,0x00000000fab00000)
                        """, (5242L + 1166L) * 1024),
                Arguments.of("ZGC: megabytes", """
                        12884:
                        ZHeap            used 4M, capacity 256M, max capacity 256M
                         Cache           252M (1)
                          size classes   128M (1)
                        """, 4L * 1024 * 1024));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("heapInfoByCollector")
    void givenHeapInfo_whenRead_thenEveryHeapOrGenerationLineCounts(String collector, String info, long usedBytes) {
        assertThat(ProcessProbe.usedBytes(info)).isEqualTo(usedBytes);
    }

    @Test
    void givenProcStat_whenRead_thenTheAggregateLineIsSplitIntoBusyIdleAndStolen() {
        // A 2-vCPU guest's /proc/stat (Linux 6.1), the per-CPU lines after the aggregate one.
        String stat = """
                cpu  76668 12 17537 219836 212 3 1400 1867 0 0
                cpu0 38001 6 8800 109900 100 1 700 930 0 0
                cpu1 38667 6 8737 109936 112 2 700 937 0 0
                intr 1234 0 0
                ctxt 99
                """;

        ProcessProbe.MachineCpu cpu = ProcessProbe.parseMachineCpu(stat);

        assertThat(cpu).isEqualTo(new ProcessProbe.MachineCpu(76668 + 12 + 17537 + 3 + 1400, 219836 + 212, 1867));
        assertThat(cpu.total()).isEqualTo(76668 + 12 + 17537 + 219836 + 212 + 3 + 1400 + 1867);
    }

    @Test
    void givenTwoReadings_whenShared_thenEachKindIsItsPartOfTheTicksBetween() {
        ProcessProbe.MachineCpu from = new ProcessProbe.MachineCpu(100, 300, 5);
        ProcessProbe.MachineCpu to = new ProcessProbe.MachineCpu(160, 330, 15);

        assertThat(BenchCommand.machineShares(from, to)).isEqualTo("busy 60.0 %, idle 30.0 %, stolen 10.0 %");
        assertThat(BenchCommand.machineShares(from, null)).isNull();
        assertThat(BenchCommand.machineShares(to, to)).as("no time between the readings").isNull();
    }

    @Test
    void givenProcIo_whenRead_thenTheSystemCallCountsAreTaken() {
        // /proc/PID/io of a JVM (Linux 6.1).
        String io = """
                rchar: 91234567
                wchar: 45678901
                syscr: 1203344
                syscw: 455321
                read_bytes: 0
                write_bytes: 4096
                cancelled_write_bytes: 0
                """;

        assertThat(ProcessProbe.parseSystemCalls(io)).containsExactly(1_203_344L, 455_321L);
        assertThat(ProcessProbe.parseSystemCalls("rchar: 1\nsyscr: 5\n")).as("no syscw").isNull();
    }

    @Test
    void givenTaskStatus_whenRead_thenBothKindsOfSwitchAreTaken() {
        String status = """
                Name:\tForkJoinPool-1-w
                State:\tS (sleeping)
                voluntary_ctxt_switches:\t18213
                nonvoluntary_ctxt_switches:\t944
                """;

        assertThat(ProcessProbe.parseSwitches(status)).containsExactly(18_213L, 944L);
        assertThat(ProcessProbe.parseSwitches("Name:\tx\n")).containsExactly(0L, 0L);
    }

    @Test
    void givenThisProcess_whenProbed_thenItsOwnSystemCallsAndSwitchesAreCounted() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/io")), "no /proc/self/io: not Linux");
        ProcessProbe.KernelActivity before = ProcessProbe.kernelActivity(ProcessHandle.current());
        Path file = Files.createTempFile("probe", ".txt");
        try {
            for (int i = 0; i < 50; i++) {
                Files.writeString(file, "x" + i);
                Thread.sleep(1);
            }
        } finally {
            Files.delete(file);
        }
        ProcessProbe.KernelActivity after = ProcessProbe.kernelActivity(ProcessHandle.current());

        assertThat(before).isNotNull();
        assertThat(after.writeCalls() - before.writeCalls()).as("50 writes").isGreaterThanOrEqualTo(50);
        assertThat(after.voluntarySwitches() - before.voluntarySwitches()).as("50 sleeps")
                .isGreaterThanOrEqualTo(50);
    }

    @Test
    void givenTwoKernelReadings_whenRated_thenEachCountIsPerCallSecond() {
        ProcessProbe.KernelActivity from = new ProcessProbe.KernelActivity(1000, 500, 300, 10);
        ProcessProbe.KernelActivity to = new ProcessProbe.KernelActivity(3000, 1500, 1300, 30);

        assertThat(BenchCommand.kernelRates(from, to, 10)).isEqualTo(
                "200.0 read and 100.0 write system calls, 102.0 context switches (100.0 voluntary)");
        assertThat(BenchCommand.kernelRates(null, to, 10)).isNull();
    }

    @Test
    void givenProcStatWithoutTheAggregateLine_whenRead_thenUnknown() {
        assertThat(ProcessProbe.parseMachineCpu("cpu0 1 2 3 4 5 6 7 8\nintr 1\n")).isNull();
        assertThat(ProcessProbe.parseMachineCpu("cpu  1 2 3\n")).as("too few fields").isNull();
    }

    @Test
    void givenTextWithoutAHeapLine_whenRead_thenUnknown() {
        assertThat(ProcessProbe.usedBytes("12884:\nGC.heap_info is not available\n")).isEqualTo(-1);
    }
}
