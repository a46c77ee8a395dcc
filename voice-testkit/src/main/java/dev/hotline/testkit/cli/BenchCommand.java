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
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * {@code hotline bench --calls N --duration S [--url ws://...]}: N simulated Twilio callers
 * ({@link SimulatedTwilioCaller}) talk to a hotline at once for S seconds, then it prints percentiles of
 * voice-to-voice latency and of engine overhead (latency minus what the providers and the end-of-turn wait
 * were configured to take), underruns, barge-ins, and CPU and heap per call. A progress line is printed every
 * few seconds while it runs.
 *
 * <p>Without {@code --url} it starts fake OpenAI and ElevenLabs servers with the configured latencies and a
 * hotline through a {@link HotlineLauncher} it was built with: in this process ({@code --target server}, the
 * default) or in a child JVM ({@code --target process}, so the callers and fakes do not share the hotline's
 * heap, collector and threads, and the hotline's CPU and memory are reported apart). The provider budget is
 * then known exactly, and the engine's own timing of every turn is reported beside the caller's: overhead by
 * the engine's clock (its end-of-turn decision to the first reply audio handed to the socket, minus the
 * providers' configured latencies), split by stage. With {@code --url} the target's budget is unknown unless
 * given with {@code --budget-ms}, and CPU and heap are this process's (the callers'), not the server's.
 *
 * <p>With {@code --warmup-s W}, every summary is printed again for the turns that ended after the first W seconds:
 * the steady state, once the calls have ramped up and the JIT compilers have done the most of their work.
 *
 * <p>Every call is bounded by {@code --duration}; the whole run by ramp + duration + a grace period. Stateless
 * between runs; {@link #run} may be called from any thread, one run at a time per instance.
 */
public final class BenchCommand {

    /** Printed after a command-line error. */
    public static final String USAGE = """
            usage: hotline bench --calls N --duration S [--url ws://host/voice-stream [--budget-ms B]
                   | --target server|process|loopback] [--server-jvm "-Xmx512m ..."]
                   [--ramp-ms R] [--warmup-s W] [--play a.wav ...] [--progress-s 2] [--pause-ms 800] [--turns-csv turns.csv]
                   fake providers (without --url): [--stt-ms 300] [--llm-ttfb-ms 400] [--tokens-per-second 50]
                   [--tts-ttfb-ms 200] [--tts-rtf 0.25]""";

    /** What every simulated caller says, unless --play files are given: about 2 s of speech-like audio. */
    static final String CALLER_LINE = "When does the show start tonight?";
    /** What the fake model answers: a short first sentence, so the first audio depends on few tokens. */
    static final String REPLY = "Sure thing. Doors open at seven and the show starts at eight.";

    private static final Set<String> OPTIONS = Set.of("calls", "duration", "url", "target", "server-jvm", "budget-ms", "ramp-ms", "warmup-s", "play",
            "progress-s", "pause-ms", "turns-csv", "stt-ms", "llm-ttfb-ms", "tokens-per-second", "tts-ttfb-ms", "tts-rtf");
    /** How many turns with underruns the summary lists one by one. */
    private static final int UNDERRUNS_LISTED = 10;
    /** How long a caller waits for a greeting that does not come before it speaks. */
    private static final Duration GREETING_TIMEOUT = Duration.ofSeconds(2);
    /** How long stopping the in-process hotline may take. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    /** Left out at the start of the steady window, after the ramp: the JIT compilers are still busy. */
    private static final Duration STEADY_SETTLE = Duration.ofSeconds(5);
    /** The shortest steady window worth measuring CPU over. */
    private static final Duration MIN_STEADY = Duration.ofSeconds(5);
    /** Time after the last call's deadline before the bench stops waiting for it. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final HotlineLauncher inProcess;
    private final Function<List<String>, HotlineLauncher> childProcess;

    /** A bench that can start an in-process hotline with {@code launcher}; null allows {@code --url} only. */
    public BenchCommand(HotlineLauncher launcher) {
        this(launcher, null);
    }

    /**
     * A bench that starts the hotline in this process with {@code inProcess} ({@code --target server}) and in a
     * child JVM with the launcher {@code childProcess} makes for the {@code --server-jvm} options
     * ({@code --target process}); either may be null when this build cannot.
     */
    public BenchCommand(HotlineLauncher inProcess, Function<List<String>, HotlineLauncher> childProcess) {
        this.inProcess = inProcess;
        this.childProcess = childProcess;
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

    /** Something the bench was told, and when ({@link System#nanoTime}): turns are split at the warm-up's end. */
    private record Seen<T>(long atNanos, T value) {
    }

    /** The validated command line. */
    private record Settings(int calls, Duration duration, URI url, String target, List<String> serverJvm, Duration budget,
            Duration ramp, Duration warmup, List<byte[]> lines,
            List<String> labels, Duration progress, Duration pause, Duration stt, Duration llmFirstByte,
            double tokensPerSecond, Duration ttsFirstByte, double ttsRealTimeFactor, Path turnsCsv) {

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
            if (!Set.of("server", "process", "loopback").contains(targetName)) {
                throw new UsageException("--target must be server, process or loopback, was " + targetName);
            }
            if (target != null && options.text("target", null) != null) {
                throw new UsageException("--url and --target exclude each other");
            }
            String jvm = options.text("server-jvm", null);
            if (jvm != null && !targetName.equals("process")) {
                throw new UsageException("--server-jvm needs --target process");
            }
            List<String> serverJvm = jvm == null || jvm.isBlank() ? List.of() : List.of(jvm.trim().split("\\s+"));
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
            long warmup = options.number("warmup-s", 0, 0, 3_600);
            if (warmup >= seconds) {
                throw new UsageException("--warmup-s must be shorter than --duration, was " + warmup);
            }
            return new Settings(calls, Duration.ofSeconds(seconds), target, targetName, serverJvm,
                    budget < 0 ? null : Duration.ofMillis(budget),
                    Duration.ofMillis(options.number("ramp-ms", defaultRamp, 0, 600_000)), Duration.ofSeconds(warmup),
                    lines, labels,
                    Duration.ofSeconds(options.number("progress-s", 2, 1, 600)),
                    Duration.ofMillis(options.number("pause-ms", 800, 20, 60_000)),
                    Duration.ofMillis(options.number("stt-ms", 300, 0, 60_000)),
                    Duration.ofMillis(options.number("llm-ttfb-ms", 400, 0, 60_000)),
                    options.decimal("tokens-per-second", 50, 0, 100_000),
                    Duration.ofMillis(options.number("tts-ttfb-ms", 200, 0, 60_000)),
                    options.decimal("tts-rtf", 0.25, 0, 10),
                    options.text("turns-csv", null) == null ? null : Path.of(options.text("turns-csv", null)));
        }
    }

    /** What the fake providers were configured to take before the first reply audio; the engine's overhead is the rest. */
    /**
     * What the providers and the end-of-turn wait add to a turn. With an early transcript (the hotline
     * transcribes the turn so far {@code early} into the pause), only the part of the transcriber's latency
     * longer than the rest of the pause comes after the turn's end.
     */
    private record Budget(Duration endOfTurn, Duration early, Duration stt, Duration llm, Duration tts) {

        /** The transcriber's latency still to wait for once the turn has ended. */
        Duration sttAfterTurn() {
            if (early.isZero()) {
                return stt;
            }
            Duration left = stt.minus(endOfTurn.minus(early));
            return left.isNegative() ? Duration.ZERO : left;
        }

        Duration total() {
            return endOfTurn.plus(sttAfterTurn()).plus(llm).plus(tts);
        }
    }

    private int bench(Settings settings, PrintStream out) throws Exception {
        if (settings.url() != null) {
            out.println("target " + settings.url() + (settings.budget() == null
                    ? " (no --budget-ms: engine overhead is not computed)" : ", budget " + settings.budget().toMillis() + " ms"));
            return drive(settings, settings.url(), settings.budget(), null, new ArrayList<>(), new AtomicLong(), out);
        }
        boolean loopback = settings.target().equals("loopback");
        HotlineLauncher launcher = switch (settings.target()) {
            case "loopback" -> (o, e, turns) -> new LoopbackHotline(o.baseUrl(), e.baseUrl());
            case "process" -> childProcess == null ? null : childProcess.apply(settings.serverJvm());
            default -> inProcess;
        };
        if (launcher == null) {
            throw new UsageException("this build cannot start a hotline " + (settings.target().equals("process")
                    ? "in a child process" : "in-process") + "; pass --url ws://.../voice-stream"
                    + " (or --target loopback to measure the callers and fake providers alone)");
        }
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start(settings.duration().plus(Duration.ofMinutes(10)));
                FakeElevenLabsServer elevenLabs = FakeElevenLabsServer.start(settings.duration().plus(Duration.ofMinutes(10)))) {
            // The bench asserts nothing on the requests. Remembering them (every upload's audio) held this JVM's heap
            // at 214 MB instead of 85 after 90 s at 200 calls, and the collector's longer pauses made the fakes late.
            openAi.rememberAtMost(0);
            elevenLabs.rememberAtMost(0);
            openAi.transcriptionDelay(settings.stt())
                    .chatLatency(settings.llmFirstByte(), settings.tokensPerSecond())
                    .transcriber(request -> CALLER_LINE)
                    .responder(request -> REPLY);
            elevenLabs.latency(settings.ttsFirstByte(), settings.ttsRealTimeFactor());
            ConcurrentLinkedQueue<Seen<HotlineLauncher.EngineTurn>> engineTurns = new ConcurrentLinkedQueue<>();
            HotlineLauncher.RunningHotline hotline = launcher.start(openAi, elevenLabs,
                    turn -> engineTurns.add(new Seen<>(System.nanoTime(), turn)));
            AtomicLong started = new AtomicLong();
            List<CallReport> reports = new ArrayList<>();
            Budget budget;
            int status;
            try {
                Duration llm = loopback ? openAi.replyDelay(REPLY) : openAi.firstSentenceDelay(REPLY);
                Duration tts = loopback
                        ? settings.ttsFirstByte().plus(Duration.ofNanos((long) (elevenLabs.audioDuration(REPLY).toNanos()
                                * settings.ttsRealTimeFactor())))
                        : settings.ttsFirstByte();
                budget = new Budget(hotline.endOfTurnSilence(), hotline.earlyTranscript(), settings.stt(), llm, tts);
                String where = switch (settings.target()) {
                    case "loopback" -> "loopback stand-in (no engine)";
                    case "process" -> "hotline in child process " + hotline.process().map(ProcessHandle::pid).orElse(-1L);
                    default -> "in-process hotline";
                };
                out.printf("%s at %s with fake providers; budget %d ms = end-of-turn %d + stt %s + llm %s %d"
                        + " + tts %s %d%n", where, hotline.mediaStreamUrl(), budget.total().toMillis(),
                        budget.endOfTurn().toMillis(), budget.early().isZero() ? Long.toString(settings.stt().toMillis())
                                : String.format("%d of %d (the early transcript starts %d ms into the pause)",
                                        budget.sttAfterTurn().toMillis(), settings.stt().toMillis(),
                                        budget.early().toMillis()),
                        loopback ? "whole reply" : "first sentence", llm.toMillis(),
                        loopback ? "whole reply" : "first byte", tts.toMillis());
                status = drive(settings, hotline.mediaStreamUrl(), budget.total(), hotline, reports, started, out);
            } finally {
                stop(hotline, out);
            }
            if (!loopback) {
                // After the stop: a turn is reported when it is over, and the calls' last turns end with them.
                summarizeEngine(budget, new ArrayList<>(engineTurns), reports, started.get(),
                        settings.warmup().isZero() ? Long.MIN_VALUE : started.get() + settings.warmup().toNanos(),
                        settings.turnsCsv(), out);
            }
            summarizeFakes(openAi, elevenLabs, out);
            return status;
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

    private int drive(Settings settings, URI url, Duration budget, HotlineLauncher.RunningHotline hotline,
            List<CallReport> finished, AtomicLong startedAt, PrintStream out) throws InterruptedException {
        out.println("callers say: " + String.join(", ", settings.labels())
                + (settings.labels().get(0).startsWith("speech-like")
                        ? " (a hum: a model-based VAD such as Silero may not take it for speech; use --play recordings)"
                        : ""));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        Optional<ProcessHandle> server = hotline == null ? Optional.empty() : hotline.process();
        memory.gc();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        // Collections forced here, before any call, stall none; none is forced while calls run.
        long serverHeapBefore = server.map(ProcessProbe::heapAfterGc).orElse(-1L);
        long cpuBefore = os.getProcessCpuTime();
        long serverCpuBefore = server.map(ProcessProbe::cpuNanos).orElse(-1L);
        ProcessProbe.MachineCpu machineBefore = ProcessProbe.machineCpu();
        long started = System.nanoTime();
        startedAt.set(started);

        ConcurrentLinkedQueue<Seen<TurnReport>> turns = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<CallReport> reports = new ConcurrentLinkedQueue<>();
        AtomicInteger live = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        AtomicLong maxLagNanos = new AtomicLong();
        CountDownLatch done = new CountDownLatch(settings.calls());
        CallScript script = script(settings);
        SimulatedTwilioCaller caller = SimulatedTwilioCaller.dialing(url).withoutRecording()
                .withTurnListener(turn -> turns.add(new Seen<>(System.nanoTime(), turn)));
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

        // The steady window: every call is live (the ramp is over, the first call has not ended) and the first
        // seconds, when the JIT compilers are busiest, are left out. CPU per call-second is measured over it.
        long steadyFrom = started + settings.ramp().plus(STEADY_SETTLE).toNanos();
        long steadyTo = started + settings.duration().toNanos();
        boolean steady = steadyTo - steadyFrom >= MIN_STEADY.toNanos();
        long[] cpuAtSteadyFrom = {-1, -1, -1};
        long[] cpuAtSteadyTo = {-1, -1, -1};
        ProcessProbe.MachineCpu[] machineAtSteady = new ProcessProbe.MachineCpu[2];
        ProcessProbe.KernelActivity[] kernelAtSteady = new ProcessProbe.KernelActivity[2];
        long heapDuring = -1;
        long serverRssDuring = -1;
        long sampleHeapAt = started + settings.ramp().toNanos() + settings.duration().toNanos() / 2;
        long deadline = started + settings.ramp().plus(settings.duration()).plus(GRACE).toNanos();
        long nextProgress = started + settings.progress().toNanos();
        while (true) {
            long now = System.nanoTime();
            long wake = Math.min(nextProgress, steady && cpuAtSteadyFrom[0] < 0 ? steadyFrom
                    : steady && cpuAtSteadyTo[0] < 0 ? steadyTo : Long.MAX_VALUE);
            if (done.await(Math.max(1, wake - now), TimeUnit.NANOSECONDS)) {
                break;
            }
            now = System.nanoTime();
            if (steady && cpuAtSteadyFrom[0] < 0 && now >= steadyFrom) {
                sampleCpu(cpuAtSteadyFrom, now, os, server);
                machineAtSteady[0] = ProcessProbe.machineCpu();
                kernelAtSteady[0] = server.map(ProcessProbe::kernelActivity).orElse(null);
            } else if (steady && cpuAtSteadyTo[0] < 0 && now >= steadyTo) {
                sampleCpu(cpuAtSteadyTo, now, os, server);
                machineAtSteady[1] = ProcessProbe.machineCpu();
                kernelAtSteady[1] = server.map(ProcessProbe::kernelActivity).orElse(null);
            }
            if (heapDuring < 0 && now >= sampleHeapAt) {
                // No collection is forced while calls run: a full GC here stopped every call for ~50 ms.
                heapDuring = heapAfterLastCollection();
                serverRssDuring = server.map(ProcessProbe::residentBytes).orElse(-1L);
            }
            if (now < nextProgress) {
                continue;
            }
            nextProgress += settings.progress().toNanos();
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
        long serverCpuNanos = server.map(ProcessProbe::cpuNanos).orElse(-1L) - serverCpuBefore;
        ProcessProbe.MachineCpu machineAfter = ProcessProbe.machineCpu();
        double callSeconds = settings.calls() * (double) settings.duration().toSeconds();
        summarize(settings, budget, new ArrayList<>(turns), started, started + settings.warmup().toNanos(),
                new ArrayList<>(reports), failed.get(), firstFailure.get(), maxLagNanos.get(), out);
        String self = server.isPresent() ? "callers and fakes" : "cpu";
        out.printf("%s, whole run: %.1f s of CPU in %.1f s wall = %.2f cores busy (%d available); %.1f ms CPU per"
                + " call-second%n", self, cpuNanos / 1e9, wallNanos / 1e9, (double) cpuNanos / wallNanos,
                os.getAvailableProcessors(), cpuNanos / 1e6 / callSeconds);
        if (server.isPresent() && serverCpuBefore >= 0) {
            out.printf("hotline process, whole run: %.1f s of CPU = %.2f cores busy; %.1f ms CPU per call-second%n",
                    serverCpuNanos / 1e9, (double) serverCpuNanos / wallNanos, serverCpuNanos / 1e6 / callSeconds);
        }
        if (cpuAtSteadyTo[0] >= 0) {
            double windowNanos = cpuAtSteadyTo[0] - cpuAtSteadyFrom[0];
            out.printf("steady window (%.0f-%.0f s, all %d calls live): %s %.2f cores = %.2f ms CPU per call-second%s%n",
                    (cpuAtSteadyFrom[0] - started) / 1e9, (cpuAtSteadyTo[0] - started) / 1e9, settings.calls(), self,
                    (cpuAtSteadyTo[1] - cpuAtSteadyFrom[1]) / windowNanos,
                    (cpuAtSteadyTo[1] - cpuAtSteadyFrom[1]) / 1e6 / (windowNanos / 1e9) / settings.calls(),
                    server.isPresent() && cpuAtSteadyFrom[2] >= 0
                            ? String.format("; hotline process %.2f cores = %.2f ms CPU per call-second",
                                    (cpuAtSteadyTo[2] - cpuAtSteadyFrom[2]) / windowNanos,
                                    (cpuAtSteadyTo[2] - cpuAtSteadyFrom[2]) / 1e6 / (windowNanos / 1e9) / settings.calls())
                            : "");
        }
        if (cpuAtSteadyTo[0] >= 0) {
            String kernel = kernelRates(kernelAtSteady[0], kernelAtSteady[1],
                    (cpuAtSteadyTo[0] - cpuAtSteadyFrom[0]) / 1e9 * settings.calls());
            if (kernel != null) {
                out.println("hotline process, steady window, per call-second: " + kernel
                        + " (counts, not times: they compare builds on a machine whose speed drifts)");
            }
        }
        String machine = machineShares(machineBefore, machineAfter);
        if (machine != null) {
            String window = machineShares(machineAtSteady[0], machineAtSteady[1]);
            out.println("machine (/proc/stat), whole run: " + machine + (window == null ? "" : "; steady window: " + window)
                    + " (stolen: time the hypervisor ran other guests while this machine had work; it shows as"
                    + " latency no process here spent)");
        }
        if (heapDuring >= 0) {
            out.printf("heap%s: %.1f MB before, %.1f MB after the last collection mid-run = at most %.1f KB per call%n",
                    server.isPresent() ? " (callers and fakes)" : "", heapBefore / 1e6, heapDuring / 1e6,
                    (heapDuring - heapBefore) / 1e3 / settings.calls());
        }
        if (server.isPresent()) {
            summarizeServerMemory(hotline.gcPauses(), serverHeapBefore, serverRssDuring, started, steadyFrom, steadyTo,
                    settings.calls(), out);
            long warnings = hotline.warnings();
            if (warnings >= 0) {
                out.println("hotline log: " + warnings + " lines at WARN or above");
            }
        }
        out.println(settings.url() != null ? "cpu and heap are this process's (the callers'), not the target server's"
                : server.isPresent() ? "the hotline ran in its own JVM; the fakes and callers in this one"
                : "cpu and heap include the hotline, the fake providers and the callers");
        finished.addAll(reports);
        return 0;
    }

    /**
     * This process's heap in use right after its most recent collection (young ones leave old garbage, so an
     * upper bound of what is live), or -1 if none happened yet or the JVM does not say.
     */
    private static long heapAfterLastCollection() {
        Set<String> heapPools = new java.util.HashSet<>();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                heapPools.add(pool.getName());
            }
        }
        long latestEnd = -1;
        long used = -1;
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (bean instanceof com.sun.management.GarbageCollectorMXBean gc && gc.getLastGcInfo() != null
                    && gc.getLastGcInfo().getEndTime() > latestEnd) {
                latestEnd = gc.getLastGcInfo().getEndTime();
                used = 0;
                for (Map.Entry<String, MemoryUsage> pool : gc.getLastGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    used += heapPools.contains(pool.getKey()) ? pool.getValue().getUsed() : 0;
                }
            }
        }
        return used;
    }

    /**
     * How the machine's CPU time between two readings divided, as {@code busy 61.2 %, idle 37.1 %, stolen 1.7 %}, or
     * {@code null} without both readings.
     */
    static String machineShares(ProcessProbe.MachineCpu from, ProcessProbe.MachineCpu to) {
        if (from == null || to == null || to.total() <= from.total()) {
            return null;
        }
        double total = to.total() - from.total();
        return String.format(java.util.Locale.ROOT, "busy %.1f %%, idle %.1f %%, stolen %.1f %%",
                100 * (to.busy() - from.busy()) / total, 100 * (to.idle() - from.idle()) / total,
                100 * (to.steal() - from.steal()) / total);
    }

    /**
     * Kernel activity between two readings per call-second, as {@code 61.2 read and 20.1 write system calls, 80.3
     * context switches (75.0 voluntary)}, or {@code null} without both readings.
     */
    static String kernelRates(ProcessProbe.KernelActivity from, ProcessProbe.KernelActivity to, double callSeconds) {
        if (from == null || to == null || callSeconds <= 0) {
            return null;
        }
        long voluntary = to.voluntarySwitches() - from.voluntarySwitches();
        long involuntary = to.involuntarySwitches() - from.involuntarySwitches();
        return String.format(java.util.Locale.ROOT,
                "%.1f read and %.1f write system calls, %.1f context switches (%.1f voluntary)",
                (to.readCalls() - from.readCalls()) / callSeconds, (to.writeCalls() - from.writeCalls()) / callSeconds,
                (voluntary + involuntary) / callSeconds, voluntary / callSeconds);
    }

    /** Records the time, this process's CPU and the hotline process's CPU (or -1) into {@code sample}. */
    private static void sampleCpu(long[] sample, long now, OperatingSystemMXBean os, Optional<ProcessHandle> server) {
        sample[0] = now;
        sample[1] = os.getProcessCpuTime();
        sample[2] = server.map(ProcessProbe::cpuNanos).orElse(-1L);
    }

    /**
     * The hotline process's memory: RSS mid-run, and the heap from its GC log (no collection is forced while calls
     * run): the median heap after the pauses of the steady window, minus the heap after the collection forced
     * before the first call, per call. Young pauses leave old garbage in place, so this is an upper bound. Then
     * the pauses themselves, which stop every call.
     */
    private static void summarizeServerMemory(List<HotlineLauncher.GcPause> pauses, long heapBefore, long rss,
            long started, long steadyFrom, long steadyTo, int calls, PrintStream out) {
        List<Double> heapInWindow = new ArrayList<>();
        List<Double> pauseMillis = new ArrayList<>();
        double totalPause = 0;
        for (HotlineLauncher.GcPause pause : pauses) {
            if (pause.seenAtNanos() < started) {
                continue;
            }
            double millis = pause.pause().toNanos() / 1e6;
            pauseMillis.add(millis);
            totalPause += millis;
            if (pause.seenAtNanos() >= steadyFrom && pause.seenAtNanos() <= steadyTo) {
                heapInWindow.add((double) pause.heapAfterBytes());
            }
        }
        String heap = heapBefore < 0 ? "heap unknown (jcmd missing beside this java, or its GC.heap_info not understood)"
                : heapInWindow.isEmpty() ? String.format("heap %.1f MB before the calls, no collection read in the steady window",
                        heapBefore / 1e6)
                : String.format("heap after GC %.1f MB in the steady window (median of %d), %.1f MB before the calls ="
                        + " at most %.1f KB per call", Percentiles.of(heapInWindow).p50() / 1e6, heapInWindow.size(),
                        heapBefore / 1e6, (Percentiles.of(heapInWindow).p50() - heapBefore) / 1e3 / calls);
        out.println("hotline process memory: " + heap + (rss >= 0 ? String.format(", RSS %.0f MB mid-run", rss / 1e6) : ""));
        Percentiles p = Percentiles.of(pauseMillis);
        // ZGC and Shenandoah write no "Pause" lines at -Xlog:gc (their short pauses are under gc+phases): a zero
        // from them means "not read", not "none".
        out.printf("hotline GC pauses: %d, %.0f ms in all, p50 %.1f ms, max %.1f ms%s%n", p.count(), totalPause, p.p50(),
                p.max(), p.count() == 0 ? " (none read from -Xlog:gc: ZGC and Shenandoah log no pause lines there)" : "");
    }

    /**
     * One turn as both sides saw it, the stage times already minus their fakes' latencies (NaN: the stage did not
     * happen, or the caller's report of the turn was not found).
     */
    private record TurnRow(String streamSid, int turn, double callerVoiceToVoice, double engineVoiceToVoice,
            double overhead, double stt, double llm, double tts, double send, double vadLag, int callerUnderruns,
            boolean interrupted, double reportedSeconds, boolean afterWarmup) {

        static final String CSV_HEADER = "stream_sid,turn,caller_voice_to_voice_ms,engine_voice_to_voice_ms,"
                + "engine_overhead_ms,stt_overhead_ms,llm_overhead_ms,tts_overhead_ms,first_audio_to_socket_ms,"
                + "vad_lag_audio_ms,caller_voice_to_voice_less_vad_lag_ms,caller_underruns,interrupted,reported_s,"
                + "after_warmup";

        /**
         * The caller's voice-to-voice without the VAD's lag in audio time: the engine's voice-to-voice plus
         * everything its clock does not see (the frames' way in through the socket and the inbound queue, the
         * reply's way out to the caller).
         */
        double callerLessVadLag() {
            return callerVoiceToVoice - vadLag;
        }

        String csv() {
            return String.join(",", streamSid, Integer.toString(turn), cell(callerVoiceToVoice),
                    cell(engineVoiceToVoice), cell(overhead), cell(stt), cell(llm), cell(tts), cell(send),
                    cell(vadLag), cell(callerLessVadLag()), callerUnderruns < 0 ? "" : Integer.toString(callerUnderruns),
                    Boolean.toString(interrupted), cell(reportedSeconds),
                    Boolean.toString(afterWarmup));
        }

        private static String cell(double value) {
            return Double.isNaN(value) ? "" : String.format(java.util.Locale.ROOT, "%.1f", value);
        }
    }

    /**
     * The engine's own account of its turns: its end-of-turn decision to the first reply audio handed to the
     * socket, minus the budget, and the same split by stage (each stage's time minus what its fake was set to
     * take): where the engine's overhead goes. The same again without each call's first turn, which runs while
     * the calls ramp up and the JIT compilers are busiest. Each engine turn is matched with the caller's report
     * of the same turn (same stream, same number) to show what the engine's clock does not see: its VAD placing
     * the end of speech later than the caller's level threshold, and the audio's trips through the sockets.
     * Turns reported at or after {@code warmupEnds} are summarized again on their own, unless it is
     * {@link Long#MIN_VALUE} (no warm-up).
     * With {@code csv}, every turn is written there as a row, with when it was reported (seconds after
     * {@code started}) to line it up with a GC log or a profile.
     */
    private static void summarizeEngine(Budget budget, List<Seen<HotlineLauncher.EngineTurn>> turns,
            List<CallReport> calls, long started, long warmupEnds, Path csv, PrintStream out) throws IOException {
        if (turns.isEmpty()) {
            out.println("engine's clock: no turns reported (a stand-in without an engine, or none finished)");
            return;
        }
        Map<String, TurnReport> callerTurns = new HashMap<>();
        for (CallReport call : calls) {
            for (TurnReport turn : call.turns()) {
                callerTurns.put(call.streamSid() + "#" + turn.index(), turn);
            }
        }
        double eot = millis(budget.endOfTurn());
        List<TurnRow> rows = new ArrayList<>();
        List<TurnRow> steady = new ArrayList<>();
        for (Seen<HotlineLauncher.EngineTurn> seen : turns) {
            HotlineLauncher.EngineTurn turn = seen.value();
            double transcript = turn.transcriptReady().map(BenchCommand::millis).orElse(Double.NaN);
            double sentence = turn.firstSentenceReady().map(BenchCommand::millis).orElse(Double.NaN);
            double audio = turn.firstAudio().map(BenchCommand::millis).orElse(Double.NaN);
            double sent = turn.firstAudioSent().map(BenchCommand::millis).orElse(Double.NaN);
            Optional<TurnReport> caller = Optional.ofNullable(callerTurns.get(turn.streamSid() + "#" + turn.turn()));
            double vadLag = turn.speechEndAudio().map(BenchCommand::millis).orElse(Double.NaN)
                    - caller.flatMap(TurnReport::speechEndAudio).map(BenchCommand::millis).orElse(Double.NaN);
            TurnRow row = new TurnRow(turn.streamSid(), turn.turn(),
                    caller.flatMap(TurnReport::voiceToVoice).map(BenchCommand::millis).orElse(Double.NaN), sent,
                    sent - millis(budget.total()), transcript - eot - millis(budget.sttAfterTurn()),
                    sentence - transcript - millis(budget.llm()), audio - sentence - millis(budget.tts()), sent - audio,
                    vadLag, caller.map(TurnReport::underruns).orElse(-1), turn.interrupted(),
                    (seen.atNanos() - started) / 1e9, seen.atNanos() >= warmupEnds);
            rows.add(row);
            if (row.afterWarmup()) {
                steady.add(row);
            }
        }
        out.println("engine overhead, engine's clock: " + percentiles(rows, TurnRow::overhead).format()
                + "  (its end-of-turn decision to first audio sent, minus " + budget.total().toMillis() + " ms)");
        out.println("  by stage, each minus its fake's latency: " + stages(rows));
        List<TurnRow> warm = rows.stream().filter(row -> row.turn() > 1).toList();
        out.println("  without each call's first turn (ramp-up, JIT): " + percentiles(warm, TurnRow::overhead).format());
        out.println("  by stage, the same turns: " + stages(warm));
        if (warmupEnds != Long.MIN_VALUE) {
            out.println("  after the warm-up: " + percentiles(steady, TurnRow::overhead).format());
            out.println("  by stage, the same turns: " + stages(steady));
        }
        out.println("caller's minus engine's voice-to-voice, same turn: "
                + percentiles(rows, row -> row.callerVoiceToVoice() - row.engineVoiceToVoice()).format()
                + "  (VAD end-of-speech lag and the sockets), of which:");
        out.println("  the VAD's lag, in audio time: " + percentiles(rows, TurnRow::vadLag).format()
                + "  (where the engine's VAD placed the end of speech, after the caller's level threshold)");
        out.println("  the rest, sockets and queues: "
                + percentiles(rows, row -> row.callerLessVadLag() - row.engineVoiceToVoice()).format()
                + "  (frames in through the socket and the inbound queue, reply audio out to the caller)");
        out.println("engine overhead, caller's clock less the VAD's lag: "
                + percentiles(rows, row -> row.callerLessVadLag() - millis(budget.total())).format()
                + "  (the engine's clock and the sockets, minus " + budget.total().toMillis() + " ms)");
        if (warmupEnds != Long.MIN_VALUE) {
            out.println("  after the warm-up: "
                    + percentiles(steady, row -> row.callerLessVadLag() - millis(budget.total())).format());
        }
        if (csv != null) {
            List<String> lines = new ArrayList<>();
            lines.add(TurnRow.CSV_HEADER);
            rows.forEach(row -> lines.add(row.csv()));
            Files.write(csv, lines);
            out.println("every turn: " + csv);
        }
    }

    /**
     * How late the fake providers themselves answered (they share the callers' JVM and CPU): part of every stage
     * overhead above, not the engine's.
     */
    private static void summarizeFakes(FakeOpenAiServer openAi, FakeElevenLabsServer elevenLabs, PrintStream out) {
        Map<String, List<Duration>> lateness = new java.util.TreeMap<>(openAi.lateness());
        lateness.putAll(elevenLabs.lateness());
        List<String> parts = new ArrayList<>();
        lateness.forEach((stage, samples) -> parts.add(stage + " " + brief(Percentiles.of(
                samples.stream().map(BenchCommand::millis).toList()))));
        out.println("the fakes' own lateness (part of the stage overheads above): "
                + (parts.isEmpty() ? "none measured" : String.join(", ", parts)));
    }

    private static String stages(List<TurnRow> rows) {
        return "stt " + brief(percentiles(rows, TurnRow::stt)) + ", llm to first sentence "
                + brief(percentiles(rows, TurnRow::llm)) + ", tts first byte " + brief(percentiles(rows, TurnRow::tts))
                + ", first audio to socket " + brief(percentiles(rows, TurnRow::send));
    }

    private static Percentiles percentiles(List<TurnRow> rows, java.util.function.ToDoubleFunction<TurnRow> value) {
        List<Double> values = new ArrayList<>();
        for (TurnRow row : rows) {
            double v = value.applyAsDouble(row);
            if (!Double.isNaN(v)) {
                values.add(v);
            }
        }
        return Percentiles.of(values);
    }

    private static String brief(Percentiles p) {
        return p.count() == 0 ? "-" : String.format("p50 %.1f / p90 %.1f / p99 %.1f ms", p.p50(), p.p90(), p.p99());
    }

    private static double millis(Duration duration) {
        return duration.toNanos() / 1e6;
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
            ConcurrentLinkedQueue<Seen<TurnReport>> turns, Duration budget) {
        List<Double> latencies = new ArrayList<>();
        int underruns = 0;
        for (TurnReport turn : turns.stream().map(Seen::value).toList()) {
            turn.voiceToVoice().ifPresent(d -> latencies.add(d.toNanos() / 1e6));
            underruns += turn.underruns();
        }
        Percentiles p = Percentiles.of(latencies);
        return String.format("[%4ds] calls live %d/%d, failed %d, turns %d, voice-to-voice p50 %.0f ms p99 %.0f ms%s,"
                + " underruns %d", elapsedNanos / 1_000_000_000L, live, calls, failed, turns.size(), p.p50(), p.p99(),
                budget == null ? "" : String.format(" (overhead p99 %.0f ms)", p.p99() - budget.toNanos() / 1e6),
                underruns);
    }

    /**
     * The callers' account: calls, endings, and every turn's latency, overhead and underruns; with a warm-up, the
     * same again for the turns that ended after it (the steady state, which the JIT compilers and the ramp no
     * longer disturb).
     */
    private static void summarize(Settings settings, Duration budget, List<Seen<TurnReport>> turns, long started,
            long warmupEnds, List<CallReport> reports, int failed, String firstFailure, long maxLagNanos,
            PrintStream out) {
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
        summarizeTurns("", turns.stream().map(Seen::value).toList(), budget, out);
        if (!settings.warmup().isZero()) {
            List<TurnReport> steady = turns.stream().filter(seen -> seen.atNanos() >= warmupEnds).map(Seen::value)
                    .toList();
            out.printf("after the %d s warm-up (turns that ended later):%n", settings.warmup().toSeconds());
            summarizeTurns("  ", steady, budget, out);
        }
        listUnderruns(turns, reports, started, out);
        out.printf("protocol errors: %d; caller clock lag max %.1f ms%s%n", protocolErrors, maxLagNanos / 1e6,
                maxLagNanos > 20_000_000L ? " (the load generator itself fell behind: treat numbers with care)" : "");
    }

    /** The turns with underruns, when, and where in the reply: at most {@link #UNDERRUNS_LISTED}, first first. */
    private static void listUnderruns(List<Seen<TurnReport>> turns, List<CallReport> reports, long started,
            PrintStream out) {
        Map<TurnReport, CallReport> callOf = new IdentityHashMap<>();
        for (CallReport report : reports) {
            report.turns().forEach(turn -> callOf.put(turn, report));
        }
        List<Seen<TurnReport>> gapped = turns.stream().filter(seen -> seen.value().underruns() > 0)
                .sorted(Comparator.comparingLong(Seen::atNanos)).toList();
        for (Seen<TurnReport> seen : gapped.subList(0, Math.min(UNDERRUNS_LISTED, gapped.size()))) {
            TurnReport turn = seen.value();
            CallReport call = callOf.get(turn);
            String where = call == null ? "" : String.format(" of %s, its turn %d of %d%s", call.streamSid(),
                    turn.index(), call.turns().size(), turn.index() == call.turns().size()
                            ? " (its last; the call ended: " + call.ending() + ")" : "");
            out.printf("  underrun: turn reported at %.1f s%s: gaps %d, %d ms in all, the first %d ms after the"
                    + " caller's speech ended; %d ms of reply heard%n", (seen.atNanos() - started) / 1e9, where,
                    turn.underruns(), turn.underrunTime().toMillis(),
                    turn.firstUnderrun().map(Duration::toMillis).orElse(-1L), turn.replyHeard().toMillis());
        }
        if (gapped.size() > UNDERRUNS_LISTED) {
            out.printf("  ... and %d more turns with underruns%n", gapped.size() - UNDERRUNS_LISTED);
        }
    }

    private static void summarizeTurns(String indent, List<TurnReport> turns, Duration budget, PrintStream out) {
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
        out.printf("%sturns: %d answered, %d without reply%n", indent, latencies.size(), unanswered);
        out.println(indent + "voice-to-voice:  " + Percentiles.of(latencies).format());
        if (budget != null) {
            out.println(indent + "engine overhead: " + Percentiles.of(overheads).format() + "  (latency minus "
                    + budget.toMillis() + " ms budget; where the engine placed the end of speech counts too: the VAD's"
                    + " lag, below)");
        }
        out.printf("%sunderruns: %d in %d turns, %d ms of gaps%n", indent, underruns, turnsWithUnderruns, underrunMillis);
        if (!clears.isEmpty()) {
            out.println(indent + "barge-in to clear: " + Percentiles.of(clears).format());
        }
    }
}
