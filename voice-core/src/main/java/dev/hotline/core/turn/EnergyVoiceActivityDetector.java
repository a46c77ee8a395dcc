package dev.hotline.core.turn;

import dev.hotline.core.VoiceActivityDetector;

/**
 * A voice activity detector from frame energy against an adaptive noise floor: steady background noise
 * raises the floor and stops counting as speech; speech stands well above it.
 *
 * <p>The probability is a logistic function of how far the frame's level (dBFS) lies above
 * {@code max(noise floor + margin, absolute floor)}. The noise floor follows quiet frames quickly and loud
 * frames slowly, so a long utterance does not teach the detector that speech is noise.
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

    /** Below this level (dBFS) nothing is speech: telephone line hiss sits around -60 to -70 dBFS. */
    private static final double ABSOLUTE_FLOOR_DB = -50;
    /** Speech must stand this many dB above the noise floor. */
    private static final double MARGIN_DB = 12;
    /** How sharply the probability rises around the threshold, in dB. */
    private static final double SLOPE_DB = 2;
    /** Where the noise floor starts: a quiet line. */
    private static final double INITIAL_FLOOR_DB = -70;
    /** Per-frame share of the distance the floor moves towards a quieter frame. */
    private static final double FLOOR_FALL = 0.2;
    /** Per-frame share of the distance the floor moves towards a louder frame: slow, about 5 s to adapt. */
    private static final double FLOOR_RISE = 0.004;

    private double floorDb = INITIAL_FLOOR_DB;

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
        double rms = Math.sqrt(sum / length);
        double db = 20 * Math.log10(Math.max(rms, 1) / 32768.0);
        double threshold = Math.max(floorDb + MARGIN_DB, ABSOLUTE_FLOOR_DB);
        floorDb += (db - floorDb) * (db < floorDb ? FLOOR_FALL : FLOOR_RISE);
        return (float) (1 / (1 + Math.exp(-(db - threshold) / SLOPE_DB)));
    }

    @Override
    public void reset() {
        floorDb = INITIAL_FLOOR_DB;
    }
}
