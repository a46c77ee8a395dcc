package dev.hotline.local;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.hotline.core.VoiceActivityDetector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.util.Arrays;
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
 * <p><b>Lifecycle.</b> One detector per call, made by a {@link Factory}; it holds the call's model state,
 * context and partial window (a few kB). The factory holds the one model session every detector shares;
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

    private final Factory factory;
    private final int sampleRate;
    private final int window;
    private final int context;
    /** context samples, then window samples: the model's input, reused. */
    private final float[] input;
    private int filled;
    private float[][][] state = new float[2][1][STATE_SIZE];
    private float probability;

    private SileroVad(Factory factory, int sampleRate) {
        this.factory = factory;
        this.sampleRate = sampleRate;
        this.window = sampleRate == 16_000 ? 512 : 256;
        this.context = sampleRate == 16_000 ? 64 : 32;
        this.input = new float[context + window];
    }

    @Override
    public float speechProbability(short[] samples, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > samples.length) {
            throw new IndexOutOfBoundsException("offset " + offset + " and length " + length
                    + " do not fit in " + samples.length + " samples");
        }
        for (int i = 0; i < length; i++) {
            input[context + filled++] = samples[offset + i] / 32_768f;
            if (filled == window) {
                probability = runWindow();
                System.arraycopy(input, window, input, 0, context);
                filled = 0;
            }
        }
        return probability;
    }

    @Override
    public void reset() {
        Arrays.fill(input, 0f);
        filled = 0;
        state = new float[2][1][STATE_SIZE];
        probability = 0f;
    }

    /** The samples per model window at this detector's rate: 512 at 16 kHz, 256 at 8 kHz. */
    public int windowSamples() {
        return window;
    }

    private float runWindow() {
        OrtEnvironment env = factory.env;
        try (OnnxTensor audio = OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, input.length});
                OnnxTensor lstm = OnnxTensor.createTensor(env, state);
                OnnxTensor rate = OnnxTensor.createTensor(env, new long[] {sampleRate});
                OrtSession.Result result = factory.session.run(Map.of("input", audio, "state", lstm, "sr", rate))) {
            float[][] output = (float[][]) result.get("output").orElseThrow().getValue();
            state = (float[][][]) result.get("stateN").orElseThrow().getValue();
            return output[0][0];
        } catch (OrtException e) {
            throw new IllegalStateException("Silero VAD failed to run: " + e.getMessage(), e);
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
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime could not load the Silero model: " + e.getMessage(), e);
            }
        }

        /**
         * A new detector.
         *
         * @param sampleRate 8000 or 16000, the only rates the model knows
         */
        @Override
        public SileroVad create(int sampleRate) {
            if (sampleRate != 8_000 && sampleRate != 16_000) {
                throw new IllegalArgumentException("Silero VAD works at 8000 or 16000 Hz, was " + sampleRate);
            }
            return new SileroVad(this, sampleRate);
        }

        @Override
        public String name() {
            return "silero v5 (onnxruntime)";
        }

        /** Releases the session. Detectors made by this factory must not be used afterwards. */
        @Override
        public void close() {
            try {
                session.close();
            } catch (OrtException e) {
                throw new IllegalStateException("could not close the Silero session: " + e.getMessage(), e);
            }
        }
    }
}
