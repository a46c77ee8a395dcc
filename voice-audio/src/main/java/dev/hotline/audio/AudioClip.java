package dev.hotline.audio;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * A piece of audio held in memory: its {@link AudioFormat} and its bytes, interleaved by channel.
 *
 * <p>Immutable: the constructor copies the bytes and {@link #data()} returns a copy, so a clip can be
 * shared between threads freely. {@link #byteCount()}, {@link #duration()} and the conversions read
 * the bytes without copying them twice.
 *
 * @param format how the bytes are to be read
 * @param data the audio, a whole number of sample frames
 */
public record AudioClip(AudioFormat format, byte[] data) {

    /**
     * @throws IllegalArgumentException if {@code data} is not a whole number of sample frames of {@code format}
     */
    public AudioClip {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(data, "data");
        if (data.length % format.bytesPerFrame() != 0) {
            throw new IllegalArgumentException("data must be a whole number of " + format.bytesPerFrame()
                    + "-byte sample frames of " + format + ", was " + data.length + " bytes");
        }
        data = data.clone();
    }

    /** A copy of the audio bytes. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /**
     * Copies the audio bytes into {@code destination} from {@code offset}.
     *
     * @throws IndexOutOfBoundsException if they do not fit
     */
    public void copyTo(byte[] destination, int offset) {
        Objects.checkFromIndexSize(offset, data.length, destination.length);
        System.arraycopy(data, 0, destination, offset, data.length);
    }

    /** The number of audio bytes. */
    public int byteCount() {
        return data.length;
    }

    /** The number of sample frames (one sample of every channel). */
    public int frameCount() {
        return data.length / format.bytesPerFrame();
    }

    /** How long the clip plays. */
    public Duration duration() {
        return format.durationOf(data.length);
    }

    /** The samples as 16-bit linear PCM (G.711 is decoded), channels interleaved. */
    public short[] toPcm16Samples() {
        return switch (format.encoding()) {
            case PCM16_LE -> Pcm16.toShorts(data);
            case ULAW -> G711.ulawToLinear(data);
            case ALAW -> G711.alawToLinear(data);
        };
    }

    /** The same audio as 16-bit little-endian PCM at the same rate and channel count. */
    public AudioClip toPcm16() {
        return switch (format.encoding()) {
            case PCM16_LE -> this;
            case ULAW -> new AudioClip(format.asPcm16(), G711.ulawToPcm16le(data));
            case ALAW -> new AudioClip(format.asPcm16(), G711.alawToPcm16le(data));
        };
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AudioClip clip && format.equals(clip.format) && Arrays.equals(data, clip.data);
    }

    @Override
    public int hashCode() {
        return 31 * format.hashCode() + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "AudioClip[" + format + ", " + data.length + " bytes, " + duration().toMillis() + " ms]";
    }
}
