package dev.hotline.testkit.cli;

import static dev.hotline.testkit.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.audio.AudioClip;
import dev.hotline.audio.Wav;
import dev.hotline.testkit.elevenlabs.FakeElevenLabsServer;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import dev.hotline.testkit.twilio.ScriptedHotline;
import dev.hotline.audio.G711;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandsTest {

    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

    private String printed() {
        return printed.toString(StandardCharsets.UTF_8);
    }

    @Test
    void givenTwoWavFiles_whenCalling_thenEachTurnIsPrintedAndTheHeardAudioIsRecorded(@TempDir Path dir) throws Exception {
        Path first = fixture("speech/phone/demo-thanks.wav");
        Path second = fixture("speech/phone/vm-msgsaved.wav");
        Path heard = dir.resolve("heard.wav");
        try (LoopbackHotline hotline = new LoopbackHotline(null, null)) {
            int status = new CallCommand().run(new String[] {hotline.mediaStreamUrl().toString(), "--play", first.toString(),
                "--play", second.toString(), "--record", heard.toString(), "--pause-ms", "300",
                "--greeting-timeout-s", "0", "--reply-timeout-s", "3", "--param", "FirstName=Jane"}, out);

            assertThat(status).as(printed()).isZero();
        }
        assertThat(printed()).containsPattern("turn 1  demo-thanks.wav +voice-to-voice +\\d+ ms  heard +\\d\\.\\d\\d s");
        assertThat(printed()).containsPattern("turn 2  vm-msgsaved.wav +voice-to-voice +\\d+ ms");
        assertThat(printed()).containsPattern("marks echoed [2-9]").contains("ended: hung up");
        AudioClip clip = Wav.read(heard);
        assertThat(clip.duration()).isGreaterThan(Duration.ofSeconds(3));
    }

    @Test
    void givenABadCommandLine_whenCalling_thenUsageIsPrintedWithStatusTwo() {
        assertThat(new CallCommand().run(new String[] {"http://nope", "--play", "x.wav"}, out)).isEqualTo(2);
        assertThat(new CallCommand().run(new String[] {"ws://127.0.0.1:1/x", "--bogus", "1"}, out)).isEqualTo(2);
        assertThat(printed()).contains("unknown option --bogus").contains(CallCommand.USAGE);
    }

    @Test
    void givenAMissingWav_whenCalling_thenStatusOneNamesTheFile() {
        assertThat(new CallCommand().run(new String[] {"ws://127.0.0.1:1/x", "--play", "/no/such.wav"}, out)).isEqualTo(1);
        assertThat(printed()).contains("/no/such.wav");
    }

    @Test
    void givenATargetUrl_whenBenching_thenProgressAndPercentilesArePrinted() {
        try (LoopbackHotline hotline = new LoopbackHotline(null, null)) {
            int status = new BenchCommand(null).run(new String[] {"--calls", "3", "--duration", "5", "--url",
                hotline.mediaStreamUrl().toString(), "--budget-ms", "200", "--progress-s", "1", "--pause-ms", "300"}, out);

            assertThat(status).as(printed()).isZero();
        }
        assertThat(printed()).containsPattern("\\[ +\\d+s\\] calls live \\d/3");
        assertThat(printed()).contains("calls: 3 placed, 3 completed, 0 failed");
        assertThat(printed()).containsPattern("voice-to-voice: +p50 +\\d+ ms +p90 +\\d+ ms +p99 +\\d+ ms +max +\\d+ ms");
        assertThat(printed()).contains("engine overhead:").contains("underruns: 0 in 0 turns");
        assertThat(printed()).contains("cpu and heap are this process's");
    }

    @Test
    void givenRepliesWithAHole_whenBenching_thenEachTurnWithUnderrunsIsListedWithWhereTheGapBegan() {
        short[] pcm = new short[1_600]; // 200 ms at 8 kHz
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (8_000 * Math.sin(2 * Math.PI * 300 * i / 8_000.0));
        }
        byte[] reply = G711.linearToUlaw(pcm);
        // Per stream: frames of silence since the caller last spoke (-1 before it first spoke).
        Map<String, AtomicInteger> silent = new ConcurrentHashMap<>();
        try (ScriptedHotline hotline = new ScriptedHotline((message, ws) -> {
            if (!message.path("event").asText().equals("media")) {
                return;
            }
            AtomicInteger quiet = silent.computeIfAbsent(message.path("streamSid").asText(), sid -> new AtomicInteger(-1));
            if (ScriptedHotline.isSpeech(message)) {
                quiet.set(0);
            } else if (quiet.get() >= 0) {
                int n = quiet.incrementAndGet();
                if (n == 3 || n == 3 + 20) {
                    // 200 ms of reply, then 200 ms later another 200 ms: the caller runs dry in between.
                    ws.send(ScriptedHotline.media(message.path("streamSid").asText(), reply));
                }
            }
        })) {
            int status = new BenchCommand(null).run(new String[] {"--calls", "1", "--duration", "8", "--url",
                hotline.url().toString(), "--budget-ms", "100", "--progress-s", "10", "--pause-ms", "600"}, out);

            assertThat(status).as(printed()).isZero();
        }
        Matcher listed = Pattern.compile("underrun: turn reported at [\\d.]+ s of MZ\\w+, its turn (\\d+) of (\\d+)[^:]*: "
                + "gaps 1, (\\d+) ms in all, the first (\\d+) ms after the caller's speech ended; 400 ms of reply heard")
                .matcher(printed());
        assertThat(listed.find()).as(printed()).isTrue();
        assertThat(Integer.parseInt(listed.group(3))).as("the hole, plus the stand-in's reaction").isBetween(100, 600);
        assertThat(Integer.parseInt(listed.group(4))).as("after the first 200 ms of reply").isBetween(200, 800);
    }

    @Test
    void givenALauncher_whenBenchingWithoutUrl_thenFakeProvidersServeTheHotlineAndTheBudgetIsTheirs() {
        List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        HotlineLauncher launcher = (openAi, elevenLabs, turns) -> {
            seen.add(openAi.baseUrl());
            return new LoopbackHotline(openAi.baseUrl(), elevenLabs.baseUrl());
        };

        int status = new BenchCommand(launcher).run(new String[] {"--calls", "2", "--duration", "7", "--stt-ms", "50",
            "--llm-ttfb-ms", "0", "--tokens-per-second", "100", "--tts-ttfb-ms", "50", "--pause-ms", "300"}, out);

        assertThat(status).as(printed()).isZero();
        assertThat(seen).hasSize(1);
        assertThat(printed()).contains("in-process hotline at ws://127.0.0.1:");
        assertThat(printed()).contains("budget 430 ms = end-of-turn 300 + stt 50 + llm first sentence 30 + tts first byte 50");
        assertThat(printed()).contains("calls: 2 placed, 2 completed, 0 failed");
        assertThat(printed()).containsPattern("turns: [1-9]\\d* answered");
        assertThat(printed()).contains("cpu and heap include the hotline");
    }

    @Test
    void givenAHotlineWithAnEarlyTranscript_whenBenching_thenOnlyTheTranscriberLatencyLongerThanTheRestOfThePauseCounts() {
        HotlineLauncher launcher = (openAi, elevenLabs, turns) -> new HotlineLauncher.RunningHotline() {
            private final LoopbackHotline loopback = new LoopbackHotline(openAi.baseUrl(), elevenLabs.baseUrl());

            @Override
            public java.net.URI mediaStreamUrl() {
                return loopback.mediaStreamUrl();
            }

            @Override
            public Duration endOfTurnSilence() {
                return loopback.endOfTurnSilence(); // 300 ms
            }

            @Override
            public Duration earlyTranscript() {
                return Duration.ofMillis(200); // 100 ms of the pause left for the transcriber
            }

            @Override
            public void close() {
                loopback.close();
            }
        };

        int status = new BenchCommand(launcher).run(new String[] {"--calls", "1", "--duration", "3", "--stt-ms", "150",
            "--llm-ttfb-ms", "0", "--tokens-per-second", "100", "--tts-ttfb-ms", "50", "--pause-ms", "300"}, out);

        assertThat(status).as(printed()).isZero();
        assertThat(printed()).contains("budget 430 ms = end-of-turn 300 + stt 50 of 150 (the early transcript starts"
                + " 200 ms into the pause) + llm first sentence 30 + tts first byte 50");
    }

    @Test
    void givenTheLoopbackTarget_whenBenching_thenTheBudgetCountsTheWholeReply() {
        int status = new BenchCommand(null).run(new String[] {"--calls", "1", "--duration", "1", "--target", "loopback",
            "--stt-ms", "10", "--llm-ttfb-ms", "20", "--tokens-per-second", "100", "--tts-ttfb-ms", "30",
            "--tts-rtf", "0"}, out);

        assertThat(status).as(printed()).isZero();
        assertThat(printed()).contains("loopback stand-in (no engine)")
                .contains("budget 500 ms = end-of-turn 300 + stt 10 + llm whole reply 160 + tts whole reply 30");
    }

    @Test
    void givenAWarmup_whenBenching_thenTheTurnsAfterItAreSummarizedAgainOnTheirOwn() {
        // A turn is reported once its reply has played: about 9, 16 and 23 s into each call here.
        int status = new BenchCommand(null).run(new String[] {"--calls", "2", "--duration", "24", "--warmup-s", "12",
            "--target", "loopback", "--ramp-ms", "0", "--stt-ms", "10", "--llm-ttfb-ms", "10",
            "--tokens-per-second", "500", "--tts-ttfb-ms", "10", "--tts-rtf", "0", "--pause-ms", "100"}, out);

        assertThat(status).as(printed()).isZero();
        Matcher all = Pattern.compile("\nturns: (\\d+) answered").matcher(printed());
        Matcher steady = Pattern.compile("after the 12 s warm-up \\(turns that ended later\\):\n  turns: (\\d+) answered")
                .matcher(printed());
        assertThat(all.find()).as(printed()).isTrue();
        assertThat(steady.find()).as(printed()).isTrue();
        assertThat(Integer.parseInt(steady.group(1))).as(printed()).isPositive()
                .isLessThan(Integer.parseInt(all.group(1)));
    }

    @Test
    void givenAWarmupAsLongAsTheRun_whenBenching_thenTheUsageErrorSaysItMustBeShorter() {
        assertThat(new BenchCommand(null).run(new String[] {"--calls", "1", "--duration", "10", "--warmup-s", "10",
            "--target", "loopback"}, out)).isEqualTo(2);
        assertThat(printed()).contains("--warmup-s must be shorter than --duration, was 10");
    }

    @Test
    void givenNoLauncherAndNoUrl_whenBenching_thenTheUsageErrorSaysToPassUrl() {
        assertThat(new BenchCommand(null).run(new String[] {"--calls", "1", "--duration", "1"}, out)).isEqualTo(2);
        assertThat(printed()).contains("pass --url");
    }

    @Test
    void givenPercentiles_whenComputed_thenNearestRankIsUsed() {
        Percentiles p = Percentiles.of(List.of(5.0, 1.0, 4.0, 2.0, 3.0, 6.0, 7.0, 8.0, 9.0, 10.0));

        assertThat(p.p50()).isEqualTo(5.0);
        assertThat(p.p90()).isEqualTo(9.0);
        assertThat(p.p99()).isEqualTo(10.0);
        assertThat(p.max()).isEqualTo(10.0);
        assertThat(Percentiles.of(List.of()).format()).isEqualTo("no samples");
    }

    @Test
    void givenTheFixtureFiles_whenListed_thenTheyExist() throws Exception {
        assertThat(Files.size(fixture("speech/phone/demo-thanks.wav"))).isPositive();
    }
}
