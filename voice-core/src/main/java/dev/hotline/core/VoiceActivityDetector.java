package dev.hotline.core;

/**
 * Says how likely a stretch of audio is speech.
 *
 * <p><b>Lifecycle.</b> One instance per call (detectors keep state across frames); {@link #reset} forgets
 * that state. Created by a {@link Factory} that the application holds.
 *
 * <p><b>Threading.</b> Not thread-safe: one call's inbound thread feeds it.
 */
public interface VoiceActivityDetector {

    /**
     * Feeds one frame of 16-bit PCM samples at the detector's sample rate and returns the speech probability
     * of the most recent audio, 0..1. Frames may be of any length; detectors that work on fixed windows
     * buffer internally and return their latest window's probability.
     */
    float speechProbability(short[] samples, int offset, int length);

    /** Forgets all state, as if newly created. */
    void reset();

    /** Makes detectors, one per call. */
    interface Factory {
        /** A new detector for audio at {@code sampleRate} Hz. */
        VoiceActivityDetector create(int sampleRate);

        /** A short name for the start-up banner, e.g. {@code "silero v5"}. */
        String name();
    }
}
