package dev.hotline.local;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.hotline.core.VoiceActivityDetector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;

/**
 * Silero VAD v5 (a small LSTM model by the Silero Team, MIT licence) run through ONNX Runtime: the speech
 * probability of each 32 ms window of audio, robust to noise, music and tones where an energy detector is not.
 *
 * <p>The model takes a window of 512 samples at 16 kHz (256 at 8 kHz) preceded by the last 64 (32) samples
 * of the window before, plus the LSTM state it returned last time. Frames of any length are buffered into
 * whole windows; {@link #speechProbability} returns the probability of the latest complete window (0 until
 * the first window is complete).
 *
 * <p><b>Energy gate.</b> A window whose RMS is at or below {@link Gate#rms()} (default -60 dBFS: digital
 * silence and a telephone line's noise floor, far below the quietest speech in the shared recordings) is
 * not given to the model while the model's own last probability is below {@link Gate#below()}: it counts
 * as silence (probability 0) and costs a sum of squares instead of a model run. The LSTM state is kept as
 * the model left it (it already judged the audio before the gap as not speech) and the gated samples still
 * become the next window's context, so speech after a gap is scored as it would be after a short pause.
 * While the model still says speech (the tail of a word, a pause inside a sentence) every window is run,
 * so the gate never cuts an utterance short. {@link Factory#create} uses {@link Gate#DEFAULT};
 * {@link Gate#OFF} runs every window. docs/providers-local.md explains the threshold.
 *
 * <p><b>Batching.</b> A factory made with {@link Batching#DEFAULT} (the server's) runs the windows of calls
 * that arrive within 2 ms of each other in one model run ({@link WindowBatcher}): when many calls speak at once
 * that halves the model's cost, for at most 2 ms more before a window's probability is known. With few calls
 * no window waits. {@link #factory()} runs every window alone at once.
 *
 * <p><b>Lifecycle.</b> One detector per call, made by a {@link Factory}; it holds the call's model state,
 * context and partial window (a few kB) in Java arrays. The factory holds the one model session every
 * detector shares and the native tensors the runs use; close the factory when the application stops, after
 * the last detector was used.
 *
 * <p><b>Threading.</b> A detector is not thread-safe (one call's inbound thread feeds it). Detectors of
 * different calls run the shared session concurrently; ONNX Runtime's {@code run} is thread-safe.
 *
 * <p><b>Failures.</b> An error inside ONNX Runtime (it does not happen with the shipped model) is an
 * {@link IllegalStateException}; the engine then treats the call's VAD as failed.
 */
public final class SileroVad implements VoiceActivityDetector {

    /** Where the model sits on the class path, with its LICENSE and NOTICE beside it. */
    public static final String MODEL_RESOURCE = "/dev/hotline/local/silero/silero_vad.onnx";
    private final WindowBatcher batcher;
    private final int window;
    private final int context;
    /** Sum of squares of a window at or below which the gate may skip it; -1 when the gate is off. */
    private final long gateEnergy;
    private final float gateBelow;
    /** The model's input (context samples, then window samples, assembled here) and the LSTM state. */
    private final WindowBatcher.Request request;
    private final float[] input;
    private int filled;
    /** Sum of squares of the samples of the window being filled. */
    private long energy;
    private float probability;
    /** The probability of the last window the model ran (gated windows do not change it). */
    private float modelProbability;
    private long windowsRun;
    private long windowsGated;

    private SileroVad(WindowBatcher batcher, int sampleRate, Gate gate) {
        this.batcher = batcher;
        this.window = windowOf(sampleRate);
        this.context = contextOf(sampleRate);
        this.gateEnergy = gate.below() > 0 ? (long) Math.floor(gate.rms() * gate.rms() * window) : -1;
        this.gateBelow = gate.below();
        this.request = new WindowBatcher.Request(context + window);
        this.input = request.input;
    }

    private static int windowOf(int sampleRate) {
        return sampleRate == 16_000 ? 512 : 256;
    }

    /** The samples of the window before that the model reads ahead of each window. */
    private static int contextOf(int sampleRate) {
        return sampleRate == 16_000 ? 64 : 32;
    }

    @Override
    public float speechProbability(short[] samples, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > samples.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " and length " + length
                    + " do not fit in " + samples.length + " samples");
        }
        for (int i = 0; i < length; i++) {
            int sample = samples[offset + i];
            input[context + filled++] = sample / 32_768f;
            energy += sample * sample;
            if (filled == window) {
                if (energy <= gateEnergy && modelProbability < gateBelow) {
                    probability = 0f;
                    windowsGated++;
                } else {
                    modelProbability = runWindow();
                    probability = modelProbability;
                    windowsRun++;
                }
                System.arraycopy(input, window, input, 0, context);
                filled = 0;
                energy = 0;
            }
        }
        return probability;
    }

    @Override
    public void reset() {
        Arrays.fill(input, 0f);
        filled = 0;
        energy = 0;
        Arrays.fill(request.state, 0f);
        probability = 0f;
        modelProbability = 0f;
    }

    /** The samples per model window at this detector's rate: 512 at 16 kHz, 256 at 8 kHz. */
    public int windowSamples() {
        return window;
    }

    /** Windows the model ran since this detector was made (a reset does not clear the count). */
    public long windowsRun() {
        return windowsRun;
    }

    /** Windows the energy gate scored as silence without running the model (not cleared by a reset). */
    public long windowsGated() {
        return windowsGated;
    }

    /**
     * When a window skips the model.
     *
     * @param rms a window whose RMS (in 16-bit sample units) is at or below this is quiet enough to skip
     * @param below ... but only while the model's last probability is below this; 0 turns the gate off
     */
    public record Gate(double rms, float below) {

        /**
         * RMS 32 (-60 dBFS) and below 0.1: the quietest window that started speech in the shared recordings
         * has RMS 230 and a real Twilio line's noise floor is RMS 8-17 (docs/providers-local.md).
         */
        public static final Gate DEFAULT = new Gate(32, 0.1f);
        /** Runs the model on every window. */
        public static final Gate OFF = new Gate(0, 0f);

        /** Validates the bounds. */
        public Gate {
            if (!(rms >= 0 && rms <= Short.MAX_VALUE)) {
                throw new IllegalArgumentException("gate rms must be within 0..32767, was " + rms);
            }
            if (!(below >= 0f && below <= 1f)) {
                throw new IllegalArgumentException("gate probability must be within 0..1, was " + below);
            }
        }
    }

    private float runWindow() {
        batcher.run(request);
        return request.probability;
    }

    /**
     * Whether and how windows of different calls share model runs.
     *
     * @param maxDelay the longest a window waits for others (zero: never)
     * @param maxWindows the most windows in one run (1: every window alone)
     */
    public record Batching(Duration maxDelay, int maxWindows) {

        /** Windows of calls arriving within 2 ms of each other run together, up to 32. */
        public static final Batching DEFAULT = new Batching(Duration.ofMillis(2), 32);
        /** Every window runs alone, at once. */
        public static final Batching NONE = new Batching(Duration.ZERO, 1);

        /** Validates the bounds. */
        public Batching {
            if (maxDelay == null || maxDelay.isNegative() || maxDelay.compareTo(Duration.ofMillis(20)) > 0) {
                throw new IllegalArgumentException("batching delay must be within 0..20 ms, was " + maxDelay);
            }
            if (maxWindows < 1 || maxWindows > 256) {
                throw new IllegalArgumentException("windows per batch must be within 1..256, was " + maxWindows);
            }
        }
    }

    /** Loads the shipped model once; every window runs alone ({@link Batching#NONE}). */
    public static Factory factory() {
        return new Factory(Batching.NONE);
    }

    /** Loads the shipped model once, with windows of different calls batched as {@code batching} says. */
    public static Factory factory(Batching batching) {
        return new Factory(batching);
    }

    /**
     * Holds the ONNX Runtime session and makes one {@link SileroVad} per call. Thread-safe.
     *
     * <p>The session runs each window on the calling thread (one intra-op thread): the model is too small
     * for a thread pool to pay, and calls already run in parallel.
     */
    public static final class Factory implements VoiceActivityDetector.Factory, AutoCloseable {

        private final OrtEnvironment env;
        private final OrtSession session;
        /** The {@code sr} input, read-only and shared by every detector at that rate. */
        private final OnnxTensor rate8k;
        private final OnnxTensor rate16k;
        private final WindowBatcher batcher8k;
        private final WindowBatcher batcher16k;
        private final Batching batching;

        private Factory(Batching batching) {
            if (batching == null) {
                throw new IllegalArgumentException("batching is null; use Batching.NONE for none");
            }
            this.batching = batching;
            byte[] model;
            try (InputStream in = SileroVad.class.getResourceAsStream(MODEL_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("the Silero model " + MODEL_RESOURCE + " is not on the class path");
                }
                model = in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + MODEL_RESOURCE, e);
            }
            this.env = OrtEnvironment.getEnvironment();
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
                this.session = env.createSession(model, options);
                this.rate8k = OnnxTensor.createTensor(env, new long[] {8_000});
                this.rate16k = OnnxTensor.createTensor(env, new long[] {16_000});
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime could not load the Silero model: " + e.getMessage(), e);
            }
            long delay = batching.maxDelay().toNanos();
            this.batcher8k = new WindowBatcher(env, session, rate8k, contextOf(8_000) + windowOf(8_000), delay,
                    batching.maxWindows());
            this.batcher16k = new WindowBatcher(env, session, rate16k, contextOf(16_000) + windowOf(16_000), delay,
                    batching.maxWindows());
        }

        /**
         * A new detector with the {@linkplain Gate#DEFAULT default energy gate}.
         *
         * @param sampleRate 8000 or 16000, the only rates the model knows
         */
        @Override
        public SileroVad create(int sampleRate) {
            return create(sampleRate, Gate.DEFAULT);
        }

        /**
         * A new detector with the given energy gate ({@link Gate#OFF} to run the model on every window).
         *
         * @param sampleRate 8000 or 16000, the only rates the model knows
         */
        public SileroVad create(int sampleRate, Gate gate) {
            if (sampleRate != 8_000 && sampleRate != 16_000) {
                throw new IllegalArgumentException("Silero VAD works at 8000 or 16000 Hz, was " + sampleRate);
            }
            if (gate == null) {
                throw new IllegalArgumentException("gate is null; use Gate.OFF for no gate");
            }
            return new SileroVad(sampleRate == 16_000 ? batcher16k : batcher8k, sampleRate, gate);
        }

        /**
         * Model runs so far at 8 kHz and the windows they held, {runs, windows}: their ratio is the mean batch
         * size.
         */
        public long[] runsAt8k() {
            return batcher8k.counts();
        }

        @Override
        public String name() {
            return batching.maxWindows() > 1 && !batching.maxDelay().isZero()
                    ? "silero v5 (onnxruntime, calls' windows batched within " + batching.maxDelay().toMillis() + " ms)"
                    : "silero v5 (onnxruntime)";
        }

        /** Releases the session. Detectors made by this factory must not be used afterwards. */
        @Override
        public void close() {
            batcher8k.close();
            batcher16k.close();
            rate8k.close();
            rate16k.close();
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("could not close the Silero session: " + e.getMessage(), e);
            }
        }
    }
}
