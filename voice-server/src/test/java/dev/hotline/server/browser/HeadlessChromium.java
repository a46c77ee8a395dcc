package dev.hotline.server.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Debian's {@code chromium}, headless, with a fake microphone playing a WAV file, driven over the DevTools
 * protocol. For end-to-end tests of the call page.
 */
final class HeadlessChromium implements AutoCloseable {

    private static final Pattern DEVTOOLS_URL = Pattern.compile("DevTools listening on (ws://\\S+)");
    private static final List<String> CANDIDATES = List.of("chromium", "chromium-browser", "google-chrome");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final Path profile;
    private final HttpClient http = HttpClient.newHttpClient();
    private final URI devtools;

    private HeadlessChromium(Process process, Path profile, URI devtools) {
        this.process = process;
        this.profile = profile;
        this.devtools = devtools;
    }

    /** The browser binary: {@code -Dhotline.chromium=<path>}, else the first candidate on the PATH. */
    static Optional<Path> find() {
        String configured = System.getProperty("hotline.chromium");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String name : CANDIDATES) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Starts the browser with {@code microphone} (a 16-bit PCM WAV, played once) as its only audio input, or
     * with Chromium's own fake input (a beep) when {@code microphone} is {@code null}.
     */
    static HeadlessChromium launch(Path binary, Path microphone, Path workDir) throws IOException, InterruptedException {
        Path profile = Files.createTempDirectory(workDir, "chromium-profile-");
        List<String> command = new ArrayList<>(List.of(binary.toString(),
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--autoplay-policy=no-user-gesture-required",
                "--user-data-dir=" + profile,
                "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--window-size=900,900",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"));
        if (microphone != null) {
            command.add("--use-file-for-fake-audio-capture=" + microphone + "%noloop");
        }
        command.add("about:blank");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        CompletableFuture<URI> url = new CompletableFuture<>();
        Thread.ofVirtual().name("chromium-output").start(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    synchronized (output) {
                        output.add(line);
                    }
                    Matcher matcher = DEVTOOLS_URL.matcher(line);
                    if (matcher.find()) {
                        url.complete(URI.create(matcher.group(1)));
                    }
                }
            } catch (IOException e) {
                url.completeExceptionally(e);
            }
            url.completeExceptionally(new IOException("chromium exited before DevTools listened"));
        });
        URI devtools;
        try {
            devtools = url.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            synchronized (output) {
                throw new IOException("chromium did not start: " + String.join("\n", output), e);
            }
        }
        return new HeadlessChromium(process, profile, devtools);
    }

    /** Connects to the browser's first page. */
    CdpClient openPage() throws Exception {
        URI list = URI.create("http://" + devtools.getHost() + ":" + devtools.getPort() + "/json/list");
        HttpResponse<String> targets = http.send(HttpRequest.newBuilder(list).build(),
                HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : JSON.readTree(targets.body())) {
            if ("page".equals(target.path("type").asText())) {
                return CdpClient.connect(http, URI.create(target.get("webSocketDebuggerUrl").asText()));
            }
        }
        throw new IOException("chromium has no page target: " + targets.body());
    }

    /** Stops the browser and every process it started (renderers, the zygote), then deletes its profile. */
    @Override
    public void close() throws Exception {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        children.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : concat(children, process.toHandle())) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                handle.destroyForcibly();
            }
        }
        try (Stream<Path> files = Files.walk(profile)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static List<ProcessHandle> concat(List<ProcessHandle> children, ProcessHandle parent) {
        List<ProcessHandle> all = new ArrayList<>(children);
        all.add(parent);
        return all;
    }
}
