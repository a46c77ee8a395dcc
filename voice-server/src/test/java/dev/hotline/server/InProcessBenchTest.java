package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.testkit.cli.BenchCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code hotline bench} without {@code --url}: the real server, wired by {@link Bootstrap}, started in-process
 * or in a child JVM against the test kit's fake OpenAI and ElevenLabs, called by simulated Twilio callers
 * saying a real phone recording (the server's Silero VAD does not take the bench's synthetic hum for speech).
 */
class InProcessBenchTest {

    private static final String[] FAST_FAKES = {"--stt-ms", "50", "--llm-ttfb-ms", "50", "--tokens-per-second", "200",
        "--tts-ttfb-ms", "50", "--progress-s", "5"};

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
    private final BenchCommand bench = new BenchCommand(InProcessHotline::start, ChildProcessHotline::launcher);

    @Test
    void givenTheInProcessLauncher_whenBenchingTwoCalls_thenTheRealServerAnswersEveryTurnAndTimesIt(@TempDir Path dir)
            throws Exception {
        Path csv = dir.resolve("turns.csv");

        int status = bench.run(args("--calls", "2", "--duration", "20", "--warmup-s", "8", "--play", recording(),
            "--turns-csv", csv.toString()), out);

        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text).isZero();
        assertThat(text).contains("in-process hotline at ws://127.0.0.1:");
        assertThat(text).contains("calls: 2 placed, 2 completed, 0 failed");
        assertThat(text).containsPattern("turns: [1-9]\\d* answered, 0 without reply");
        assertThat(text).contains("protocol errors: 0");
        assertThat(engineTurns(text)).as(text).isPositive();
        assertThat(text).containsPattern("by stage, each minus its fake's latency: stt p50 -?\\d");
        assertThat(text).containsPattern("caller's minus engine's voice-to-voice, same turn: +p50 +-?\\d+ ms");
        // Both ends of speech on the call's audio timeline: the turn detector's end of speech is at most 200 ms
        // (its fade credit) before the caller's level threshold and at most Silero's tail (a few hundred
        // milliseconds) after it; a timeline off by a greeting or a frame count would be seconds.
        Matcher lag = Pattern.compile("the VAD's lag, in audio time: +p50 +(-?\\d+) ms").matcher(text);
        assertThat(lag.find()).as(text).isTrue();
        assertThat(Integer.parseInt(lag.group(1))).isBetween(-200, 400);
        assertThat(text).containsPattern("the rest, sockets and queues: +p50 +-?\\d+ ms");
        assertThat(text).containsPattern("engine overhead, caller's clock less the VAD's lag: +p50 +-?\\d+ ms");
        if (Files.isReadable(Path.of("/proc/stat"))) {
            assertThat(text).containsPattern("machine \\(/proc/stat\\), whole run: busy \\d+\\.\\d %, idle \\d+\\.\\d %,"
                    + " stolen \\d+\\.\\d %");
        }
        assertThat(text).containsPattern("the fakes' own lateness .*: llm first token p50 \\d+\\.\\d .*stt response p50"
                + " \\d+\\.\\d .*tts first chunk p50 \\d+\\.\\d");
        List<String> rows = Files.readAllLines(csv);
        assertThat(rows.get(0)).startsWith("stream_sid,turn,caller_voice_to_voice_ms,engine_voice_to_voice_ms,");
        assertThat(rows).hasSize(1 + engineTurns(text));
        assertThat(rows.get(1)).matches("MZ\\w+,\\d+,.*,(true|false),\\d+\\.\\d,(true|false)");
        assertThat(rows.get(0)).contains(",vad_lag_audio_ms,caller_voice_to_voice_less_vad_lag_ms,caller_underruns,interrupted,reported_s,");
        assertThat(rows.get(1).split(",", -1)).hasSameSizeAs(rows.get(0).split(","));
        // The turns split at the warm-up's end, the same in the CSV as in the summary (CommandsTest checks a
        // split with turns on both sides; here the first turns come late, after the greeting).
        int steady = afterWarmup(text);
        assertThat(steady).as(text).isLessThanOrEqualTo(engineTurns(text));
        assertThat(rows.stream().filter(row -> row.endsWith(",true")).count()).isEqualTo(steady);
        assertThat(text).contains("after the 8 s warm-up (turns that ended later):");
        assertThat(text).containsPattern("\n  turns: \\d+ answered, 0 without reply");
    }

    @Test
    void givenTheChildProcessTarget_whenBenchingTwoCalls_thenTheServerRunsInItsOwnJvmAndItsLogTimesTheTurns() {
        int status = bench.run(args("--calls", "2", "--duration", "20", "--target", "process",
            "--server-jvm", "-Xmx256m", "--play", recording()), out);

        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text).isZero();
        assertThat(text).containsPattern("hotline in child process \\d+ at ws://127.0.0.1:\\d+/voice-stream");
        assertThat(text).contains("calls: 2 placed, 2 completed, 0 failed");
        assertThat(text).containsPattern("hotline process, whole run: \\d+\\.\\d s of CPU");
        assertThat(text).containsPattern("hotline process memory: heap .*\\d+\\.\\d MB before the calls.*, RSS \\d+ MB mid-run");
        assertThat(text).containsPattern("hotline GC pauses: \\d+, \\d+ ms in all");
        assertThat(text).containsPattern("steady window \\(\\d+-\\d+ s, all 2 calls live\\): callers and fakes \\d+\\.\\d\\d cores"
                + " = \\d+\\.\\d\\d ms CPU per call-second; hotline process \\d+\\.\\d\\d cores");
        assertThat(text).contains("hotline log: 0 lines at WARN or above");
        assertThat(engineTurns(text)).as(text).isPositive();
    }

    @Test
    void givenServerJvmOptionsWithoutTheProcessTarget_whenBenching_thenTheUsageErrorSaysSo() {
        int status = bench.run(args("--calls", "1", "--duration", "1", "--server-jvm", "-Xmx256m"), out);

        assertThat(status).isEqualTo(2);
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("--server-jvm needs --target process");
    }

    /** A shared phone recording the callers say; the test is skipped without ../shared. */
    private static String recording() {
        String shared = System.getProperty("hotline.shared.dir");
        assumeTrue(shared != null, "hotline.shared.dir is not set; run through Maven");
        Path wav = Path.of(shared, "fixtures", "speech", "phone", "demo-thanks.wav");
        assumeTrue(Files.isRegularFile(wav), "no shared recordings at " + wav + " (../shared is absent)");
        return wav.toString();
    }

    private static String[] args(String... more) {
        String[] all = new String[more.length + FAST_FAKES.length];
        System.arraycopy(more, 0, all, 0, more.length);
        System.arraycopy(FAST_FAKES, 0, all, more.length, FAST_FAKES.length);
        return all;
    }

    private static int afterWarmup(String text) {
        Matcher m = Pattern.compile("after the warm-up: .*\\(n=(\\d+)\\)").matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    private static int engineTurns(String text) {
        Matcher m = Pattern.compile("engine overhead, engine's clock: .*\\(n=(\\d+)\\)").matcher(text);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }
}
