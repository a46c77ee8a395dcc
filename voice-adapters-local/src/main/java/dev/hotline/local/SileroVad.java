package dev.hotline.local;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.hotline.core.VoiceActivityDetector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
 * <p><b>Lifecycle.</b> One detector per call, made by a {@link Factory}; it holds the call's model state,
 * context and partial window (a few kB) in four native tensors made once, which a {@link Cleaner} closes
 * after the detector becomes unreachable (the port has no close). The factory holds the one model session every detector shares;
 * close the factory when the application stops, after the last detector was used.
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
    /** Length of the LSTM state the model carries between windows: [2, batch, 128]. */
    private static final int STATE_SIZE = 128;
    /** Releases the native tensors of detectors nobody holds any more. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final Factory factory;
    private final int window;
    private final int context;
    /** Sum of squares of a window at or below which the gate may skip it; -1 when the gate is off. */
    private final long gateEnergy;
    private final float gateBelow;
    /** context samples, then window samples: the model's input, assembled here, copied to the tensor. */
    private final float[] input;
    private int filled;
    /** Sum of squares of the samples of the window being filled. */
    private long energy;
    private float probability;
    /** The probability of the last window the model ran (gated windows do not change it). */
    private float modelProbability;
    private long windowsRun;
    private long windowsGated;
    /**
     * The native tensors this detector runs with, made once: audio in, the LSTM state in two buffers that
     * take turns being input and output, and the probability out.
     */
    private final Tensors tensors;

    private SileroVad(Factory factory, int sampleRate, Gate gate) {
        this.factory = factory;
        this.window = sampleRate == 16_000 ? 512 : 256;
        this.context = sampleRate == 16_000 ? 64 : 32;
        this.gateEnergy = gate.below() > 0 ? (long) Math.floor(gate.rms() * gate.rms() * window) : -1;
        this.gateBelow = gate.below();
        this.input = new float[context + window];
        this.tensors = new Tensors(factory.env, context + window, factory.rateTensor(sampleRate));
        CLEANER.register(this, tensors);
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
        tensors.clearState();
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
        tensors.audioBuffer.put(0, input);
        try (OrtSession.Result ignored = factory.session.run(tensors.inputs(), tensors.outputs())) {
            tensors.swapState();
            return tensors.outputBuffer.get(0);
        } catch (OrtException e) {
            throw new IllegalStateException("Silero VAD failed to run: " + e.getMessage(), e);
        }
    }

    /**
     * One detector's native tensors, all over direct buffers that the Java side reads and writes in place.
     * The state goes in from one buffer and comes out into the other (ONNX Runtime's pinned outputs), so a
     * window allocates no tensor, array or map. Closed by the {@link #CLEANER} once the detector is
     * unreachable (the port has no close): the buffers themselves are ordinary direct buffers.
     */
    private static final class Tensors implements Runnable {

        private final FloatBuffer audioBuffer;
        private final FloatBuffer[] stateBuffers = new FloatBuffer[2];
        private final FloatBuffer outputBuffer;
        private final OnnxTensor audio;
        private final OnnxTensor[] state = new OnnxTensor[2];
        private final OnnxTensor output;
        /** Inputs and pinned outputs for each turn of the state buffers: [0] reads state 0, writes state 1. */
        private final List<Map<String, OnnxTensor>> inputs;
        private final List<Map<String, OnnxTensor>> outputs;
        private int turn;

        Tensors(OrtEnvironment env, int samples, OnnxTensor rate) {
            audioBuffer = directFloats(samples);
            outputBuffer = directFloats(1);
            try {
                audio = OnnxTensor.createTensor(env, audioBuffer, new long[] {1, samples});
                output = OnnxTensor.createTensor(env, outputBuffer, new long[] {1, 1});
                for (int i = 0; i < 2; i++) {
                    stateBuffers[i] = directFloats(2 * STATE_SIZE);
                    state[i] = OnnxTensor.createTensor(env, stateBuffers[i], new long[] {2, 1, STATE_SIZE});
                }
            } catch (OrtException e) {
                run();
                throw new IllegalStateException("ONNX Runtime could not make the VAD's tensors: " + e.getMessage(), e);
            }
            inputs = List.of(Map.of("input", audio, "state", state[0], "sr", rate),
                    Map.of("input", audio, "state", state[1], "sr", rate));
            outputs = List.of(Map.of("output", output, "stateN", state[1]),
                    Map.of("output", output, "stateN", state[0]));
        }

        Map<String, OnnxTensor> inputs() {
            return inputs.get(turn);
        }

        Map<String, OnnxTensor> outputs() {
            return outputs.get(turn);
        }

        void swapState() {
            turn = 1 - turn;
        }

        void clearState() {
            for (FloatBuffer buffer : stateBuffers) {
                for (int i = 0; i < buffer.capacity(); i++) {
                    buffer.put(i, 0f);
                }
            }
            turn = 0;
        }

        /** Closes whatever tensors exist. */
        @Override
        public void run() {
            for (OnnxTensor tensor : new OnnxTensor[] {audio, output, state[0], state[1]}) {
                if (tensor != null) {
                    tensor.close();
                }
            }
        }

        private static FloatBuffer directFloats(int count) {
            return ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
        }
    }

    /** Loads the shipped model once. */
    public static Factory factory() {
        return new Factory();
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

        private Factory() {
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
            return new SileroVad(this, sampleRate, gate);
        }

        private OnnxTensor rateTensor(int sampleRate) {
            return sampleRate == 16_000 ? rate16k : rate8k;
        }

        @Override
        public String name() {
            return "silero v5 (onnxruntime)";
        }

        /** Releases the session. Detectors made by this factory must not be used afterwards. */
        @Override
        public void close() {
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
