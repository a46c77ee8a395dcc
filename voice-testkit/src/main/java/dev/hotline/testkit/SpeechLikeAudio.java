package dev.hotline.testkit;

import dev.hotline.audio.G711;

/**
 * Synthetic audio that an energy-based voice activity detector takes for speech: a voiced buzz (a gliding
 * 110-140 Hz fundamental with eight harmonics) shaped by a per-character envelope, loud on vowels, softer on
 * consonants, quiet between words and silent at punctuation. Its length is proportional to the text:
 * {@code millisPerCharacter} per character, three times that per punctuation mark.
 *
 * <p>Deterministic (the same text gives the same samples) and thread-safe. Not intelligible: a speech
 * recognizer hears a hum, so fakes script their transcripts rather than recognizing this.
 */
public final class SpeechLikeAudio {

    /** Peak amplitude, about -11 dBFS: as loud as a clear phone voice. */
    private static final double PEAK = 9_000;
    private static final int HARMONICS = 8;
    /** Envelope smoothing time constant: long enough to avoid clicks, short enough to keep syllables. */
    private static final double ENVELOPE_MILLIS = 8;

    private SpeechLikeAudio() {
    }

    /**
     * Speech-like audio for {@code text}.
     *
     * @param text what is "said"; only its characters' classes matter
     * @param sampleRate samples per second of the result
     * @param millisPerCharacter how long each letter, digit or space lasts
     * @return the samples and each character's duration
     */
    public static Rendered render(String text, int sampleRate, int millisPerCharacter) {
        if (sampleRate < 4_000 || sampleRate > 48_000) {
            throw new IllegalArgumentException("sampleRate must be in [4000, 48000], was " + sampleRate);
        }
        if (millisPerCharacter < 1 || millisPerCharacter > 1_000) {
            throw new IllegalArgumentException("millisPerCharacter must be in [1, 1000], was " + millisPerCharacter);
        }
        int[] durations = new int[text.length()];
        long totalMillis = 0;
        for (int i = 0; i < text.length(); i++) {
            durations[i] = isPause(text.charAt(i)) ? 3 * millisPerCharacter : millisPerCharacter;
            totalMillis += durations[i];
        }
        short[] samples = new short[Math.toIntExact(totalMillis * sampleRate / 1000)];
        double phase = 0;
        double envelope = 0;
        double smoothing = 1 - Math.exp(-1000.0 / (ENVELOPE_MILLIS * sampleRate));
        int at = 0;
        long elapsedMillis = 0;
        for (int c = 0; c < text.length(); c++) {
            elapsedMillis += durations[c];
            int end = (int) (elapsedMillis * sampleRate / 1000);
            double target = loudness(text.charAt(c));
            for (; at < end && at < samples.length; at++) {
                double t = (double) at / sampleRate;
                double f0 = 125 + 15 * Math.sin(2 * Math.PI * 0.7 * t);
                phase += 2 * Math.PI * f0 / sampleRate;
                double voiced = 0;
                for (int k = 1; k <= HARMONICS; k++) {
                    voiced += Math.sin(k * phase) / k;
                }
                envelope += (target - envelope) * smoothing;
                samples[at] = (short) Math.round(PEAK * 0.55 * envelope * voiced);
            }
        }
        return new Rendered(samples, durations);
    }

    /** Speech-like 8 kHz mu-law for {@code text}, 65 ms per character: a simulated caller's utterance. */
    public static byte[] ulaw8k(String text) {
        return G711.linearToUlaw(render(text, TestkitAudio.TELEPHONE_RATE, 65).samples());
    }

    private static boolean isPause(char c) {
        return ".,;:!?".indexOf(c) >= 0;
    }

    private static double loudness(char c) {
        if (isPause(c)) {
            return 0;
        }
        if (Character.isWhitespace(c)) {
            return 0.1;
        }
        return "aeiouyAEIOUY".indexOf(c) >= 0 ? 1.0 : 0.55;
    }

    /**
     * Rendered audio.
     *
     * @param samples 16-bit mono samples
     * @param characterMillis how long each character of the text lasts, in order
     */
    public record Rendered(short[] samples, int[] characterMillis) {
    }
}
