package dev.hotline.local;

import dev.hotline.audio.AudioFormat;

/**
 * Turns a stream of mono 16-bit samples at one rate into bytes of a requested {@link AudioFormat}, chunk by
 * chunk, carrying the resampler's position across chunks so the joins are seamless.
 *
 * <p>This is the only place in the module that converts sample formats. It resamples by linear
 * interpolation after a two-tap average when the rate goes down (a crude low-pass that keeps the worst of
 * the aliasing out of the telephone band), and encodes G.711 mu-law and A-law per ITU-T G.711.
 *
 * <p>Not thread-safe: one instance per stream.
 */
final class FormatConverter {

    /** mu-law: added to the magnitude before finding the segment (ITU-T G.711, 0x84 = 132). */
    private static final int ULAW_BIAS = 0x84;
    /** mu-law: the largest magnitude that still fits after the bias is added. */
    private static final int ULAW_CLIP = 32_635;

    private final int inputRate;
    private final AudioFormat output;
    /** Input samples per output sample. */
    private final double step;
    /** Position of the next output sample, in input samples, relative to {@link #previous}. */
    private double position;
    /** The last filtered sample of the previous chunk (index 0 of the interpolation over the next one). */
    private double previous;
    /** The last raw input sample of the previous chunk, for the smoothing filter. */
    private short previousInput;
    private boolean started;

    /**
     * @param inputRate the rate of the samples handed to {@link #convert}, in Hz
     * @param output the format wanted; mono
     */
    FormatConverter(int inputRate, AudioFormat output) {
        if (inputRate <= 0) {
            throw new IllegalArgumentException("inputRate must be > 0, was " + inputRate);
        }
        if (output.channels() != 1) {
            throw new IllegalArgumentException("only mono output is supported, was " + output);
        }
        this.inputRate = inputRate;
        this.output = output;
        this.step = (double) inputRate / output.sampleRate();
    }

    /** Converts the next chunk; returns an empty array when it yields no whole output sample yet. */
    byte[] convert(short[] samples, int length) {
        short[] resampled = resample(samples, length);
        return encode(resampled, output.encoding());
    }

    private short[] resample(short[] in, int length) {
        if (inputRate == output.sampleRate()) {
            short[] copy = new short[length];
            System.arraycopy(in, 0, copy, 0, length);
            return copy;
        }
        double[] filtered = new double[length];
        boolean smooth = step > 1.0;
        for (int i = 0; i < length; i++) {
            double before = i == 0 ? (started ? previousInput : in[0]) : in[i - 1];
            filtered[i] = smooth ? (in[i] + before) / 2.0 : in[i];
        }
        if (!started && length > 0) {
            previous = filtered[0];
            started = true;
            position = 1.0;
        }
        int capacity = (int) Math.ceil((length + 1) / step) + 1;
        short[] out = new short[capacity];
        int count = 0;
        // position counts from 'previous' (index 0) through filtered[0..length-1] (indexes 1..length).
        while (position <= length) {
            int index = (int) Math.floor(position);
            double fraction = position - index;
            double left = index == 0 ? previous : filtered[index - 1];
            double right = index >= length ? left : filtered[index];
            out[count++] = clamp(left + (right - left) * fraction);
            position += step;
        }
        if (length > 0) {
            previous = filtered[length - 1];
            previousInput = in[length - 1];
            position -= length;
        }
        short[] exact = new short[count];
        System.arraycopy(out, 0, exact, 0, count);
        return exact;
    }

    private static short clamp(double value) {
        long rounded = Math.round(value);
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, rounded));
    }

    static byte[] encode(short[] samples, AudioFormat.Encoding encoding) {
        return switch (encoding) {
            case PCM16_LE -> {
                byte[] out = new byte[samples.length * 2];
                for (int i = 0; i < samples.length; i++) {
                    out[2 * i] = (byte) samples[i];
                    out[2 * i + 1] = (byte) (samples[i] >> 8);
                }
                yield out;
            }
            case ULAW -> {
                byte[] out = new byte[samples.length];
                for (int i = 0; i < samples.length; i++) {
                    out[i] = ulaw(samples[i]);
                }
                yield out;
            }
            case ALAW -> {
                byte[] out = new byte[samples.length];
                for (int i = 0; i < samples.length; i++) {
                    out[i] = alaw(samples[i]);
                }
                yield out;
            }
        };
    }

    /** G.711 mu-law: sign, 3-bit segment (exponent) and 4-bit mantissa of the biased magnitude, inverted. */
    private static byte ulaw(short sample) {
        int sign = (sample >> 8) & 0x80;
        int magnitude = sign != 0 ? -sample : sample;
        magnitude = Math.min(magnitude, ULAW_CLIP) + ULAW_BIAS;
        int exponent = 7;
        for (int mask = 0x4000; (magnitude & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (magnitude >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    /** G.711 A-law: 13-bit magnitude, segment and 4-bit mantissa, even bits inverted (XOR 0x55). */
    private static byte alaw(short sample) {
        int sign = sample >= 0 ? 0x80 : 0x00;
        int magnitude = sample >= 0 ? sample >> 3 : (-sample - 1) >> 3;
        int segment = 0;
        while (segment < 7 && magnitude >= (0x20 << segment)) {
            segment++;
        }
        int mantissa = segment == 0 ? (magnitude >> 1) & 0x0F : (magnitude >> segment) & 0x0F;
        return (byte) ((sign | (segment << 4) | mantissa) ^ 0x55);
    }
}
