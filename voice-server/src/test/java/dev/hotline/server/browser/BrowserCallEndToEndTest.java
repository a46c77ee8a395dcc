package dev.hotline.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hotline.audio.AudioClip;
import dev.hotline.audio.Pcm16;
import dev.hotline.audio.Wav;
import dev.hotline.core.CallEvent;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallObserver;
import dev.hotline.core.CallTransport;
import dev.hotline.core.Engine;
import dev.hotline.core.Persona;
import dev.hotline.core.Utterance;
import dev.hotline.server.CallHandler;
import dev.hotline.server.CallLimiter;
import dev.hotline.server.InMemoryCallLimiter;
import dev.hotline.core.testing.ScriptedResponder;
import dev.hotline.core.testing.ScriptedSynthesizer;
import dev.hotline.core.testing.ScriptedTranscriber;
import dev.hotline.audio.AudioFormat;
import io.javalin.Javalin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A call from the real page in headless Chromium, with a fake microphone playing shared recordings, to the
 * real routes and engine with scripted providers: the caller speaks, then talks over the long reply (barge-in:
 * the server's clear must flush the page's playback and the page must echo the pending marks), then hears
 * the second reply out. Skips when no Chromium binary or no shared fixtures exist.
 */
class BrowserCallEndToEndTest {

    private static final String FIRST_WORDS = "fixtures/speech/librivox/sense_and_sensibility_01_austen_64kb-0880.wav";
    private static final String SECOND_WORDS = "fixtures/speech/librivox/sense_and_sensibility_01_austen_64kb-0930.wav";
    private static final String FIRST_HEARD = "He was not an ill disposed young man.";
    private static final String SECOND_HEARD = "He might even have been made amiable himself.";
    /** Long enough (about 5 s at 40 ms a character) for the caller's second words to cut it. */
    private static final String LONG_REPLY = "Well, that is a generous way to see him. I always thought the story "
            + "was kinder to him than he deserved, but tell me more about why you think so.";
    private static final String SHORT_REPLY = "Fair enough. Thanks for calling!";
    private static final Persona PERSONA = new Persona("Synthetic Jason", "Hello, you are through to Jason.",
            "Be brief.", "Goodbye!", List.of("Are you still there?"), "Sorry, I did not catch that.",
            "Sorry, something went wrong.", null, "en");
    private static final Duration WAIT = Duration.ofSeconds(40);
    private static final Path ARTIFACTS = Path.of("target", "browser-e2e");

    /** Everything the server saw, in order: engine events and the page's mark echoes. */
    private final List<Object> seen = new ArrayList<>();

    @Test
    void givenThePageInHeadlessChromium_whenTheCallerSpeaksAndThenTalksOverTheReply_thenTheCallRunsAsOnThePhone()
            throws Exception {
        Optional<Path> chromiumBinary = HeadlessChromium.find();
        assumeTrue(chromiumBinary.isPresent(), "no chromium binary found on the PATH (apt-get install chromium, "
                + "or -Dhotline.chromium=<path>): skipping the browser end-to-end test");
        Path shared = Path.of(System.getProperty("hotline.shared.dir", "../shared"));
        Path firstWords = shared.resolve(FIRST_WORDS);
        Path secondWords = shared.resolve(SECOND_WORDS);
        assumeTrue(Files.isReadable(firstWords) && Files.isReadable(secondWords),
                "shared fixtures not found at " + shared + ": skipping");

        // The greeting plays during the first silence; the second words start about 1.3 s into the long reply.
        Files.createDirectories(ARTIFACTS);
        Path microphone = ARTIFACTS.resolve("caller-48k.wav").toAbsolutePath();
        Wav.write(new CallerRecording().silence(2_500).speech(firstWords).silence(2_000).speech(secondWords)
                .silence(4_000).toClip(), microphone);

        ScriptedTranscriber transcriber = new ScriptedTranscriber().hear(FIRST_HEARD).hear(SECOND_HEARD);
        ScriptedSynthesizer synthesizer = new ScriptedSynthesizer("scripted", 40);
        BrowserCallRelay relay = new BrowserCallRelay(PERSONA);
        CallObserver observer = event -> {
            record(event);
            relay.onEvent(event);
        };
        Engine engine = Engine.builder()
                .transcriber(transcriber)
                .responder(new ScriptedResponder().reply(LONG_REPLY).reply(SHORT_REPLY))
                .synthesizer(synthesizer)
                .persona(PERSONA)
                .observer(observer)
                .build();
        BrowserRoutes routes = new BrowserRoutes(BrowserSettings.defaults(), PERSONA, new WatchedEngine(engine),
                relay, new InMemoryCallLimiter(CallLimiter.Limits.defaults(), Clock.systemUTC(), Duration.ofHours(1)));
        Javalin app = Javalin.create(config -> routes.addTo(config.routes)).start("127.0.0.1", 0);
        try (HeadlessChromium chromium = HeadlessChromium.launch(chromiumBinary.get(), microphone, ARTIFACTS);
                CdpClient page = chromium.openPage()) {
            page.send("Page.navigate", Map.of("url", "http://127.0.0.1:" + app.port() + "/"));
            await(() -> evaluate(page, "document.readyState === 'complete' && !!document.getElementById('call')"),
                    "the page loaded");

            page.evaluate("document.getElementById('call').click(); true");
            await(() -> evaluate(page, "document.querySelectorAll('#captions .caption.persona .latency').length >= 2"),
                    "both replies' captions and latencies appeared");
            JsonNode captions = page.evaluate("[...document.querySelectorAll('#captions .caption')].map(c => "
                    + "({who: c.classList.contains('caller') ? 'caller' : 'persona', "
                    + "text: c.querySelector('.text').textContent, "
                    + "latency: c.querySelector('.latency')?.textContent ?? null}))");
            JsonNode stats = page.evaluate("window.hotline.stats");
            String state = page.evaluate("window.hotline.state").asText();
            Path screenshot = ARTIFACTS.resolve("call-page.png");
            Files.write(screenshot, Base64.getDecoder().decode(
                    page.send("Page.captureScreenshot", Map.of("format", "png")).get("data").asText()));

            page.evaluate("document.getElementById('hangup').click(); true");
            await(() -> engine.activeCalls() == 0, "the call ended on the server after Hang up");

            assertThat(state).as("the page's call state").isEqualTo("connected");
            List<Object> events = snapshot();
            int firstTurn = indexOf(events, CallEvent.TurnStarted.class, 0);
            int bargeIn = indexOf(events, CallEvent.BargeIn.class, 0);
            assertThat(firstTurn).as("a turn started: the engine heard the caller stop speaking").isPositive();
            assertThat(bargeIn).as("the engine heard the caller talk over the reply").isGreaterThan(firstTurn);
            assertThat(events.subList(0, firstTurn)).as("greeting marks echoed by the page before the first turn")
                    .anyMatch(MarkEcho.class::isInstance);
            assertThat(events.subList(firstTurn, bargeIn)).as("reply marks echoed by the page while it played")
                    .anyMatch(MarkEcho.class::isInstance);
            List<CallEvent.TurnCompleted> turns = events.stream().filter(CallEvent.TurnCompleted.class::isInstance)
                    .map(CallEvent.TurnCompleted.class::cast).toList();
            assertThat(turns).hasSize(2);
            assertThat(turns.get(0).transcript()).isEqualTo(FIRST_HEARD);
            assertThat(turns.get(0).interrupted()).isTrue();
            assertThat(turns.get(0).reply()).as("what the caller heard of the cut reply, as the marks told")
                    .isNotBlank().isNotEqualTo(LONG_REPLY);
            assertThat(LONG_REPLY).startsWith(turns.get(0).reply());
            assertThat(turns.get(1).transcript()).isEqualTo(SECOND_HEARD);
            assertThat(turns.get(1).reply()).isEqualTo(SHORT_REPLY);
            assertThat(turns.get(1).interrupted()).isFalse();

            List<Utterance> utterances = transcriber.utterances();
            assertThat(utterances).hasSize(2);
            assertThat(utterances.getFirst().format()).isEqualTo(AudioFormat.PCM16_16K);
            assertThat(bestCorrelation(utterances.get(0), Wav.read(firstWords)))
                    .as("the engine heard the first recording, resampled to 16 kHz by the page's worklet")
                    .isGreaterThan(0.7);
            assertThat(bestCorrelation(utterances.get(1), Wav.read(secondWords)))
                    .as("the engine heard the second recording").isGreaterThan(0.7);

            assertThat(captions).hasSize(5);
            assertCaption(captions.get(0), "persona", PERSONA.greeting());
            assertCaption(captions.get(1), "caller", FIRST_HEARD);
            assertCaption(captions.get(2), "persona", turns.get(0).reply());
            assertCaption(captions.get(3), "caller", SECOND_HEARD);
            assertCaption(captions.get(4), "persona", SHORT_REPLY);
            assertThat(captions.get(2).get("latency").asText()).matches("answered in \\d+ ms");
            assertThat(captions.get(4).get("latency").asText()).matches("answered in \\d+ ms");
            assertThat(stats.get("clears").asInt()).as("clears the page flushed its playback for").isPositive();
            assertThat(stats.get("framesSent").asInt()).as("20 ms frames sent").isGreaterThan(200);
            assertThat(stats.get("marksEchoed").asInt()).isEqualTo(stats.get("marksReceived").asInt());
            assertThat(Files.size(screenshot)).isGreaterThan(1_000);
        } finally {
            app.stop();
            engine.shutdown(Duration.ZERO);
        }
    }

    /**
     * The highest normalized cross-correlation, over all lags, between what the engine heard and one second
     * from the middle of the recording, both band-passed to the telephone band (300-3400 Hz) by the same
     * filter: near 1 when the page delivered the same speech at the same rate, near 0 for a wrong rate or
     * noise. The band limit keeps the browser's own processing (its high-pass filter and gain control, which
     * echo cancellation and noise suppression switch on) from hiding a good match.
     */
    private static double bestCorrelation(Utterance heard, AudioClip recording) {
        int sampleRate = recording.format().sampleRate();
        float[] received = telephoneBand(Pcm16.toFloats(heard.pcm()), sampleRate);
        float[] whole = telephoneBand(Pcm16.toFloats(recording.toPcm16().data()), sampleRate);
        int start = Math.max(0, whole.length / 2 - sampleRate / 2);
        float[] window = java.util.Arrays.copyOfRange(whole, start, Math.min(whole.length, start + sampleRate));
        double windowEnergy = 0;
        for (float sample : window) {
            windowEnergy += sample * sample;
        }
        double best = 0;
        for (int lag = 0; lag + window.length <= received.length; lag++) {
            double dot = 0;
            double energy = 0;
            for (int i = 0; i < window.length; i++) {
                float sample = received[lag + i];
                dot += sample * window[i];
                energy += sample * sample;
            }
            if (energy > 0) {
                best = Math.max(best, dot / Math.sqrt(energy * windowEnergy));
            }
        }
        return best;
    }

    /** Two high-pass (300 Hz) and two low-pass (3400 Hz) Butterworth biquads (RBJ cookbook), in series. */
    private static float[] telephoneBand(float[] samples, int sampleRate) {
        float[] out = samples.clone();
        for (int pass = 0; pass < 2; pass++) {
            biquad(out, sampleRate, 300, true);
            biquad(out, sampleRate, 3400, false);
        }
        return out;
    }

    private static void biquad(float[] x, int sampleRate, double cornerHz, boolean highPass) {
        double w0 = 2 * Math.PI * cornerHz / sampleRate;
        double cos = Math.cos(w0);
        double alpha = Math.sin(w0) / (2 * Math.sqrt(0.5));
        double a0 = 1 + alpha;
        double b0 = (highPass ? (1 + cos) / 2 : (1 - cos) / 2) / a0;
        double b1 = (highPass ? -(1 + cos) : 1 - cos) / a0;
        double b2 = b0;
        double a1 = -2 * cos / a0;
        double a2 = (1 - alpha) / a0;
        double x1 = 0;
        double x2 = 0;
        double y1 = 0;
        double y2 = 0;
        for (int i = 0; i < x.length; i++) {
            double y = b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
            x2 = x1;
            x1 = x[i];
            y2 = y1;
            y1 = y;
            x[i] = (float) y;
        }
    }

    private static boolean evaluate(CdpClient page, String expression) {
        try {
            return page.evaluate(expression).asBoolean();
        } catch (Exception e) {
            throw new AssertionError("evaluating " + expression + " failed", e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting until " + what);
            }
            Thread.sleep(100);
        }
    }

    private synchronized void record(Object event) {
        seen.add(event);
    }

    private synchronized List<Object> snapshot() {
        return List.copyOf(seen);
    }

    private static void assertCaption(JsonNode caption, String who, String text) {
        assertThat(caption.get("who").asText()).isEqualTo(who);
        assertThat(caption.get("text").asText()).isEqualTo(text);
    }

    private static int indexOf(List<Object> events, Class<?> type, int from) {
        for (int i = from; i < events.size(); i++) {
            if (type.isInstance(events.get(i))) {
                return i;
            }
        }
        return -1;
    }

    /** The page echoed a mark: the audio before it played. */
    private record MarkEcho(String name) {
    }

    /** The engine as the server sees it, each call's transport watched for mark echoes. */
    private final class WatchedEngine implements CallHandler {
        private final Engine engine;

        WatchedEngine(Engine engine) {
            this.engine = engine;
        }

        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public void startCall(CallTransport transport) {
            engine.startCall(new MarkWatchingTransport(transport));
        }

        @Override
        public void refuseCall(CallTransport transport, String message) {
            engine.refuseCall(transport, message);
        }

        @Override
        public int activeCalls() {
            return engine.activeCalls();
        }

        @Override
        public void shutdown(Duration drain) {
            try {
                engine.shutdown(drain);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Passes everything through, noting each mark echo the engine receives, in order with its events. */
    private final class MarkWatchingTransport implements CallTransport {
        private final CallTransport delegate;

        MarkWatchingTransport(CallTransport delegate) {
            this.delegate = delegate;
        }

        @Override
        public void start(Listener listener) {
            delegate.start(new Listener() {
                @Override
                public void onStart(CallInfo call) {
                    listener.onStart(call);
                }

                @Override
                public void onAudio(byte[] frame) {
                    listener.onAudio(frame);
                }

                @Override
                public void onDtmf(char digit) {
                    listener.onDtmf(digit);
                }

                @Override
                public void onMark(String name) {
                    record(new MarkEcho(name));
                    listener.onMark(name);
                }

                @Override
                public void onStop() {
                    listener.onStop();
                }
            });
        }

        @Override
        public AudioFormat audioFormat() {
            return delegate.audioFormat();
        }

        @Override
        public boolean sendAudio(byte[] audio) {
            return delegate.sendAudio(audio);
        }

        @Override
        public void sendMark(String name) {
            delegate.sendMark(name);
        }

        @Override
        public void clear() {
            delegate.clear();
        }

        @Override
        public void hangUp() {
            delegate.hangUp();
        }
    }
}
