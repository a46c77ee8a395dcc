package dev.hotline.audio;

import java.time.Duration;
import java.util.Objects;

/**
 * How a stream of audio bytes is to be read: sample encoding, sample rate and channel count.
 *
 * <p>Instances are immutable values. The constants cover the formats the engine meets on the wire:
 * Twilio Media Streams carry {@link #ULAW_8K}; browsers and most speech models work in
 * {@link #PCM16_16K}; some TTS engines produce {@link #PCM16_24K}.
 *
 * @param encoding how each sample is stored
 * @param sampleRate samples per second per channel, in Hz; must be positive
 * @param channels interleaved channels; must be positive
 */
public record AudioFormat(Encoding encoding, int sampleRate, int channels) {

    /** G.711 mu-law, 8 kHz, mono: the telephone network's format and Twilio Media Streams' only one. */
    public static final AudioFormat ULAW_8K = new AudioFormat(Encoding.ULAW, 8_000, 1);
    /** G.711 A-law, 8 kHz, mono: the European telephone network's format. */
    public static final AudioFormat ALAW_8K = new AudioFormat(Encoding.ALAW, 8_000, 1);
    /** 16-bit linear PCM, little-endian, 8 kHz, mono. */
    public static final AudioFormat PCM16_8K = new AudioFormat(Encoding.PCM16_LE, 8_000, 1);
    /** 16-bit linear PCM, little-endian, 16 kHz, mono: what speech recognizers and browsers use. */
    public static final AudioFormat PCM16_16K = new AudioFormat(Encoding.PCM16_LE, 16_000, 1);
    /** 16-bit linear PCM, little-endian, 24 kHz, mono. */
    public static final AudioFormat PCM16_24K = new AudioFormat(Encoding.PCM16_LE, 24_000, 1);

    /** How one sample is stored. */
    public enum Encoding {
        /** Signed 16-bit linear PCM, little-endian: 2 bytes per sample. */
        PCM16_LE(2),
        /** ITU-T G.711 mu-law: 1 byte per sample. */
        ULAW(1),
        /** ITU-T G.711 A-law: 1 byte per sample. */
        ALAW(1);

        private final int bytesPerSample;

        Encoding(int bytesPerSample) {
            this.bytesPerSample = bytesPerSample;
        }

        /** Bytes one sample of one channel takes. */
        public int bytesPerSample() {
            return bytesPerSample;
        }
    }

    public AudioFormat {
        Objects.requireNonNull(encoding, "encoding");
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be > 0, was " + sampleRate);
        }
        if (channels <= 0) {
            throw new IllegalArgumentException("channels must be > 0, was " + channels);
        }
    }

    /** Bytes one sample frame (one sample of every channel) takes. */
    public int bytesPerFrame() {
        return encoding.bytesPerSample() * channels;
    }

    /** Bytes per second of audio in this format. */
    public int bytesPerSecond() {
        return bytesPerFrame() * sampleRate;
    }

    /** Bytes that {@code millis} milliseconds of audio take, rounded down to whole sample frames. */
    public int bytesForMillis(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("millis must be >= 0, was " + millis);
        }
        return Math.toIntExact(millis * sampleRate / 1000 * bytesPerFrame());
    }

    /** How long {@code byteCount} bytes of audio in this format play. */
    public Duration durationOf(long byteCount) {
        if (byteCount < 0) {
            throw new IllegalArgumentException("byteCount must be >= 0, was " + byteCount);
        }
        long frames = byteCount / bytesPerFrame();
        return Duration.ofNanos(frames * 1_000_000_000L / sampleRate);
    }

    /** The same rate and channels, as 16-bit linear PCM. */
    public AudioFormat asPcm16() {
        return encoding == Encoding.PCM16_LE ? this : new AudioFormat(Encoding.PCM16_LE, sampleRate, channels);
    }

    @Override
    public String toString() {
        return encoding + "/" + sampleRate + "Hz/" + channels + "ch";
    }
}
