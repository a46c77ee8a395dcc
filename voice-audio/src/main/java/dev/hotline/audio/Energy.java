package dev.hotline.audio;

import java.util.Objects;

/**
 * Signal level of a block of samples: RMS in 16-bit units and its level in dBFS.
 *
 * <p>dBFS here is {@code 20 * log10(rms / 32768)}: 0 dBFS is a full-scale square wave, a full-scale
 * sine is -3.01 dBFS. Digital silence would be minus infinity; it is reported as
 * {@link #SILENCE_DBFS} so levels can be averaged and compared. Stateless and thread-safe.
 */
public final class Energy {

    /** The level reported for digital silence and anything quieter: -120 dBFS, below 16-bit dither. */
    public static final double SILENCE_DBFS = -120.0;

    private static final double FULL_SCALE = 32768.0;

    private Energy() {
    }

    /** RMS of all of {@code samples}, in 16-bit units (0 for an empty array). */
    public static double rms(short[] samples) {
        return rms(samples, 0, samples.length);
    }

    /**
     * RMS of {@code length} samples from {@code offset}, in 16-bit units (0 when {@code length} is 0).
     *
     * @throws IndexOutOfBoundsException if the range is outside {@code samples}
     */
    public static double rms(short[] samples, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, samples.length);
        if (length == 0) {
            return 0;
        }
        long sum = 0;
        for (int i = offset; i < offset + length; i++) {
            int s = samples[i];
            sum += s * s;
        }
        return Math.sqrt((double) sum / length);
    }

    /**
     * RMS of encoded audio bytes of any {@link AudioFormat.Encoding} (all channels together), in
     * 16-bit units; G.711 is decoded on the fly.
     *
     * @throws IllegalArgumentException if the bytes are not whole samples of {@code encoding}
     */
    public static double rms(byte[] audio, AudioFormat.Encoding encoding) {
        if (audio.length % encoding.bytesPerSample() != 0) {
            throw new IllegalArgumentException(audio.length + " bytes are not whole " + encoding + " samples");
        }
        int count = audio.length / encoding.bytesPerSample();
        if (count == 0) {
            return 0;
        }
        long sum = 0;
        for (int i = 0; i < count; i++) {
            int s = switch (encoding) {
                case PCM16_LE -> (short) ((audio[2 * i] & 0xFF) | (audio[2 * i + 1] << 8));
                case ULAW -> G711.ulawToLinear(audio[i]);
                case ALAW -> G711.alawToLinear(audio[i]);
            };
            sum += s * s;
        }
        return Math.sqrt((double) sum / count);
    }

    /** {@code 20 * log10(rms / 32768)}, or {@link #SILENCE_DBFS} if that is lower. */
    public static double dbfs(double rms) {
        if (!(rms >= 0)) {
            throw new IllegalArgumentException("rms must be >= 0, was " + rms);
        }
        return Math.max(SILENCE_DBFS, 20 * Math.log10(rms / FULL_SCALE));
    }

    /** The level of {@code samples} in dBFS. */
    public static double dbfs(short[] samples) {
        return dbfs(rms(samples));
    }
}
