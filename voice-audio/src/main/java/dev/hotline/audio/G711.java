package dev.hotline.audio;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * ITU-T G.711 mu-law and A-law companding, bit-exact with the truncating reference implementation
 * in ITU-T G.191 ({@code g711.c}: {@code ulaw_compress}, {@code ulaw_expand}, {@code alaw_compress},
 * {@code alaw_expand}).
 *
 * <p><b>Exactness.</b> The encoders take a 16-bit sample and, as the reference does, keep only its top
 * 14 bits (mu-law) or 13 bits (A-law) by an arithmetic right shift (truncation toward minus infinity),
 * then treat negative values by their one's complement. This makes both quantizers odd-symmetric
 * around -1/2: {@code linearToUlaw((short) ~x) == (byte) (linearToUlaw(x) ^ 0x80)}, and likewise for
 * A-law. The decoders return the midpoint of each quantization interval, scaled back to 16 bits.
 * A-law encoding and both decoders also equal Python's {@code audioop} ({@code lin2alaw},
 * {@code alaw2lin}, {@code ulaw2lin}); {@code audioop.lin2ulaw} differs from G.191 on 508 negative
 * inputs that lie exactly on a decision boundary (it negates before truncating), and this class
 * follows G.191 there.
 *
 * <p><b>Speed.</b> Every function is a single lookup in a table built once when the class loads:
 * 16,384 bytes for the mu-law encoder (one entry per 14-bit value), 8,192 bytes for the A-law
 * encoder and 256 shorts per decoder, all small enough to stay in the L1 cache.
 *
 * <p><b>Threading.</b> Stateless; every method may be called from any thread. Bulk methods check
 * their bounds up front and throw {@link IndexOutOfBoundsException} before writing anything.
 */
public final class G711 {

    /**
     * mu-law bias, in 16-bit units (0x84 = 132 = 33 in 14-bit units): added to the magnitude so that
     * the segment boundaries fall on powers of two (Table 2/G.711; G.191 calls 33 the "difference
     * value" between the A-law and mu-law thresholds).
     */
    static final int ULAW_BIAS = 0x84;
    /** {@link #ULAW_BIAS} in the 14-bit domain the mu-law encoder works in. */
    private static final int ULAW_BIAS_14 = ULAW_BIAS >> 2;
    /** Largest biased 14-bit mu-law magnitude (8159 + 33 clipped to 13 bits): the top of segment 7. */
    private static final int ULAW_MAX_BIASED = 0x1FFF;
    /** mu-law character signals go on the line with every bit inverted (G.711, mu-law). */
    private static final int ULAW_INVERT = 0xFF;
    /** Bit 7 of a G.711 code word is the sign: set for positive (after mu-law inversion / A-law mask). */
    private static final int SIGN_BIT = 0x80;
    /** Bits 4-6 of a code word: the segment (chord) number, 0..7. */
    private static final int SEGMENT_MASK = 0x70;
    private static final int SEGMENT_SHIFT = 4;
    /** Bits 0-3 of a code word: the step within the segment, 0..15. */
    private static final int STEP_MASK = 0x0F;
    /**
     * A-law character signals go on the line with the even bits inverted (G.711, A-law); 0x55
     * is that mask for the magnitude bits, 0xD5 also sets the sign bit for positive samples.
     */
    private static final int ALAW_EVEN_BITS = 0x55;
    /** Half of one segment-0/1 A-law step (16 in 16-bit units), the reconstruction midpoint offset. */
    private static final int ALAW_HALF_STEP = 0x08;
    /** Offset of segment 1 and above in 16-bit A-law units before shifting: 16 steps of 16, plus half a step. */
    private static final int ALAW_SEGMENT_BASE = 0x108;

    /** mu-law encoder: index is the 14-bit two's-complement sample as an unsigned 14-bit number. */
    private static final byte[] ULAW_ENCODE = new byte[1 << 14];
    /** A-law encoder: index is the 13-bit two's-complement sample as an unsigned 13-bit number. */
    private static final byte[] ALAW_ENCODE = new byte[1 << 13];
    private static final short[] ULAW_DECODE = new short[256];
    private static final short[] ALAW_DECODE = new short[256];

    private static final VarHandle SHORT_LE =
            MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

    static {
        for (int v14 = -(1 << 13); v14 < (1 << 13); v14++) {
            ULAW_ENCODE[v14 & 0x3FFF] = (byte) computeUlaw(v14);
        }
        for (int v13 = -(1 << 12); v13 < (1 << 12); v13++) {
            ALAW_ENCODE[v13 & 0x1FFF] = (byte) computeAlaw(v13);
        }
        for (int code = 0; code < 256; code++) {
            ULAW_DECODE[code] = (short) computeUlawDecode(code);
            ALAW_DECODE[code] = (short) computeAlawDecode(code);
        }
    }

    private G711() {
    }

    /** G.191 {@code ulaw_compress} for one sample already truncated to 14 bits. */
    private static int computeUlaw(int v14) {
        // Negative samples use their one's complement, so -1 and 0 share magnitude 0.
        int magnitude = v14 < 0 ? ~v14 : v14;
        // Bias so that segment s covers biased magnitudes [2^(s+5), 2^(s+6)).
        int biased = Math.min(magnitude + ULAW_BIAS_14, ULAW_MAX_BIASED);
        // Segment = position of the highest set bit above bit 5 (0 for biased < 64).
        int segment = 31 - Integer.numberOfLeadingZeros(biased) - 5;
        // The 4 bits below the leading one are the step within the segment.
        int step = (biased >> (segment + 1)) & STEP_MASK;
        int code = (segment << SEGMENT_SHIFT) | step;
        // The line carries every bit inverted, with the sign bit set for positive samples
        // (G.191: high nibble 8 - segno, low nibble 15 - step, then | 0x80 when >= 0).
        return code ^ (v14 >= 0 ? ULAW_INVERT : ULAW_INVERT & ~SIGN_BIT);
    }

    /** G.191 {@code alaw_compress} for one sample already truncated to 13 bits. */
    private static int computeAlaw(int v13) {
        int magnitude = v13 < 0 ? ~v13 : v13;
        int code;
        if (magnitude < 32) {
            // Segments 0 and 1 share one step size: the 5 magnitude bits above bit 0 map linearly.
            code = magnitude >> 1;
        } else {
            // Segment s >= 1 covers [2^(s+4), 2^(s+5)); the step is the 4 bits below the leading one.
            int segment = 31 - Integer.numberOfLeadingZeros(magnitude) - 4;
            code = (segment << SEGMENT_SHIFT) | ((magnitude >> segment) & STEP_MASK);
        }
        if (v13 >= 0) {
            code |= SIGN_BIT;
        }
        return code ^ ALAW_EVEN_BITS;
    }

    /** G.191 {@code ulaw_expand}: the midpoint of the code's interval, in 16-bit units. */
    private static int computeUlawDecode(int code) {
        int inverted = ~code & 0xFF;
        int segment = (inverted & SEGMENT_MASK) >> SEGMENT_SHIFT;
        // Interval midpoint in the biased domain: 33 + 2*step in 14-bit units (132 + 8*step in 16-bit
        // units) for segment 0, doubled for each segment above; removing the bias leaves the magnitude.
        int biased = (((inverted & STEP_MASK) << 3) + ULAW_BIAS) << segment;
        int magnitude = biased - ULAW_BIAS;
        return (inverted & SIGN_BIT) != 0 ? -magnitude : magnitude;
    }

    /** G.191 {@code alaw_expand}: the midpoint of the code's interval, in 16-bit units. */
    private static int computeAlawDecode(int code) {
        int plain = code ^ ALAW_EVEN_BITS;
        int segment = (plain & SEGMENT_MASK) >> SEGMENT_SHIFT;
        int magnitude = (plain & STEP_MASK) << 4;
        if (segment == 0) {
            magnitude += ALAW_HALF_STEP;
        } else {
            magnitude = (magnitude + ALAW_SEGMENT_BASE) << (segment - 1);
        }
        return (plain & SIGN_BIT) != 0 ? magnitude : -magnitude;
    }

    /** Encodes one 16-bit linear sample as a mu-law code word (G.191 {@code ulaw_compress}). */
    public static byte linearToUlaw(short sample) {
        return ULAW_ENCODE[(sample >> 2) & 0x3FFF];
    }

    /** Decodes one mu-law code word to a 16-bit linear sample (G.191 {@code ulaw_expand}). */
    public static short ulawToLinear(byte code) {
        return ULAW_DECODE[code & 0xFF];
    }

    /** Encodes one 16-bit linear sample as an A-law code word (G.191 {@code alaw_compress}). */
    public static byte linearToAlaw(short sample) {
        return ALAW_ENCODE[(sample >> 3) & 0x1FFF];
    }

    /** Decodes one A-law code word to a 16-bit linear sample (G.191 {@code alaw_expand}). */
    public static short alawToLinear(byte code) {
        return ALAW_DECODE[code & 0xFF];
    }

    /** Encodes {@code count} samples of {@code src} from {@code srcOffset} into mu-law at {@code dst[dstOffset..]}. */
    public static void linearToUlaw(short[] src, int srcOffset, byte[] dst, int dstOffset, int count) {
        Objects.checkFromIndexSize(srcOffset, count, src.length);
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = ULAW_ENCODE[(src[srcOffset + i] >> 2) & 0x3FFF];
        }
    }

    /** Decodes {@code count} mu-law codes of {@code src} from {@code srcOffset} into {@code dst[dstOffset..]}. */
    public static void ulawToLinear(byte[] src, int srcOffset, short[] dst, int dstOffset, int count) {
        Objects.checkFromIndexSize(srcOffset, count, src.length);
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = ULAW_DECODE[src[srcOffset + i] & 0xFF];
        }
    }

    /** Encodes {@code count} samples of {@code src} from {@code srcOffset} into A-law at {@code dst[dstOffset..]}. */
    public static void linearToAlaw(short[] src, int srcOffset, byte[] dst, int dstOffset, int count) {
        Objects.checkFromIndexSize(srcOffset, count, src.length);
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = ALAW_ENCODE[(src[srcOffset + i] >> 3) & 0x1FFF];
        }
    }

    /** Decodes {@code count} A-law codes of {@code src} from {@code srcOffset} into {@code dst[dstOffset..]}. */
    public static void alawToLinear(byte[] src, int srcOffset, short[] dst, int dstOffset, int count) {
        Objects.checkFromIndexSize(srcOffset, count, src.length);
        Objects.checkFromIndexSize(dstOffset, count, dst.length);
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = ALAW_DECODE[src[srcOffset + i] & 0xFF];
        }
    }

    /** Encodes a whole array of samples as mu-law, one byte per sample. */
    public static byte[] linearToUlaw(short[] samples) {
        byte[] out = new byte[samples.length];
        linearToUlaw(samples, 0, out, 0, samples.length);
        return out;
    }

    /** Decodes a whole array of mu-law codes, one sample per byte. */
    public static short[] ulawToLinear(byte[] codes) {
        short[] out = new short[codes.length];
        ulawToLinear(codes, 0, out, 0, codes.length);
        return out;
    }

    /** Encodes a whole array of samples as A-law, one byte per sample. */
    public static byte[] linearToAlaw(short[] samples) {
        byte[] out = new byte[samples.length];
        linearToAlaw(samples, 0, out, 0, samples.length);
        return out;
    }

    /** Decodes a whole array of A-law codes, one sample per byte. */
    public static short[] alawToLinear(byte[] codes) {
        short[] out = new short[codes.length];
        alawToLinear(codes, 0, out, 0, codes.length);
        return out;
    }

    /**
     * Encodes 16-bit little-endian PCM bytes as mu-law.
     *
     * @throws IllegalArgumentException if {@code pcm16le} holds an odd number of bytes
     */
    public static byte[] pcm16leToUlaw(byte[] pcm16le) {
        int count = sampleCount(pcm16le);
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = ULAW_ENCODE[((short) SHORT_LE.get(pcm16le, i << 1) >> 2) & 0x3FFF];
        }
        return out;
    }

    /**
     * Encodes 16-bit little-endian PCM bytes as A-law.
     *
     * @throws IllegalArgumentException if {@code pcm16le} holds an odd number of bytes
     */
    public static byte[] pcm16leToAlaw(byte[] pcm16le) {
        int count = sampleCount(pcm16le);
        byte[] out = new byte[count];
        for (int i = 0; i < count; i++) {
            out[i] = ALAW_ENCODE[((short) SHORT_LE.get(pcm16le, i << 1) >> 3) & 0x1FFF];
        }
        return out;
    }

    /** Decodes mu-law codes to 16-bit little-endian PCM bytes (two bytes per code). */
    public static byte[] ulawToPcm16le(byte[] codes) {
        byte[] out = new byte[codes.length << 1];
        for (int i = 0; i < codes.length; i++) {
            SHORT_LE.set(out, i << 1, ULAW_DECODE[codes[i] & 0xFF]);
        }
        return out;
    }

    /** Decodes A-law codes to 16-bit little-endian PCM bytes (two bytes per code). */
    public static byte[] alawToPcm16le(byte[] codes) {
        byte[] out = new byte[codes.length << 1];
        for (int i = 0; i < codes.length; i++) {
            SHORT_LE.set(out, i << 1, ALAW_DECODE[codes[i] & 0xFF]);
        }
        return out;
    }

    private static int sampleCount(byte[] pcm16le) {
        if ((pcm16le.length & 1) != 0) {
            throw new IllegalArgumentException(
                    "16-bit PCM needs an even number of bytes, was " + pcm16le.length);
        }
        return pcm16le.length >> 1;
    }
}
