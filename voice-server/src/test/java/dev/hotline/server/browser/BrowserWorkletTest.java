package dev.hotline.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hotline.core.CallTransport;
import dev.hotline.core.Persona;
import dev.hotline.server.CallHandler;
import dev.hotline.server.CallLimiter;
import dev.hotline.server.InMemoryCallLimiter;
import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The page's two AudioWorklets, run in headless Chromium on an {@code OfflineAudioContext} (rendered as fast
 * as possible, deterministic): the capture resampler's rate and anti-aliasing, and the playback buffer's
 * marks and clear. Skips when no Chromium binary is found.
 */
class BrowserWorkletTest {

    private static final Path ARTIFACTS = Path.of("target", "browser-worklets");
    private static Javalin app;
    private static HeadlessChromium chromium;
    private static CdpClient page;

    @BeforeAll
    static void openThePage() throws Exception {
        Optional<Path> binary = HeadlessChromium.find();
        assumeTrue(binary.isPresent(), "no chromium binary found on the PATH (apt-get install chromium, "
                + "or -Dhotline.chromium=<path>): skipping the AudioWorklet tests");
        BrowserRoutes routes = new BrowserRoutes(BrowserSettings.defaults(), Persona.syntheticJason(),
                new NoCalls(), new BrowserCallRelay(Persona.syntheticJason()), new InMemoryCallLimiter(
                        CallLimiter.Limits.defaults(), Clock.systemUTC(), Duration.ofHours(1)));
        app = Javalin.create(config -> routes.addTo(config.routes)).start("127.0.0.1", 0);
        Files.createDirectories(ARTIFACTS);
        chromium = HeadlessChromium.launch(binary.get(), null, ARTIFACTS);
        page = chromium.openPage();
        page.send("Page.navigate", Map.of("url", "http://127.0.0.1:" + app.port() + "/"));
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (!page.evaluate("document.readyState === 'complete'").asBoolean()) {
            assertThat(System.nanoTime()).as("the page loaded in time").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @AfterAll
    static void closeThePage() throws Exception {
        if (page != null) {
            page.close();
        }
        if (chromium != null) {
            chromium.close();
        }
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void givenA48kHzContext_whenA1kHzAndA12kHzToneAreCaptured_thenTheOutputIs16kHzWithTheAliasSuppressed()
            throws Exception {
        short[] out = capture(48_000, Map.of(1_000, 0.4, 12_000, 0.4));

        assertThat(out.length).as("one second at 16 kHz, in whole 20 ms frames").isBetween(15_680, 16_000);
        assertThat(out.length % 320).isZero();
        double wanted = goertzelPower(out, 16_000, 1_000);
        double alias = goertzelPower(out, 16_000, 4_000); // 12 kHz folds to 16 - 12 = 4 kHz
        assertThat(10 * Math.log10(wanted / alias)).as("alias rejection in dB").isGreaterThan(50);
        assertThat(rms(out, 400) / (0.4 / Math.sqrt(2) * 32_767)).as("pass-band gain").isCloseTo(1.0, within(0.05));
    }

    @Test
    void givenA44_1kHzContext_whenA1kHzToneIsCaptured_thenItComesOutAt1kHzIn16kHzFrames() throws Exception {
        short[] out = capture(44_100, Map.of(1_000, 0.5));

        assertThat(out.length).isBetween(15_680, 16_000);
        int crossings = 0;
        for (int i = 401; i < out.length; i++) {
            if ((out[i - 1] < 0) != (out[i] < 0)) {
                crossings++;
            }
        }
        double seconds = (out.length - 401) / 16_000.0;
        assertThat(crossings / seconds / 2).as("measured frequency in Hz").isCloseTo(1_000, within(5.0));
    }

    @Test
    void givenAudioAndMarks_whenPlayed_thenEveryMarkIsPostedInOrderAndAllAudioPlays() throws Exception {
        JsonNode result = page.evaluate(playback("""
                send(tone(3200)); mark('a'); send(tone(1600)); mark('b');
                """, ""));

        assertThat(names(result.get("marks"))).isEqualTo("a,b");
        double playedSeconds = (result.get("last").asInt() - result.get("first").asInt()) / 48_000.0;
        assertThat(playedSeconds).as("300 ms of audio played").isCloseTo(0.3, within(0.01));
    }

    @Test
    void givenOneSecondQueued_whenClearedAfter100Ms_thenPlaybackStopsAtOnceAndThePendingMarkIsPosted()
            throws Exception {
        JsonNode result = page.evaluate(playback("""
                send(tone(16000)); mark('x'); send(tone(1600)); mark('y');
                """, """
                at(0.1, () => node.port.postMessage({ type: 'clear' }));
                """));

        assertThat(names(result.get("marks"))).isEqualTo("x,y");
        assertThat(result.get("first").asInt() / 48_000.0).as("the first audible sample, in seconds").isLessThan(0.01);
        double lastSoundAt = result.get("last").asInt() / 48_000.0;
        assertThat(lastSoundAt).as("the last audible sample, in seconds").isLessThan(0.15);
    }

    /** Runs the capture worklet over one second of tones at {@code rate}; returns what it posted. */
    private static short[] capture(int rate, Map<Integer, Double> tones) throws Exception {
        StringBuilder oscillators = new StringBuilder();
        tones.forEach((hz, amplitude) -> oscillators.append("tone(").append(hz).append(", ").append(amplitude)
                .append(");\n"));
        JsonNode samples = page.evaluate("""
                (async () => {
                  const context = new OfflineAudioContext(1, %d, %d);
                  await context.audioWorklet.addModule('/browser/capture-worklet.js');
                  const node = new AudioWorkletNode(context, 'pcm16-capture', {
                    numberOfOutputs: 0, processorOptions: { targetRate: 16000, frameSamples: 320 } });
                  const frames = [];
                  node.port.onmessage = (event) => frames.push(new Int16Array(event.data));
                  const tone = (hz, amplitude) => {
                    const oscillator = context.createOscillator();
                    oscillator.frequency.value = hz;
                    const gain = context.createGain();
                    gain.gain.value = amplitude;
                    oscillator.connect(gain).connect(node);
                    oscillator.start();
                  };
                  %s
                  await context.startRendering();
                  await new Promise((resolve) => setTimeout(resolve, 200));
                  return frames.flatMap((frame) => Array.from(frame));
                })()
                """.formatted(rate, rate, oscillators));
        short[] out = new short[samples.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) samples.get(i).asInt();
        }
        return out;
    }

    /** A script that feeds the playback worklet ({@code feed}), renders one second and reports what played. */
    private static String playback(String feed, String during) {
        return """
                (async () => {
                  const context = new OfflineAudioContext(1, 48000, 48000);
                  await context.audioWorklet.addModule('/browser/playback-worklet.js');
                  const node = new AudioWorkletNode(context, 'pcm16-playback', {
                    numberOfInputs: 0, outputChannelCount: [1], processorOptions: { sourceRate: 16000 } });
                  node.connect(context.destination);
                  const marks = [];
                  node.port.onmessage = (event) => marks.push(event.data.name);
                  const tone = (samples) => {
                    const pcm = new Int16Array(samples);
                    for (let i = 0; i < samples; i++) pcm[i] = Math.round(10000 * Math.sin(2 * Math.PI * 500 * i / 16000));
                    return pcm.buffer;
                  };
                  const send = (buffer) => node.port.postMessage({ type: 'audio', pcm: buffer }, [buffer]);
                  const mark = (name) => node.port.postMessage({ type: 'mark', name });
                  // Messages reach the audio thread asynchronously: pause the (otherwise instant) offline
                  // rendering at each scheduled step until the worklet has had time to take them.
                  const settle = () => new Promise((resolve) => setTimeout(resolve, 100));
                  const at = (seconds, action) => context.suspend(seconds).then(async () => {
                    action();
                    await settle();
                    context.resume();
                  });
                  at(0, () => { %s });
                  %s
                  const buffer = await context.startRendering();
                  await new Promise((resolve) => setTimeout(resolve, 200));
                  const out = buffer.getChannelData(0);
                  let first = -1;
                  let last = -1;
                  for (let i = 0; i < out.length; i++) {
                    if (Math.abs(out[i]) > 1e-4) { if (first < 0) first = i; last = i; }
                  }
                  return { marks, first, last };
                })()
                """.formatted(feed, during);
    }

    private static String names(JsonNode array) {
        StringBuilder out = new StringBuilder();
        for (JsonNode name : array) {
            out.append(out.isEmpty() ? "" : ",").append(name.asText());
        }
        return out.toString();
    }

    /** Power of {@code samples} at {@code hz} (Goertzel), skipping the resampler's start-up. */
    private static double goertzelPower(short[] samples, int rate, double hz) {
        double coefficient = 2 * Math.cos(2 * Math.PI * hz / rate);
        double s1 = 0;
        double s2 = 0;
        for (int i = 400; i < samples.length; i++) {
            double s0 = samples[i] + coefficient * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        return s1 * s1 + s2 * s2 - coefficient * s1 * s2;
    }

    private static double rms(short[] samples, int from) {
        double sum = 0;
        for (int i = from; i < samples.length; i++) {
            sum += (double) samples[i] * samples[i];
        }
        return Math.sqrt(sum / (samples.length - from));
    }

    /** These tests make no calls: the page is only the host of the worklets. */
    private static final class NoCalls implements CallHandler {
        @Override
        public boolean ready() {
            return false;
        }

        @Override
        public void startCall(CallTransport transport) {
            throw new AssertionError("no call expected");
        }

        @Override
        public void refuseCall(CallTransport transport, String message) {
            throw new AssertionError("no call expected");
        }

        @Override
        public int activeCalls() {
            return 0;
        }

        @Override
        public void shutdown(Duration drain) {
        }
    }
}
