package dev.hotline.core.turn;

import dev.hotline.core.VoiceActivityDetector;
import java.util.Arrays;

/**
 * A voice activity detector from frame energy against the noise floor, found by minimum statistics: the
 * floor is the quietest frame of the last {@value #WINDOW_FRAMES} frames (about three seconds of 20 ms
 * frames). Speech always has quiet moments between words, so its floor stays low; steady background noise
 * has none, so within a window it becomes its own floor and stops counting as speech.
 *
 * <p>The probability is a logistic function of how far the frame's level (dBFS) lies above
 * {@code max(floor + 12 dB, -50 dBFS)}.
 *
 * <p>Not thread-safe: one per call, fed by the call's inbound thread.
 */
public final class EnergyVoiceActivityDetector implements VoiceActivityDetector {

    /** Makes one detector per call. */
    public static final Factory FACTORY = new Factory() {
        @Override
        public VoiceActivityDetector create(int sampleRate) {
            return new EnergyVoiceActivityDetector();
        }

        @Override
        public String name() {
            return "energy";
        }
    };

    /** Frames the noise floor looks back over: 150 frames of 20 ms, three seconds. */
    static final int WINDOW_FRAMES = 150;
    /** Below this level (dBFS) nothing is speech: telephone line hiss sits around -60 to -70 dBFS. */
    private static final double ABSOLUTE_FLOOR_DB = -50;
    /** Speech must stand this many dB above the noise floor. */
    private static final double MARGIN_DB = 12;
    /** How sharply the probability rises around the threshold, in dB. */
    private static final double SLOPE_DB = 2;
    /** The level of digital silence: one LSB. */
    private static final double SILENCE_DB = 20 * Math.log10(1 / 32768.0);

    private final double[] window = new double[WINDOW_FRAMES];
    private int next;
    private int filled;

    @Override
    public float speechProbability(short[] samples, int offset, int length) {
        if (length <= 0) {
            return 0f;
        }
        double sum = 0;
        for (int i = offset; i < offset + length; i++) {
            double s = samples[i];
            sum += s * s;
        }
        double db = Math.max(SILENCE_DB, 20 * Math.log10(Math.sqrt(sum / length) / 32768.0));
        window[next] = db;
        next = (next + 1) % WINDOW_FRAMES;
        filled = Math.min(WINDOW_FRAMES, filled + 1);
        double floor = db;
        for (int i = 0; i < filled; i++) {
            floor = Math.min(floor, window[i]);
        }
        double threshold = Math.max(floor + MARGIN_DB, ABSOLUTE_FLOOR_DB);
        return (float) (1 / (1 + Math.exp(-(db - threshold) / SLOPE_DB)));
    }

    @Override
    public void reset() {
        Arrays.fill(window, 0);
        next = 0;
        filled = 0;
    }
}
