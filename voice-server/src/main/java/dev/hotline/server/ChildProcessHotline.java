package dev.hotline.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.CallSettings;
import dev.hotline.testkit.cli.HotlineLauncher;
import dev.hotline.testkit.elevenlabs.FakeElevenLabsServer;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code hotline bench --target process}: the real server started as {@code java -jar hotline.jar} starts it,
 * but in a child JVM of its own, with the environment {@link InProcessHotline#environment} builds (fake
 * providers, dummy keys, no limits, the engine tunables passed through) and nothing else of this process's
 * environment, so no real key reaches it. The callers and the fakes then keep their own heap, collector and
 * threads, and the hotline's CPU and memory can be measured apart.
 *
 * <p>The child's standard output and error are read on a thread of this process: its banner gives the port,
 * its JSON log's {@code turn N done} lines give the engine's timing of every turn (reported as
 * {@link HotlineLauncher.EngineTurn}s), and lines at WARN or above are counted. {@link #close()} asks it to stop
 * (SIGTERM, so its shutdown hook drains) and kills it if it has not within {@link #STOP_TIMEOUT}, then reads its
 * output to the end, so turns it logged while stopping are reported too. Thread-safe.
 */
final class ChildProcessHotline implements HotlineLauncher.RunningHotline {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PORT = Pattern.compile("listening on port (\\d+)");
    /** Unified JVM logging, {@code -Xlog:gc}: {@code [1.234s][info][gc] GC(3) Pause Young (...) 24M->9M(256M) 2.345ms}. */
    private static final Pattern GC = Pattern.compile("\\[gc\\s*] GC\\(\\d+\\) Pause .* (\\d+)M->(\\d+)M\\(\\d+M\\) ([\\d.]+)ms");
    private static final Pattern TURN = Pattern.compile("turn (\\d+) done: voice-to-voice (\\S+) ms \\(transcript (\\S+),"
            + " first text \\S+, first sentence (\\S+), first audio (\\S+), sent (\\S+); speech ended at (\\S+) ms of call"
            + " audio\\)( \\(interrupted\\))?");
    /** Of this process's environment only what a JVM needs to run; never a key. */
    private static final List<String> INHERITED = List.of("PATH", "HOME", "LANG", "TMPDIR", "TZ");
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(15);
    private static final int KEPT_LINES = 30;

    private final Process process;
    private final int port;
    private final Duration endOfTurnSilence;
    private final Duration earlyTranscript;
    private final AtomicLong warnings;
    private final List<HotlineLauncher.GcPause> gcPauses;
    private final Thread reader;

    private ChildProcessHotline(Process process, Thread reader, int port, CallSettings settings, AtomicLong warnings,
            List<HotlineLauncher.GcPause> gcPauses) {
        this.process = process;
        this.gcPauses = gcPauses;
        this.reader = reader;
        this.port = port;
        this.endOfTurnSilence = settings.endOfTurnSilence();
        this.earlyTranscript = settings.earlyTranscript();
        this.warnings = warnings;
    }

    /** A launcher that starts the child JVM with {@code jvmOptions} (e.g. {@code -Xmx512m}) before the class path. */
    static HotlineLauncher launcher(List<String> jvmOptions) {
        List<String> options = List.copyOf(jvmOptions);
        return (openAi, elevenLabs, turns) -> start(options, openAi, elevenLabs, turns);
    }

    private static ChildProcessHotline start(List<String> jvmOptions, FakeOpenAiServer openAi,
            FakeElevenLabsServer elevenLabs, Consumer<HotlineLauncher.EngineTurn> turns)
            throws IOException, ConfigException, InterruptedException {
        Map<String, String> env = InProcessHotline.environment(openAi, elevenLabs);
        CallSettings settings = Bootstrap.settings(ServerConfig.fromEnvironment(env));
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        // The turns are read from the JSON log at INFO: the server's own configuration, even where a test
        // configuration (plain text, warnings only) is on the class path.
        command.add("-Dlogback.configurationFile=logback.xml");
        // Every pause with the heap after it, on standard output: memory per call without forcing a collection
        // in the middle of the run (which would stall the calls being measured).
        command.add("-Xlog:gc:stdout");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Main.class.getName());
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> childEnv = builder.environment();
        childEnv.keySet().retainAll(INHERITED);
        childEnv.putAll(env);
        childEnv.put("HOTLINE_LOG_LEVEL", "INFO");
        Process process = builder.start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        AtomicLong warnings = new AtomicLong();
        List<HotlineLauncher.GcPause> gcPauses = new CopyOnWriteArrayList<>();
        Deque<String> lastLines = new ArrayDeque<>();
        Thread reader = Thread.ofPlatform().daemon().name("bench-hotline-output").start(
                () -> read(process, port, turns, warnings, gcPauses::add, lastLines));
        try {
            int bound = port.get(READY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitReady(bound, process);
            return new ChildProcessHotline(process, reader, bound, settings, warnings, gcPauses);
        } catch (ExecutionException | TimeoutException | IOException e) {
            process.destroyForcibly();
            String tail;
            synchronized (lastLines) {
                tail = String.join("\n", lastLines);
            }
            throw new IOException("the hotline's child JVM did not become ready within " + READY_TIMEOUT.toSeconds()
                    + " s (" + (e.getCause() == null ? e : e.getCause()).getMessage() + "); its last output:\n" + tail, e);
        }
    }

    private static void read(Process process, CompletableFuture<Integer> port, Consumer<HotlineLauncher.EngineTurn> turns,
            AtomicLong warnings, Consumer<HotlineLauncher.GcPause> gcPauses, Deque<String> lastLines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > KEPT_LINES) {
                        lastLines.removeFirst();
                    }
                }
                if (!port.isDone()) {
                    Matcher m = PORT.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
                if (line.startsWith("{")) {
                    onLogLine(line, turns, warnings);
                } else {
                    onGcLine(line, System.nanoTime()).ifPresent(gcPauses);
                }
            }
        } catch (IOException e) {
            port.completeExceptionally(e);
        }
        port.completeExceptionally(new IOException("the child JVM exited" + (process.isAlive() ? ""
                : " with status " + process.exitValue())));
    }

    /** One JSON log line of the child; a line that is not JSON (a crash, a JVM warning) is only kept for errors. */
    static void onLogLine(String line, Consumer<HotlineLauncher.EngineTurn> turns, AtomicLong warnings) {
        JsonNode log;
        try {
            log = JSON.readTree(line);
        } catch (IOException e) {
            return;
        }
        String level = log.path("level").asText();
        if (level.equals("WARN") || level.equals("ERROR")) {
            warnings.incrementAndGet();
        }
        Matcher m = TURN.matcher(log.path("message").asText());
        if (m.find()) {
            turns.accept(new HotlineLauncher.EngineTurn(log.path("streamSid").asText(""), Integer.parseInt(m.group(1)),
                    millis(m.group(3)), millis(m.group(4)), millis(m.group(5)), millis(m.group(6)), millis(m.group(7)),
                    m.group(8) != null));
        }
    }

    /** A pause from a {@code -Xlog:gc} line, or empty for any other line. */
    static Optional<HotlineLauncher.GcPause> onGcLine(String line, long seenAtNanos) {
        Matcher m = GC.matcher(line);
        if (!m.find()) {
            return Optional.empty();
        }
        return Optional.of(new HotlineLauncher.GcPause(seenAtNanos, Long.parseLong(m.group(2)) << 20,
                Duration.ofNanos((long) (Double.parseDouble(m.group(3)) * 1e6))));
    }

    private static Optional<Duration> millis(String logged) {
        return logged.equals("-") ? Optional.empty() : Optional.of(Duration.ofMillis(Long.parseLong(logged)));
    }

    private static void awaitReady(int port, Process process) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet: try again below
            }
            Thread.sleep(100);
        }
        throw new IOException(process.isAlive() ? "/readyz never answered 200" : "it exited");
    }

    @Override
    public URI mediaStreamUrl() {
        return URI.create("ws://127.0.0.1:" + port + "/voice-stream");
    }

    @Override
    public Duration endOfTurnSilence() {
        return endOfTurnSilence;
    }

    @Override
    public Duration earlyTranscript() {
        return earlyTranscript;
    }

    @Override
    public Optional<ProcessHandle> process() {
        return Optional.of(process.toHandle());
    }

    @Override
    public List<HotlineLauncher.GcPause> gcPauses() {
        return List.copyOf(gcPauses);
    }

    @Override
    public long warnings() {
        return warnings.get();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly().waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
            reader.join(STOP_TIMEOUT);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
