package dev.hotline.local;

import dev.hotline.testkit.WordErrorRate;
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
 *   <li>{@code wer [default|fast|A,R,W,RW,LW] [all|librivox|phone|phone-unfolded]}: sphinx4 word error rate, latency and
 *       memory on the shared phone and LibriVox sets;</li>
 *   <li>{@code vad}: Silero cost per 20 ms of audio, per call, on audio the energy gate never skips;</li>
 *   <li>{@code vadcall}: Silero cost per call-second on a realistic call ({@link CallScene}), gate on and off;</li>
 *   <li>{@code vadcompare}: Silero (gate on and off) against the energy VAD on the shared speech with noise and
 *       tones, and on {@link CallScene};</li>
 *   <li>{@code vadlag}: where Silero and the turn detector place the end of speech, against the simulated
 *       caller's level threshold, on every shared recording at each of the 8 alignments of a 20 ms frame to
 *       Silero's 32 ms window; and how many turns end inside a recording (at a pause);</li>
 *   <li>{@code startup}: time and memory to load recognizer, VAD and TTS and answer a first request.</li>
 * </ul>
 */
public final class LocalBench {

    private LocalBench() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args.length > 0 ? args[0] : "";
        switch (mode) {
            case "wer" -> wer(args.length > 1 ? args[1] : "fast", args.length > 2 ? args[2] : "all");
            case "vad" -> vad();
            case "vadcall" -> vadCall();
            case "vadbatch" -> batching(java.lang.management.ManagementFactory.getThreadMXBean());
            case "vadcompare" -> vadCompare();
            case "startup" -> startup();
            case "vadlag" -> vadLag();
            default -> throw new IllegalArgumentException("usage: LocalBench wer [default|fast|A,R,W,RW,LW]"
                    + " [all|librivox|phone|phone-unfolded] | vad | vadcall | vadbatch | vadcompare | startup | vadlag");
        }
    }

    private static void wer(String tuningName, String sets) throws Exception {
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
            if (sets.equals("all") || sets.equals("librivox")) {
                runSet("librivox", SpeechSets.librivox(speech), sphinx);
            }
            if (sets.equals("all") || sets.equals("phone")) {
                runSet("phone", SpeechSets.phone(speech), sphinx);
            }
            if (sets.equals("phone-unfolded")) {
                runSet("phone-unfolded", unfolded(SpeechSets.phone(speech)), sphinx);
            }
        }
        System.out.printf(Locale.ROOT, "max RSS %s%n", rss("VmHWM"));
    }

    /**
     * The phone set upsampled to 16 kHz with the plain resampler: the transcriber then takes it as wideband
     * audio and skips its band fold, which shows what the fold is worth.
     */
    private static List<SpeechSets.Sample> unfolded(List<SpeechSets.Sample> phone) {
        return phone.stream().map(s -> new SpeechSets.Sample(s.name(), new Utterance(AudioFormat.PCM16_16K,
                dev.hotline.audio.Pcm16.toBytes(dev.hotline.audio.Resampler.resample(
                        dev.hotline.audio.Pcm16.toShorts(s.utterance().pcm()), 8_000, 16_000))), s.reference()))
                .toList();
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
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (SileroVad.Factory factory = SileroVad.factory()) {
            short[] speech = SileroVadTest.librivox().getFirst().samples();
            for (int rate : new int[] {8_000, 16_000}) {
                short[] noise = TestAudio.whiteNoise(rate, 60, 1_000, 3);
                short[] input = TestAudio.mix(noise, rate == 16_000 ? speech : TestAudio.halfRate(speech));
                int frame = rate / 50;
                int frames = input.length / frame;
                for (int round = 0; round < 3; round++) {
                    SileroVad vad = factory.create(rate);
                    long cpu = threads.getCurrentThreadCpuTime();
                    long start = System.nanoTime();
                    for (int at = 0; at + frame <= input.length; at += frame) {
                        vad.speechProbability(input, at, frame);
                    }
                    double ms = (System.nanoTime() - start) / 1e6;
                    double cpuMs = (threads.getCurrentThreadCpuTime() - cpu) / 1e6;
                    System.out.printf(Locale.ROOT, "silero %d Hz round %d: 60 s of audio in %.0f ms wall, %.0f ms cpu"
                            + " = %.3f ms cpu per 20 ms frame (%.2f %% of one core per call)%n", rate, round, ms, cpuMs,
                            cpuMs / frames, 100 * cpuMs / frames / 20);
                }
            }
            batching(threads);
        }
    }

    /**
     * A detector fed {@link CallScene} (caller turns, line noise, digital silence, non-speech sounds) in 20 ms
     * frames, with and without the energy gate: thread CPU time and heap allocated per second of call.
     */
    private static void vadCall() throws Exception {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        CallScene call = CallScene.build(speechDir());
        short[] input = call.samples();
        int frame = CallScene.RATE / 50;
        System.out.printf(Locale.ROOT, "call: %.1f s, caller speaking %.1f s (%.0f %%)%n", call.seconds(),
                call.speechSeconds(), 100 * call.speechSeconds() / call.seconds());
        try (SileroVad.Factory factory = SileroVad.factory()) {
            for (SileroVad.Gate gate : new SileroVad.Gate[] {SileroVad.Gate.OFF, SileroVad.Gate.DEFAULT,
                    SileroVad.Gate.OFF, SileroVad.Gate.DEFAULT}) {
                for (int round = 0; round < 3; round++) {
                    SileroVad vad = factory.create(CallScene.RATE, gate);
                    long thread = Thread.currentThread().threadId();
                    long allocated = threads.getThreadAllocatedBytes(thread);
                    long cpu = threads.getCurrentThreadCpuTime();
                    for (int at = 0; at + frame <= input.length; at += frame) {
                        vad.speechProbability(input, at, frame);
                    }
                    double cpuMs = (threads.getCurrentThreadCpuTime() - cpu) / 1e6;
                    double bytes = threads.getThreadAllocatedBytes(thread) - allocated;
                    double perSecond = cpuMs / call.seconds();
                    System.out.printf(Locale.ROOT, "gate %-26s round %d: %4.0f ms cpu for the call = %.2f ms cpu per"
                            + " call-second (%.2f %% of a core per call, %.2f cores for 200 calls); model ran %d of"
                            + " %d windows; %.0f bytes allocated per window%n", gateName(gate), round, cpuMs,
                            perSecond, perSecond / 10, perSecond / 1000 * 200, vad.windowsRun(),
                            vad.windowsRun() + vad.windowsGated(), bytes / (vad.windowsRun() + vad.windowsGated()));
                }
            }
        }
    }

    private static String gateName(SileroVad.Gate gate) {
        return gate.equals(SileroVad.Gate.OFF) ? "off" : "rms " + gate.rms() + ", p < " + gate.below();
    }

    /** One session run for 8 calls' windows at once against 8 runs of one window: does batching pay? */
    /**
     * The model's CPU per window when {@link WindowBatcher} runs 1 to 32 windows of different calls together,
     * through the batcher's own pooled tensors (gathering each call's input and state and scattering them back
     * included).
     */
    private static void batching(java.lang.management.ThreadMXBean threads) throws Exception {
        ai.onnxruntime.OrtEnvironment env = ai.onnxruntime.OrtEnvironment.getEnvironment();
        byte[] model;
        try (var in = SileroVad.class.getResourceAsStream(SileroVad.MODEL_RESOURCE)) {
            model = in.readAllBytes();
        }
        try (var options = new ai.onnxruntime.OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(1);
            options.setInterOpNumThreads(1);
            try (var session = env.createSession(model, options);
                    var sr = ai.onnxruntime.OnnxTensor.createTensor(env, new long[] {8_000});
                    WindowBatcher batcher = new WindowBatcher(env, session, sr, 288, 0, 32)) {
                java.util.Random random = new java.util.Random(1);
                for (int round = 0; round < 3; round++) {
                    for (int batch : new int[] {1, 2, 4, 8, 16, 32}) {
                        List<WindowBatcher.Request> requests = new java.util.ArrayList<>();
                        for (int i = 0; i < batch; i++) {
                            WindowBatcher.Request request = new WindowBatcher.Request(288);
                            for (int s = 0; s < 288; s++) {
                                request.input[s] = (float) random.nextGaussian() * 0.05f;
                            }
                            requests.add(request);
                        }
                        int runs = 40_000 / batch;
                        long begin = threads.getCurrentThreadCpuTime();
                        for (int r = 0; r < runs; r++) {
                            batcher.execute(requests);
                        }
                        long cpu = threads.getCurrentThreadCpuTime() - begin;
                        System.out.printf(Locale.ROOT, "round %d, batch %2d (8 kHz windows): %.4f ms cpu per window%n",
                                round, batch, cpu / 1e6 / runs / batch);
                    }
                }
            }
        }
    }

    private static void vadCompare() throws Exception {
        try (SileroVad.Factory factory = SileroVad.factory()) {
            VadComparisonTest.Totals totals = VadComparisonTest.compare(factory, speechDir());
            System.out.printf(Locale.ROOT, "%d recordings, each between silence, white noise, a tone and a chord%n",
                    totals.recordings());
            var rows = new java.util.LinkedHashMap<String, VadScene.Score>();
            rows.put("silero (gate)", totals.silero());
            rows.put("silero (no gate)", totals.sileroUngated());
            rows.put("energy", totals.energy());
            for (var entry : rows.entrySet()) {
                VadScene.Score s = entry.getValue();
                System.out.printf(Locale.ROOT, "%-16s speech frames detected %.2f %%, noise taken for speech %.2f %%,"
                        + " tones %.2f %%, silence %.2f %%%n", entry.getKey(), 100 * s.speechRecall(),
                        100 * s.noiseFalseRate(), 100 * s.toneFalseRate(), 100 * s.silenceFalseRate());
            }
            CallScene call = CallScene.build(speechDir());
            System.out.printf(Locale.ROOT, "call scene: %.1f s, caller speaking %.1f s%n", call.seconds(),
                    call.speechSeconds());
            for (SileroVad.Gate gate : new SileroVad.Gate[] {SileroVad.Gate.OFF, SileroVad.Gate.DEFAULT}) {
                CallScene.Score s = call.score(factory.create(CallScene.RATE, gate));
                System.out.printf(Locale.ROOT, "silero gate %-24s speech frames detected %.2f %%, quiet line taken"
                        + " for speech %.2f %%, sounds %.2f %%, first speech frame %.0f ms into a turn%n",
                        gateName(gate), 100 * s.speechRecall(), 100 * s.quietFalseRate(), 100 * s.soundFalseRate(),
                        s.onsetMillis());
            }
        }
    }

    private static void startup() throws Exception {
        long start = System.nanoTime();
        try (LocalProviders local = LocalProviders.start(LocalProviders.Settings.defaults())) {
            double ready = (System.nanoTime() - start) / 1e6;
            System.out.printf(Locale.ROOT, "LocalProviders.start returned in %.0f ms (TTS warmed up, VAD loaded);"
                    + " process cpu %.0f ms; RSS %s%n", ready, processCpuMillis(), rss("VmRSS"));
            ((DeferredTranscriber) local.transcriber()).await();
            double loaded = (System.nanoTime() - start) / 1e6;
            System.out.printf(Locale.ROOT, "sphinx4 loaded %.0f ms after start; process cpu %.0f ms; RSS %s%n", loaded,
                    processCpuMillis(), rss("VmRSS"));
            long first = System.nanoTime();
            java.io.ByteArrayOutputStream reply = new java.io.ByteArrayOutputStream();
            local.synthesizer().synthesize(Synthesizer.Request.of("When is the next concert?", AudioFormat.ULAW_8K),
                    reply::writeBytes, new CancelSignal());
            double ttsCall = (System.nanoTime() - first) / 1e6;
            first = System.nanoTime();
            Transcript heard = local.transcriber().transcribe(new Utterance(AudioFormat.PCM16_8K,
                    dev.hotline.audio.G711.ulawToPcm16le(reply.toByteArray())), Transcriber.Hints.NONE,
                    new CancelSignal());
            double sttCall = (System.nanoTime() - first) / 1e6;
            System.out.printf(Locale.ROOT, "first TTS %.0f ms (%.2f s of audio), first STT %.0f ms (heard \"%s\");"
                    + " RSS %s, max RSS %s%n", ttsCall, reply.size() / 8000.0, sttCall, heard.text(), rss("VmRSS"),
                    rss("VmHWM"));
        }
    }

    /**
     * Each recording as a call would carry it (mu-law, 20 ms frames, after a second of line silence plus 0-7 frames
     * so that every alignment of frames to windows occurs), through Silero and a {@link dev.hotline.core.turn
     * .TurnDetector} with the default settings, then silence until the turn ends. The lag is where the engine put
     * the end of speech (the turn's end minus the end-of-turn silence) less where the simulated caller does (the
     * end of its last 20 ms frame at or above RMS 330).
     */
    private static void vadLag() throws Exception {
        Path speech = speechDir();
        List<SpeechSets.Sample> samples = new java.util.ArrayList<>(SpeechSets.phone(speech));
        for (SpeechSets.Sample s : SpeechSets.librivox(speech)) {
            samples.add(new SpeechSets.Sample(s.name(), new Utterance(AudioFormat.PCM16_8K,
                    dev.hotline.audio.Pcm16.toBytes(dev.hotline.audio.Resampler.resample(
                            dev.hotline.audio.Pcm16.toShorts(s.utterance().pcm()), s.utterance().format().sampleRate(),
                            8_000))), s.reference()));
        }
        dev.hotline.core.CallSettings settings = dev.hotline.core.CallSettings.defaults();
        int frame = 160;
        long endSilence = settings.endOfTurnSilence().toMillis() * 8;
        List<Double> lags = new java.util.ArrayList<>();
        int splits = 0;
        int runs = 0;
        int earlyStarted = 0;
        int earlyWasted = 0;
        int turns = 0;
        try (SileroVad.Factory factory = SileroVad.factory()) {
            for (SpeechSets.Sample sample : samples) {
                short[] linear = dev.hotline.audio.G711.ulawToLinear(dev.hotline.audio.G711.linearToUlaw(
                        dev.hotline.audio.Pcm16.toShorts(sample.utterance().pcm())));
                int frames = (linear.length + frame - 1) / frame;
                int callerEnd = frames * frame;
                while (callerEnd > 0 && dev.hotline.audio.Energy.rms(linear, callerEnd - frame,
                        Math.min(callerEnd, linear.length) - (callerEnd - frame)) < 330) {
                    callerEnd -= frame;
                }
                double worst = Double.NEGATIVE_INFINITY;
                int fileSplits = 0;
                int wastedBefore = earlyWasted;
                for (int phase = 0; phase < 8; phase++) {
                    int lead = (50 + phase) * frame;
                    short[] call = new short[lead + frames * frame + (int) endSilence * 3];
                    System.arraycopy(linear, 0, call, lead, linear.length);
                    SileroVad vad = factory.create(8_000);
                    dev.hotline.core.turn.TurnDetector detector = new dev.hotline.core.turn.TurnDetector(settings, 8_000);
                    int ends = 0;
                    long lastEnd = -1;
                    java.time.Duration earlyVoiced = null; // what the running early transcript heard, as CallSession
                    for (int at = 0; at + frame <= call.length; at += frame) {
                        float p = vad.speechProbability(call, at, frame);
                        dev.hotline.core.turn.TurnDetector.Event event = detector.onFrame(
                                java.util.Arrays.copyOfRange(call, at, at + frame), frame, p);
                        if (earlyVoiced != null && detector.inTurn() && !detector.voicedSoFar().equals(earlyVoiced)) {
                            earlyWasted++;
                            earlyVoiced = null;
                        }
                        if (earlyVoiced == null && detector.inTurn()
                                && detector.silenceSoFar().compareTo(settings.earlyTranscript()) >= 0) {
                            earlyStarted++;
                            earlyVoiced = detector.voicedSoFar();
                        }
                        if (event == dev.hotline.core.turn.TurnDetector.Event.TURN_ENDED) {
                            ends++;
                            lastEnd = at + frame - endSilence;
                            earlyVoiced = null;
                        }
                    }
                    runs++;
                    turns += ends;
                    if (ends > 1) {
                        fileSplits += ends - 1;
                    }
                    if (lastEnd >= 0) {
                        double lag = (lastEnd - (lead + callerEnd)) / 8.0;
                        lags.add(lag);
                        worst = Math.max(worst, lag);
                    }
                }
                splits += fileSplits;
                System.out.printf(Locale.ROOT, "%-28s worst lag %6.1f ms, turns ended inside: %d, early transcripts"
                        + " cancelled: %d%n", sample.name(), worst, fileSplits, earlyWasted - wastedBefore);
            }
        }
        java.util.Collections.sort(lags);
        System.out.printf(Locale.ROOT, "%d recordings x 8 alignments = %d runs: lag p50 %.1f, p90 %.1f, p99 %.1f, max %.1f,"
                + " min %.1f ms; %d turns ended inside a recording%n", samples.size(), runs,
                lags.get(lags.size() / 2), lags.get((int) (lags.size() * 0.9)), lags.get((int) (lags.size() * 0.99)),
                lags.get(lags.size() - 1), lags.get(0), splits);
        System.out.printf(Locale.ROOT, "early transcripts (%d ms into a pause): %d started, %d cancelled by more speech"
                + " (%.2f per turn); %d turns%n", settings.earlyTranscript().toMillis(), earlyStarted, earlyWasted,
                earlyWasted / (double) turns, turns);
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

    /** CPU time the whole JVM used so far (every thread, JIT and GC included). */
    private static double processCpuMillis() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e6;
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
