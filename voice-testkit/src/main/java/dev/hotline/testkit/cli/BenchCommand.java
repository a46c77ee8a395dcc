package dev.hotline.testkit.cli;

import com.sun.management.OperatingSystemMXBean;
import dev.hotline.testkit.SpeechLikeAudio;
import dev.hotline.testkit.elevenlabs.FakeElevenLabsServer;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import dev.hotline.testkit.twilio.CallReport;
import dev.hotline.testkit.twilio.CallScript;
import dev.hotline.testkit.twilio.SimulatedTwilioCaller;
import dev.hotline.testkit.twilio.TurnReport;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code hotline bench --calls N --duration S [--url ws://...]}: N simulated Twilio callers
 * ({@link SimulatedTwilioCaller}) talk to a hotline at once for S seconds, then it prints percentiles of
 * voice-to-voice latency and of engine overhead (latency minus what the providers and the end-of-turn wait
 * were configured to take), underruns, barge-ins, and CPU and heap per call. A progress line is printed every
 * few seconds while it runs.
 *
 * <p>Without {@code --url} it starts fake OpenAI and ElevenLabs servers with the configured latencies and a
 * hotline in-process through the {@link HotlineLauncher} it was built with; the provider budget is then known
 * exactly. With {@code --url} the target's budget is unknown unless given with {@code --budget-ms}, and CPU and
 * heap are this process's (the callers'), not the server's.
 *
 * <p>Every call is bounded by {@code --duration}; the whole run by ramp + duration + a grace period. Stateless
 * between runs; {@link #run} may be called from any thread, one run at a time per instance.
 */
public final class BenchCommand {

    /** Printed after a command-line error. */
    public static final String USAGE = """
            usage: hotline bench --calls N --duration S [--url ws://host/voice-stream [--budget-ms B] | --target loopback]
                   [--ramp-ms R] [--play a.wav ...] [--progress-s 2] [--pause-ms 800]
                   fake providers (without --url): [--stt-ms 300] [--llm-ttfb-ms 400] [--tokens-per-second 50]
                   [--tts-ttfb-ms 200] [--tts-rtf 0.25]""";

    /** What every simulated caller says, unless --play files are given: about 2 s of speech-like audio. */
    static final String CALLER_LINE = "When does the show start tonight?";
    /** What the fake model answers: a short first sentence, so the first audio depends on few tokens. */
    static final String REPLY = "Sure thing. Doors open at seven and the show starts at eight.";

    private static final Set<String> OPTIONS = Set.of("calls", "duration", "url", "target", "budget-ms", "ramp-ms", "play",
            "progress-s", "pause-ms", "stt-ms", "llm-ttfb-ms", "tokens-per-second", "tts-ttfb-ms", "tts-rtf");
    /** How long a caller waits for a greeting that does not come before it speaks. */
    private static final Duration GREETING_TIMEOUT = Duration.ofSeconds(2);
    /** How long stopping the in-process hotline may take. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    /** Time after the last call's deadline before the bench stops waiting for it. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final HotlineLauncher launcher;

    /** A bench that can start an in-process hotline with {@code launcher}; null allows {@code --url} only. */
    public BenchCommand(HotlineLauncher launcher) {
        this.launcher = launcher;
    }

    /**
     * Runs the command from a plain class path, before or without the server's jar (which adds the in-process
     * hotline): exits with {@link #run}'s status.
     */
    public static void main(String[] args) {
        System.exit(new BenchCommand(null).run(args, System.out));
    }

    /**
     * Runs the command.
     *
     * @return the exit status: 0 the bench ran, 1 it could not start, 2 the command line was wrong
     */
    public int run(String[] args, PrintStream out) {
        try {
            Options options = Options.parse(args, OPTIONS);
            Settings settings = Settings.of(options);
            return bench(settings, out);
        } catch (UsageException e) {
            out.println("hotline bench: " + e.getMessage());
            out.println(USAGE);
            return 2;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("hotline bench: interrupted");
            return 1;
        } catch (Exception e) {
            out.println("hotline bench: could not run: " + e);
            return 1;
        }
    }

    /** The validated command line. */
    private record Settings(int calls, Duration duration, URI url, boolean loopback, Duration budget, Duration ramp, List<byte[]> lines,
            List<String> labels, Duration progress, Duration pause, Duration stt, Duration llmFirstByte,
            double tokensPerSecond, Duration ttsFirstByte, double ttsRealTimeFactor) {

        static Settings of(Options options) throws UsageException, IOException {
            if (!options.positional().isEmpty()) {
                throw new UsageException("unexpected argument " + options.positional().get(0));
            }
            int calls = (int) options.number("calls", -1, 1, 10_000);
            long seconds = options.number("duration", -1, 1, 3_600);
            if (calls < 0 || seconds < 0) {
                throw new UsageException("--calls and --duration are required");
            }
            String url = options.text("url", null);
            URI target = null;
            if (url != null) {
                target = URI.create(url);
                if (!"ws".equals(target.getScheme()) && !"wss".equals(target.getScheme())) {
                    throw new UsageException("--url must start with ws:// or wss://, was " + url);
                }
            }
            String targetName = options.text("target", "server");
            if (!targetName.equals("server") && !targetName.equals("loopback")) {
                throw new UsageException("--target must be server or loopback, was " + targetName);
            }
            if (target != null && targetName.equals("loopback")) {
                throw new UsageException("--url and --target loopback exclude each other");
            }
            long budget = options.number("budget-ms", -1, 0, 600_000);
            List<byte[]> lines = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            for (String file : options.all("play")) {
                lines.add(dev.hotline.testkit.TestkitAudio.readWavAsUlaw8k(Path.of(file)));
                labels.add(Path.of(file).getFileName().toString());
            }
            if (lines.isEmpty()) {
                lines.add(SpeechLikeAudio.ulaw8k(CALLER_LINE));
                labels.add("speech-like: " + CALLER_LINE);
            }
            long defaultRamp = Math.min(5_000, seconds * 1000 / 4);
            return new Settings(calls, Duration.ofSeconds(seconds), target, targetName.equals("loopback"),
                    budget < 0 ? null : Duration.ofMillis(budget),
                    Duration.ofMillis(options.number("ramp-ms", defaultRamp, 0, 600_000)), lines, labels,
                    Duration.ofSeconds(options.number("progress-s", 2, 1, 600)),
                    Duration.ofMillis(options.number("pause-ms", 800, 20, 60_000)),
                    Duration.ofMillis(options.number("stt-ms", 300, 0, 60_000)),
                    Duration.ofMillis(options.number("llm-ttfb-ms", 400, 0, 60_000)),
                    options.decimal("tokens-per-second", 50, 0, 100_000),
                    Duration.ofMillis(options.number("tts-ttfb-ms", 200, 0, 60_000)),
                    options.decimal("tts-rtf", 0.25, 0, 10));
        }
    }

    private int bench(Settings settings, PrintStream out) throws Exception {
        if (settings.url() != null) {
            out.println("target " + settings.url() + (settings.budget() == null
                    ? " (no --budget-ms: engine overhead is not computed)" : ", budget " + settings.budget().toMillis() + " ms"));
            return drive(settings, settings.url(), settings.budget(), out);
        }
        if (launcher == null && !settings.loopback()) {
            throw new UsageException("this build cannot start a hotline in-process; pass --url ws://.../voice-stream"
                    + " (or --target loopback to measure the callers and fake providers alone)");
        }
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start(settings.duration().plus(Duration.ofMinutes(10)));
                FakeElevenLabsServer elevenLabs = FakeElevenLabsServer.start(settings.duration().plus(Duration.ofMinutes(10)))) {
            openAi.transcriptionDelay(settings.stt())
                    .chatLatency(settings.llmFirstByte(), settings.tokensPerSecond())
                    .transcriber(request -> CALLER_LINE)
                    .responder(request -> REPLY);
            elevenLabs.latency(settings.ttsFirstByte(), settings.ttsRealTimeFactor());
            HotlineLauncher start = settings.loopback()
                    ? (o, e) -> new LoopbackHotline(o.baseUrl(), e.baseUrl()) : launcher;
            HotlineLauncher.RunningHotline hotline = start.start(openAi, elevenLabs);
            try {
                Duration llm = settings.loopback() ? openAi.replyDelay(REPLY) : openAi.firstSentenceDelay(REPLY);
                Duration tts = settings.loopback()
                        ? settings.ttsFirstByte().plus(Duration.ofNanos((long) (elevenLabs.audioDuration(REPLY).toNanos()
                                * settings.ttsRealTimeFactor())))
                        : settings.ttsFirstByte();
                Duration budget = hotline.endOfTurnSilence().plus(settings.stt()).plus(llm).plus(tts);
                out.printf("%s at %s with fake providers; budget %d ms = end-of-turn %d + stt %d + llm %s %d"
                        + " + tts %s %d%n", settings.loopback() ? "loopback stand-in (no engine)" : "in-process hotline",
                        hotline.mediaStreamUrl(), budget.toMillis(), hotline.endOfTurnSilence().toMillis(),
                        settings.stt().toMillis(), settings.loopback() ? "whole reply" : "first sentence", llm.toMillis(),
                        settings.loopback() ? "whole reply" : "first byte", tts.toMillis());
                return drive(settings, hotline.mediaStreamUrl(), budget, out);
            } finally {
                stop(hotline, out);
            }
        }
    }

    /** Stops the hotline, but waits no longer than {@link #STOP_TIMEOUT}: a stuck shutdown must not hang the bench. */
    private static void stop(HotlineLauncher.RunningHotline hotline, PrintStream out) throws InterruptedException {
        Thread stopper = Thread.ofVirtual().name("bench-stop-hotline").start(hotline::close);
        if (!stopper.join(STOP_TIMEOUT)) {
            out.println("warning: the hotline did not stop within " + STOP_TIMEOUT.toSeconds()
                    + " s; a thread dump (jcmd <pid> Thread.dump_to_file) shows what it waits for");
        }
    }

    private int drive(Settings settings, URI url, Duration budget, PrintStream out) throws InterruptedException {
        out.println("callers say: " + String.join(", ", settings.labels())
                + (settings.labels().get(0).startsWith("speech-like")
                        ? " (a hum: a model-based VAD such as Silero may not take it for speech; use --play recordings)"
                        : ""));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        memory.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        long cpuBefore = os.getProcessCpuTime();
        long started = System.nanoTime();

        ConcurrentLinkedQueue<TurnReport> turns = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<CallReport> reports = new ConcurrentLinkedQueue<>();
        AtomicInteger live = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicLong maxLagNanos = new AtomicLong();
        CountDownLatch done = new CountDownLatch(settings.calls());
        CallScript script = script(settings);
        SimulatedTwilioCaller caller = SimulatedTwilioCaller.dialing(url).withTurnListener(turns::add);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < settings.calls(); i++) {
            long delayNanos = settings.calls() == 1 ? 0 : settings.ramp().toNanos() * i / (settings.calls() - 1);
            // Platform threads: the callers' 20 ms clocks must keep time even when the hotline in the same JVM
            // keeps every virtual-thread carrier busy.
            threads.add(Thread.ofPlatform().daemon().name("bench-call-" + i).start(() -> {
                try {
                    Thread.sleep(Duration.ofNanos(delayNanos));
                    live.incrementAndGet();
                    CallReport report = caller.call(script);
                    reports.add(report);
                    maxLagNanos.accumulateAndGet(report.maxTickLag().toNanos(), Math::max);
                } catch (IOException e) {
                    failed.incrementAndGet();
                    firstFailure.compareAndSet(null, e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    live.decrementAndGet();
                    done.countDown();
                }
            }));
        }

        long heapDuring = -1;
        long sampleHeapAt = started + settings.ramp().toNanos() + settings.duration().toNanos() / 2;
        long deadline = started + settings.ramp().plus(settings.duration()).plus(GRACE).toNanos();
        while (!done.await(settings.progress().toMillis(), TimeUnit.MILLISECONDS)) {
            long now = System.nanoTime();
            if (heapDuring < 0 && now >= sampleHeapAt) {
                memory.gc();
                heapDuring = memory.getHeapMemoryUsage().getUsed();
            }
            out.println(progress(now - started, live.get(), settings.calls(), failed.get(), turns, budget));
            if (now >= deadline) {
                out.println("some calls did not end in time; stopping them");
                threads.forEach(Thread::interrupt);
                done.await(10, TimeUnit.SECONDS);
                break;
            }
        }
        long wallNanos = System.nanoTime() - started;
        long cpuNanos = os.getProcessCpuTime() - cpuBefore;
        summarize(settings, budget, new ArrayList<>(turns), new ArrayList<>(reports), failed.get(),
                firstFailure.get(), maxLagNanos.get(), out);
        out.printf("cpu: %.1f s of CPU in %.1f s wall = %.2f cores busy (%d available); %.1f ms CPU per call-second%n",
                cpuNanos / 1e9, wallNanos / 1e9, (double) cpuNanos / wallNanos, os.getAvailableProcessors(),
                cpuNanos / 1e6 / (settings.calls() * (double) settings.duration().toSeconds()));
        if (heapDuring >= 0) {
            out.printf("heap: %.1f MB before, %.1f MB mid-run after GC = %.1f KB per call%n", heapBefore / 1e6,
                    heapDuring / 1e6, (heapDuring - heapBefore) / 1e3 / settings.calls());
        }
        out.println(settings.url() == null ? "cpu and heap include the hotline, the fake providers and the callers"
                : "cpu and heap are this process's (the callers'), not the target server's");
        return 0;
    }

    private static CallScript script(Settings settings) {
        CallScript.Builder script = CallScript.builder().greetingTimeout(GREETING_TIMEOUT)
                .pauseBeforeSpeaking(settings.pause()).replyTimeout(Duration.ofSeconds(15))
                .maxCallDuration(settings.duration());
        long perTurnMillis = 0;
        for (byte[] line : settings.lines()) {
            perTurnMillis += line.length / 8 + 3_000;
        }
        long rounds = Math.max(1, settings.duration().toMillis() / Math.max(1, perTurnMillis) + 1);
        for (long r = 0; r < rounds; r++) {
            for (int i = 0; i < settings.lines().size(); i++) {
                script.say(settings.lines().get(i), settings.labels().get(i));
            }
        }
        return script.build();
    }

    private static String progress(long elapsedNanos, int live, int calls, int failed,
            ConcurrentLinkedQueue<TurnReport> turns, Duration budget) {
        List<Double> latencies = new ArrayList<>();
        int underruns = 0;
        for (TurnReport turn : turns) {
            turn.voiceToVoice().ifPresent(d -> latencies.add(d.toNanos() / 1e6));
            underruns += turn.underruns();
        }
        Percentiles p = Percentiles.of(latencies);
        return String.format("[%4ds] calls live %d/%d, failed %d, turns %d, voice-to-voice p50 %.0f ms p99 %.0f ms%s,"
                + " underruns %d", elapsedNanos / 1_000_000_000L, live, calls, failed, turns.size(), p.p50(), p.p99(),
                budget == null ? "" : String.format(" (overhead p99 %.0f ms)", p.p99() - budget.toNanos() / 1e6),
                underruns);
    }

    private static void summarize(Settings settings, Duration budget, List<TurnReport> turns, List<CallReport> reports,
            int failed, String firstFailure, long maxLagNanos, PrintStream out) {
        List<Double> latencies = new ArrayList<>();
        List<Double> overheads = new ArrayList<>();
        List<Double> clears = new ArrayList<>();
        int unanswered = 0;
        int underruns = 0;
        int turnsWithUnderruns = 0;
        long underrunMillis = 0;
        for (TurnReport turn : turns) {
            if (turn.voiceToVoice().isPresent()) {
                double millis = turn.voiceToVoice().get().toNanos() / 1e6;
                latencies.add(millis);
                if (budget != null) {
                    overheads.add(millis - budget.toNanos() / 1e6);
                }
            } else {
                unanswered++;
            }
            underruns += turn.underruns();
            underrunMillis += turn.underrunTime().toMillis();
            if (turn.underruns() > 0) {
                turnsWithUnderruns++;
            }
            turn.clearAfter().ifPresent(d -> clears.add(d.toNanos() / 1e6));
        }
        Map<String, Integer> endings = new TreeMap<>();
        int protocolErrors = 0;
        for (CallReport report : reports) {
            endings.merge(report.ending().replaceAll("failed: .*", "failed"), 1, Integer::sum);
            protocolErrors += report.protocolErrors().size();
        }
        out.println();
        out.printf("calls: %d placed, %d completed, %d failed%s%n", settings.calls(), reports.size(), failed,
                firstFailure == null ? "" : " (first: " + firstFailure + ")");
        out.println("endings: " + endings);
        out.printf("turns: %d answered, %d without reply%n", latencies.size(), unanswered);
        out.println("voice-to-voice:  " + Percentiles.of(latencies).format());
        if (budget != null) {
            out.println("engine overhead: " + Percentiles.of(overheads).format() + "  (latency minus "
                    + budget.toMillis() + " ms budget)");
        }
        out.printf("underruns: %d in %d turns, %d ms of gaps%n", underruns, turnsWithUnderruns, underrunMillis);
        if (!clears.isEmpty()) {
            out.println("barge-in to clear: " + Percentiles.of(clears).format());
        }
        out.printf("protocol errors: %d; caller clock lag max %.1f ms%s%n", protocolErrors, maxLagNanos / 1e6,
                maxLagNanos > 20_000_000L ? " (the load generator itself fell behind: treat numbers with care)" : "");
    }
}
