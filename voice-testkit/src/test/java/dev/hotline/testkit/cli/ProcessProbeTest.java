package dev.hotline.testkit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code jcmd PID GC.heap_info} as Temurin 25 prints it for each collector (captured on a 256 MB heap). */
class ProcessProbeTest {

    @Test
    void givenSerialHeapInfo_whenRead_thenBothGenerationsCount() {
        String info = """
                12809:
                DefNew     total 78656K, used 5596K [0x00000000f0000000, 0x00000000f5550000, 0x00000000f5550000)
                 eden space 69952K,   8% used [0x00000000f0000000, 0x00000000f05770f0, 0x00000000f4450000)
                 from space 8704K,   0% used [0x00000000f4450000, 0x00000000f4450000, 0x00000000f4cd0000)
                 to   space 8704K,   0% used [0x00000000f4cd0000, 0x00000000f4cd0000, 0x00000000f5550000)
                Tenured    total 174784K, used 1166K [0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)
                 the  space 174784K,   0% used [0x00000000f5550000, 0x00000000f5673ab8, 0x0000000100000000)
                """;

        assertThat(ProcessProbe.usedBytes(info)).isEqualTo((5596L + 1166L) * 1024);
    }

    @Test
    void givenG1HeapInfo_whenRead_thenTheHeapLineCounts() {
        String info = """
                12844:
                garbage-first heap   total reserved 262144K, committed 262144K, used 2190K [0x00000000f0000000, 0x0000000100000000)
                 region size 1024K, 1 young (1024K), 0 survivors (0K)
                 Metaspace       used 1150K, committed 1344K, reserved 1114112K
                """;

        assertThat(ProcessProbe.usedBytes(info)).isEqualTo(2190L * 1024);
    }

    @Test
    void givenParallelHeapInfo_whenRead_thenBothGenerationsCount() {
        String info = """
                12928:
                PSYoungGen      total 76288K, used 5242K [0x00000000fab00000, 0x0000000100000000, 0x0000000100000000)
                 eden space 65536K, 8% used [0x00000000fab00000,0x00000000fb01ebd0,0x00000000feb00000)
                ParOldGen       total 175104K, used 1166K [0x00000000f0000000, 0x00000000fab00000, 0x00000000fab00000)
                 object space 175104K, 0% used [0x00000000f0000000,0x00000000f0123ab8,0x00000000fab00000)
                """;

        assertThat(ProcessProbe.usedBytes(info)).isEqualTo((5242L + 1166L) * 1024);
    }

    @Test
    void givenZgcHeapInfo_whenRead_thenMegabytesCount() {
        String info = """
                12884:
                ZHeap            used 4M, capacity 256M, max capacity 256M
                 Cache           252M (1)
                  size classes   128M (1)
                """;

        assertThat(ProcessProbe.usedBytes(info)).isEqualTo(4L * 1024 * 1024);
    }

    @Test
    void givenTextWithoutAHeapLine_whenRead_thenUnknown() {
        assertThat(ProcessProbe.usedBytes("12884:\nGC.heap_info is not available\n")).isEqualTo(-1);
    }
}
