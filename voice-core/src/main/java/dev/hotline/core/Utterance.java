package dev.hotline.core;

import dev.hotline.audio.AudioFormat;
import java.time.Duration;
import java.util.Objects;

/**
 * One finished turn of caller speech, as handed to a {@link Transcriber}: linear PCM, mono, including the
 * pre-roll kept before speech was detected.
 *
 * @param format the audio's format; always 16-bit PCM, mono
 * @param pcm the samples, little-endian; not copied, so callers must not change it afterwards
 */
public record Utterance(AudioFormat format, byte[] pcm) {

    public Utterance {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(pcm, "pcm");
        if (format.encoding() != AudioFormat.Encoding.PCM16_LE || format.channels() != 1) {
            throw new IllegalArgumentException("utterances are 16-bit PCM mono, was " + format);
        }
        if (pcm.length % 2 != 0) {
            throw new IllegalArgumentException("pcm must hold whole 16-bit samples, had " + pcm.length + " bytes");
        }
    }

    /** How long the utterance plays. */
    public Duration duration() {
        return format.durationOf(pcm.length);
    }
}
