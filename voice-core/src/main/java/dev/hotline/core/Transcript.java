package dev.hotline.core;

import java.util.Objects;

/**
 * What a {@link Transcriber} heard.
 *
 * @param text the words, trimmed; empty if nothing was recognised
 * @param language ISO-639-1 code if the provider reported one, else {@code null}
 * @param confidence 0..1 if the provider reports one, else {@code NaN}
 * @param noSpeechProbability 0..1 probability the audio held no speech (Whisper's {@code no_speech_prob}),
 *     else {@code NaN}
 * @param usage what the call cost
 */
public record Transcript(String text, String language, double confidence, double noSpeechProbability,
        Usage usage) {

    public Transcript {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(usage, "usage");
    }

    /** A transcript with only text and usage known. */
    public static Transcript of(String text, Usage usage) {
        return new Transcript(text.strip(), null, Double.NaN, Double.NaN, usage);
    }

    /**
     * What one transcription cost. Providers bill either by audio duration or by tokens; unknown parts are 0.
     *
     * @param audioSeconds seconds of audio billed
     * @param inputTokens tokens billed for input (audio and prompt)
     * @param outputTokens tokens billed for output text
     */
    public record Usage(double audioSeconds, long inputTokens, long outputTokens) {
        /** Nothing billed (local recognizers). */
        public static final Usage NONE = new Usage(0, 0, 0);
    }
}
