package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.testkit.cli.HotlineLauncher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** How the bench reads the child hotline's JSON log: turns with their timings, and warnings. */
class ChildProcessHotlineTest {

    private final List<HotlineLauncher.EngineTurn> turns = new ArrayList<>();
    private final AtomicLong warnings = new AtomicLong();

    @Test
    void givenATurnLine_whenRead_thenItsStreamNumberAndStageTimingsAreReported() {
        ChildProcessHotline.onLogLine("{\"message\":\"turn 3 done: voice-to-voice 1696 ms (transcript 1021, first text"
                + " 1434, first sentence 1491, first audio 1695, sent 1696; speech ended at 12340 ms of call audio)"
                + " (interrupted)\",\"level\":\"INFO\","
                + "\"streamSid\":\"MZ1\",\"callSid\":\"CA1\"}", turns::add, warnings);

        assertThat(turns).containsExactly(new HotlineLauncher.EngineTurn("MZ1", 3, Optional.of(Duration.ofMillis(1021)),
                Optional.of(Duration.ofMillis(1491)), Optional.of(Duration.ofMillis(1695)),
                Optional.of(Duration.ofMillis(1696)), Optional.of(Duration.ofMillis(12_340)), true));
        assertThat(warnings).hasValue(0);
    }

    @Test
    void givenATurnWhoseStagesDidNotHappen_whenRead_thenTheyAreEmpty() {
        ChildProcessHotline.onLogLine("{\"message\":\"turn 1 done: voice-to-voice - ms (transcript 900, first text -,"
                + " first sentence -, first audio -, sent -; speech ended at - ms of call audio)\",\"level\":\"INFO\","
                + "\"streamSid\":\"MZ2\"}", turns::add,
                warnings);

        assertThat(turns).singleElement().satisfies(turn -> {
            assertThat(turn.transcriptReady()).contains(Duration.ofMillis(900));
            assertThat(turn.firstAudioSent()).isEmpty();
            assertThat(turn.speechEndAudio()).isEmpty();
            assertThat(turn.interrupted()).isFalse();
        });
    }

    @Test
    void givenWarningsOtherLinesAndGarbage_whenRead_thenOnlyWarningsAndErrorsAreCountedAndNothingFails() {
        ChildProcessHotline.onLogLine("{\"message\":\"tts failed: 429\",\"level\":\"WARN\"}", turns::add, warnings);
        ChildProcessHotline.onLogLine("{\"message\":\"boom\",\"level\":\"ERROR\"}", turns::add, warnings);
        ChildProcessHotline.onLogLine("{\"message\":\"call started\",\"level\":\"INFO\"}", turns::add, warnings);
        ChildProcessHotline.onLogLine("{not json", turns::add, warnings);

        assertThat(warnings).hasValue(2);
        assertThat(turns).isEmpty();
    }

    @Test
    void givenGcLogLines_whenRead_thenPausesWithTheHeapAfterThemAreReportedAndOtherLinesIgnored() {
        assertThat(ChildProcessHotline.onGcLine("[3.104s][info][gc] GC(7) Pause Young (Normal) (G1 Evacuation Pause)"
                + " 61M->12M(256M) 4.512ms", 42L)).contains(new HotlineLauncher.GcPause(42L, 12L << 20,
                        Duration.ofNanos(4_512_000)));
        assertThat(ChildProcessHotline.onGcLine("[9.000s][info][gc] GC(9) Pause Remark 30M->29M(256M) 1.250ms", 1L))
                .map(HotlineLauncher.GcPause::heapAfterBytes).contains(29L << 20);
        assertThat(ChildProcessHotline.onGcLine("[0.006s][info][gc] Using G1", 1L)).isEmpty();
        assertThat(ChildProcessHotline.onGcLine("  Hotline          listening on port 8080", 1L)).isEmpty();
    }
}
