package dev.hotline.local;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.Synthesizer;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Measurements behind {@code docs/benchmarks.md}, section "voice-adapters-local". Not a unit test: run by
 * hand, one mode per JVM, as the docs show.
 *
 * <ul>
 *   <li>{@code wer [default|fast|A,R,W,RW,LW]}: sphinx4 word error rate, latency and memory on the shared
 *       phone and LibriVox sets;</li>
 *   <li>{@code vad}: Silero cost per 20 ms of audio, per call;</li>
 *   <li>{@code startup}: time and memory to load recognizer, VAD and TTS and answer a first request.</li>
 * </ul>
 */
public final class LocalBench {

    private LocalBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "wer" -> wer(args.length > 1 ? args[1] : "fast");
            case "vad" -> vad();
            case "startup" -> startup();
            default -> throw new IllegalArgumentException("usage: LocalBench wer [default|fast|A,R,W,RW,LW] | vad | startup");
        }
    }

    private static void wer(String tuningName) throws Exception {
        SphinxTranscriber.Tuning tuning = switch (tuningName) {
            case "default" -> SphinxTranscriber.Tuning.DEFAULT;
            case "fast" -> SphinxTranscriber.Tuning.FAST;
            default -> {
                String[] p = tuningName.split(",");
                yield new SphinxTranscriber.Tuning(Integer.parseInt(p[0]), Double.parseDouble(p[1]),
                        Integer.parseInt(p[2]), Double.parseDouble(p[3]), Double.parseDouble(p[4]));
            }
        };
        Path speech = speechDir();
        long t0 = System.nanoTime();
        try (SphinxTranscriber sphinx = new SphinxTranscriber(tuning)) {
            System.out.printf(Locale.ROOT, "load %.0f ms, tuning %s%n", (System.nanoTime() - t0) / 1e6, tuning);
            runSet("librivox", SpeechSets.librivox(speech), sphinx);
            runSet("phone", SpeechSets.phone(speech), sphinx);
        }
        System.out.printf(Locale.ROOT, "max RSS %s%n", rss("VmHWM"));
    }

    static WordErrorRate.Count runSet(String name, List<SpeechSets.Sample> samples, Transcriber transcriber)
            throws IOException {
        WordErrorRate.Count total = new WordErrorRate.Count(0, 0);
        double audio = 0;
        double busy = 0;
        double worst = 0;
        double cpu = 0;
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (SpeechSets.Sample sample : samples) {
            long cpuStart = threads.getCurrentThreadCpuTime();
            long start = System.nanoTime();
            Transcript transcript = transcriber.transcribe(sample.utterance(), Transcriber.Hints.NONE,
                    new CancelSignal());
            double ms = (System.nanoTime() - start) / 1e6;
            double cpuMs = (threads.getCurrentThreadCpuTime() - cpuStart) / 1e6;
            cpu += cpuMs;
            WordErrorRate.Count count = WordErrorRate.count(sample.reference(), transcript.text());
            total = total.plus(count);
            double seconds = sample.utterance().duration().toNanos() / 1e9;
            audio += seconds;
            busy += ms;
            worst = Math.max(worst, ms);
            System.out.printf(Locale.ROOT, "  %-45s %5.2f s audio %6.0f ms (cpu %6.0f ms)  %2d/%2d  | %s%n",
                    sample.name(), seconds, ms, cpuMs, count.errors(), count.referenceWords(), transcript.text());
        }
        System.out.printf(Locale.ROOT,
                "%s: WER %.1f %% (%d/%d), %d utterances, %.1f s audio, mean %.0f ms (cpu %.0f ms), worst %.0f ms,"
                        + " RTF %.2f (cpu %.2f)%n",
                name, 100 * total.rate(), total.errors(), total.referenceWords(), samples.size(), audio,
                busy / samples.size(), cpu / samples.size(), worst, busy / 1000 / audio, cpu / 1000 / audio);
        return total;
    }

    private static void vad() throws Exception {
        try (SileroVad.Factory factory = SileroVad.factory()) {
            for (int rate : new int[] {8_000, 16_000}) {
                short[] audio = TestAudio.whiteNoise(rate, 60, 1_000, 3);
                short[] speech = SileroVadTest.librivox().getFirst().samples();
                short[] input = rate == 16_000 ? TestAudio.mix(audio, speech) : TestAudio.mix(audio,
                        TestAudio.halfRate(speech));
                int frame = rate / 50;
                for (int round = 0; round < 3; round++) {
                    SileroVad vad = factory.create(rate);
                    long start = System.nanoTime();
                    for (int at = 0; at + frame <= input.length; at += frame) {
                        vad.speechProbability(input, at, frame);
                    }
                    double ms = (System.nanoTime() - start) / 1e6;
                    int frames = input.length / frame;
                    System.out.printf(Locale.ROOT, "silero %d Hz round %d: %.1f ms for %d s of audio = %.3f ms per 20 ms"
                            + " frame (%.4f of one core)%n", rate, round, ms, input.length / rate, ms / frames,
                            ms / frames / 20);
                }
            }
        }
    }

    private static void startup() throws Exception {
        long start = System.nanoTime();
        try (SphinxTranscriber sphinx = new SphinxTranscriber();
                SileroVad.Factory vad = SileroVad.factory();
                FreeTtsSynthesizer tts = new FreeTtsSynthesizer()) {
            double sphinxMs = (System.nanoTime() - start) / 1e6;
            vad.create(8_000).speechProbability(new short[256], 0, 256);
            double vadMs = (System.nanoTime() - start) / 1e6 - sphinxMs;
            tts.warmUp();
            double ttsMs = (System.nanoTime() - start) / 1e6 - sphinxMs - vadMs;
            System.out.printf(Locale.ROOT, "ready in %.0f ms (sphinx4 %.0f, silero %.0f, freetts %.0f); RSS %s%n",
                    (System.nanoTime() - start) / 1e6, sphinxMs, vadMs, ttsMs, rss("VmRSS"));
            long first = System.nanoTime();
            java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream();
            tts.synthesize(Synthesizer.Request.of("Hey! Thanks for calling my hotline.", AudioFormat.PCM16_16K),
                    reply::writeBytes, new CancelSignal());
            double ttsCall = (System.nanoTime() - first) / 1e6;
            first = System.nanoTime();
            Transcript heard = sphinx.transcribe(new Utterance(AudioFormat.PCM16_16K, reply.toByteArray()),
                    Transcriber.Hints.NONE, new CancelSignal());
            double sttCall = (System.nanoTime() - first) / 1e6;
            System.out.printf(Locale.ROOT, "first TTS %.0f ms, first STT %.0f ms (heard \"%s\"); RSS %s, max RSS %s%n",
                    ttsCall, sttCall, heard.text(), rss("VmRSS"), rss("VmHWM"));
        }
    }

    private static Path speechDir() {
        String shared = System.getProperty("hotline.shared.dir", "../shared");
        Path dir = Path.of(shared, "fixtures", "speech");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no shared recordings at " + dir.toAbsolutePath()
                    + "; pass -Dhotline.shared.dir=/path/to/shared");
        }
        return dir;
    }

    static String rss(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).strip();
            }
        }
        return "unknown";
    }
}
