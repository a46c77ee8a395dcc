package dev.hotline.audio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Conversions of signed 16-bit linear PCM between little-endian bytes, {@code short[]} and
 * {@code float[]}, and stereo-to-mono down-mixing.
 *
 * <p>Floats use the convention {@code float = short / 32768}, so every short maps into
 * [-1, 1 - 2^-15] exactly and converts back unchanged. Converting floats to shorts rounds to the
 * nearest integer (halves away from zero) and clamps to [-32768, 32767]; NaN becomes 0.
 *
 * <p>Stateless; every method may be called from any thread. Invalid lengths are rejected with an
 * {@link IllegalArgumentException} that names the length, before anything is written.
 */
public final class Pcm16 {

    /** Full scale of a 16-bit sample: {@code float = short / FULL_SCALE}. */
    public static final float FULL_SCALE = 32768f;

    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    private Pcm16() {
    }

    /**
     * Reads little-endian 16-bit samples.
     *
     * @throws IllegalArgumentException if {@code bytes} holds an odd number of bytes
     */
    public static short[] toShorts(byte[] bytes) {
        return toShorts(bytes, 0, bytes.length);
    }

    /**
     * Reads {@code length} bytes from {@code offset} as little-endian 16-bit samples.
     *
     * @throws IllegalArgumentException if {@code length} is odd
     * @throws IndexOutOfBoundsException if the range is outside {@code bytes}
     */
    public static short[] toShorts(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        requireEven(length);
        short[] out = new short[length >> 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) SHORT_LE.get(bytes, offset + (i << 1));
        }
        return out;
    }

    /** Writes samples as little-endian bytes, two per sample. */
    public static byte[] toBytes(short[] samples) {
        return toBytes(samples, 0, samples.length);
    }

    /**
     * Writes {@code count} samples from {@code offset} as little-endian bytes, two per sample.
     *
     * @throws IndexOutOfBoundsException if the range is outside {@code samples}
     */
    public static byte[] toBytes(short[] samples, int offset, int count) {
        Objects.checkFromIndexSize(offset, count, samples.length);
        byte[] out = new byte[count << 1];
        for (int i = 0; i < count; i++) {
            SHORT_LE.set(out, i << 1, samples[offset + i]);
        }
        return out;
    }

    /** Converts samples to floats in [-1, 1): {@code s / 32768}. */
    public static float[] toFloats(short[] samples) {
        float[] out = new float[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = samples[i] / FULL_SCALE;
        }
        return out;
    }

    /**
     * Reads little-endian 16-bit samples as floats in [-1, 1).
     *
     * @throws IllegalArgumentException if {@code bytes} holds an odd number of bytes
     */
    public static float[] toFloats(byte[] bytes) {
        requireEven(bytes.length);
        float[] out = new float[bytes.length >> 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) SHORT_LE.get(bytes, i << 1) / FULL_SCALE;
        }
        return out;
    }

    /** Converts floats (nominally in [-1, 1]) to samples: scaled by 32768, rounded, clamped; NaN is 0. */
    public static short[] fromFloats(float[] samples) {
        short[] out = new short[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = clampToShort(samples[i] * FULL_SCALE);
        }
        return out;
    }

    /** Converts floats (nominally in [-1, 1]) to little-endian 16-bit bytes, as {@link #fromFloats}. */
    public static byte[] floatsToBytes(float[] samples) {
        byte[] out = new byte[samples.length << 1];
        for (int i = 0; i < samples.length; i++) {
            SHORT_LE.set(out, i << 1, clampToShort(samples[i] * FULL_SCALE));
        }
        return out;
    }

    /**
     * Rounds to the nearest 16-bit value (halves away from zero) and clamps to the short range;
     * NaN becomes 0.
     */
    public static short clampToShort(double value) {
        if (value >= Short.MAX_VALUE) {
            return Short.MAX_VALUE;
        }
        if (value <= Short.MIN_VALUE) {
            return Short.MIN_VALUE;
        }
        if (Double.isNaN(value)) {
            return 0;
        }
        return (short) (value < 0 ? -(long) (0.5 - value) : (long) (value + 0.5));
    }

    /**
     * Down-mixes interleaved stereo (L, R, L, R, ...) to mono by averaging each pair, rounding
     * toward minus infinity ({@code (l + r) >> 1}), which cannot overflow.
     *
     * @throws IllegalArgumentException if {@code interleaved} holds an odd number of samples
     */
    public static short[] stereoToMono(short[] interleaved) {
        if ((interleaved.length & 1) != 0) {
            throw new IllegalArgumentException(
                    "interleaved stereo needs an even number of samples, was " + interleaved.length);
        }
        short[] out = new short[interleaved.length >> 1];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) ((interleaved[i << 1] + interleaved[(i << 1) + 1]) >> 1);
        }
        return out;
    }

    /**
     * Down-mixes interleaved stereo little-endian bytes to mono little-endian bytes, as
     * {@link #stereoToMono(short[])}.
     *
     * @throws IllegalArgumentException if the byte count is not a multiple of 4 (one stereo frame)
     */
    public static byte[] stereoToMono(byte[] interleavedLe) {
        if ((interleavedLe.length & 3) != 0) {
            throw new IllegalArgumentException(
                    "16-bit stereo needs a multiple of 4 bytes, was " + interleavedLe.length);
        }
        byte[] out = new byte[interleavedLe.length >> 1];
        for (int i = 0; i < out.length; i += 2) {
            int left = (short) SHORT_LE.get(interleavedLe, i << 1);
            int right = (short) SHORT_LE.get(interleavedLe, (i << 1) + 2);
            SHORT_LE.set(out, i, (short) ((left + right) >> 1));
        }
        return out;
    }

    private static void requireEven(int byteCount) {
        if ((byteCount & 1) != 0) {
            throw new IllegalArgumentException(
                    "16-bit PCM needs an even number of bytes, was " + byteCount);
        }
    }
}
