package dev.hotline.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Checks {@link G711} against an independent model built here from the quantizer tables of ITU-T
 * G.711 (Table 1/G.711 for A-law, Table 2/G.711 for mu-law): a list of decision intervals per
 * segment, each decoded to its midpoint. The model searches those intervals linearly; it shares no code and no
 * bit tricks with the implementation.
 */
class G711Test {

    /**
     * mu-law in 14-bit magnitude units (Table 2/G.711): segment 0 is one interval of width
     * 1 followed by 15 of width 2 ending at 31; segment s >= 1 has 16 intervals of width 2^(s+1)
     * ending at 2^(s+5)*2 - 33. The last decision value is 8159.
     */
    private static final int[] ULAW_SEGMENT_END = {31, 95, 223, 479, 991, 2015, 4063, 8159};
    private static final int[] ULAW_STEP = {2, 4, 8, 16, 32, 64, 128, 256};
    /** A-law in 13-bit magnitude units (Table 1/G.711): segments 0 and 1 both step 2. */
    private static final int[] ALAW_SEGMENT_END = {32, 64, 128, 256, 512, 1024, 2048, 4096};
    private static final int[] ALAW_STEP = {2, 2, 4, 8, 16, 32, 64, 128};

    /** Lower edge (inclusive) of each of the 128 mu-law magnitude intervals. */
    private static final int[] ULAW_LOWER = new int[128];
    private static final int[] ULAW_UPPER = new int[128];
    private static final int[] ALAW_LOWER = new int[128];
    private static final int[] ALAW_UPPER = new int[128];

    static {
        // mu-law: segment 0 starts with the single interval [0, 1).
        int index = 0;
        ULAW_LOWER[0] = 0;
        ULAW_UPPER[0] = 1;
        index++;
        int lower = 1;
        for (int segment = 0; segment < 8; segment++) {
            while (lower < ULAW_SEGMENT_END[segment]) {
                ULAW_LOWER[index] = lower;
                ULAW_UPPER[index] = lower + ULAW_STEP[segment];
                lower += ULAW_STEP[segment];
                index++;
            }
        }
        assertThat(index).isEqualTo(128);
        index = 0;
        lower = 0;
        for (int segment = 0; segment < 8; segment++) {
            while (lower < ALAW_SEGMENT_END[segment]) {
                ALAW_LOWER[index] = lower;
                ALAW_UPPER[index] = lower + ALAW_STEP[segment];
                lower += ALAW_STEP[segment];
                index++;
            }
        }
        assertThat(index).isEqualTo(128);
    }

    /** The reference keeps the top 14 bits; negative values use their one's complement magnitude. */
    private static int modelUlaw(int sample16) {
        int v14 = Math.floorDiv(sample16, 4);
        boolean negative = v14 < 0;
        int magnitude = negative ? -v14 - 1 : v14;
        int interval = 127;
        for (int i = 0; i < 128; i++) {
            if (magnitude < ULAW_UPPER[i]) {
                interval = i;
                break;
            }
        }
        // Interval 0 is sent as 0x7F (code words count down from the top); positive adds the sign bit.
        int code = 127 - interval;
        return negative ? code : code | 0x80;
    }

    private static int modelUlawDecode(int code) {
        int interval = 127 - (code & 0x7F);
        // Reconstruction is the interval midpoint (0 for the first, one-unit-wide interval).
        int midpoint14 = interval == 0 ? 0 : (ULAW_LOWER[interval] + ULAW_UPPER[interval]) / 2;
        int value = midpoint14 * 4;
        return (code & 0x80) != 0 ? value : -value;
    }

    private static int modelAlaw(int sample16) {
        int v13 = Math.floorDiv(sample16, 8);
        boolean negative = v13 < 0;
        int magnitude = negative ? -v13 - 1 : v13;
        int interval = 127;
        for (int i = 0; i < 128; i++) {
            if (magnitude < ALAW_UPPER[i]) {
                interval = i;
                break;
            }
        }
        // Even bits are inverted on the line; positive samples carry the sign bit.
        return negative ? interval ^ 0x55 : interval ^ 0xD5;
    }

    private static int modelAlawDecode(int code) {
        int plain = code ^ 0x55;
        int interval = plain & 0x7F;
        // Midpoint of [lower, upper) in 13-bit units, times 8; a half-unit midpoint is exact at 16 bits.
        int value = (ALAW_LOWER[interval] + ALAW_UPPER[interval]) * 4;
        return (plain & 0x80) != 0 ? value : -value;
    }

    @Test
    void givenEvery16BitSample_whenEncodedToUlaw_thenMatchesTheTableModel() {
        for (int s = Short.MIN_VALUE; s <= Short.MAX_VALUE; s++) {
            int expected = modelUlaw(s);
            int actual = G711.linearToUlaw((short) s) & 0xFF;
            if (actual != expected) {
                throw new AssertionError("linearToUlaw(" + s + ") = 0x" + Integer.toHexString(actual)
                        + ", model says 0x" + Integer.toHexString(expected));
            }
        }
    }

    @Test
    void givenEvery16BitSample_whenEncodedToAlaw_thenMatchesTheTableModel() {
        for (int s = Short.MIN_VALUE; s <= Short.MAX_VALUE; s++) {
            int expected = modelAlaw(s);
            int actual = G711.linearToAlaw((short) s) & 0xFF;
            if (actual != expected) {
                throw new AssertionError("linearToAlaw(" + s + ") = 0x" + Integer.toHexString(actual)
                        + ", model says 0x" + Integer.toHexString(expected));
            }
        }
    }

    @Test
    void givenEveryCode_whenDecoded_thenMatchesTheIntervalMidpoints() {
        for (int code = 0; code < 256; code++) {
            assertThat(G711.ulawToLinear((byte) code)).as("ulaw 0x%02X", code)
                    .isEqualTo((short) modelUlawDecode(code));
            assertThat(G711.alawToLinear((byte) code)).as("alaw 0x%02X", code)
                    .isEqualTo((short) modelAlawDecode(code));
        }
    }

    @Test
    void givenWellKnownCodes_whenDecoded_thenGiveTheStandardValues() {
        assertThat(G711.ulawToLinear((byte) 0xFF)).isEqualTo((short) 0);
        assertThat(G711.ulawToLinear((byte) 0x7F)).isEqualTo((short) 0);
        assertThat(G711.ulawToLinear((byte) 0xFE)).isEqualTo((short) 8);
        assertThat(G711.ulawToLinear((byte) 0x00)).isEqualTo((short) -32124);
        assertThat(G711.ulawToLinear((byte) 0x80)).isEqualTo((short) 32124);
        assertThat(G711.ulawToLinear((byte) 0xEF)).isEqualTo((short) 132);
        assertThat(G711.alawToLinear((byte) 0xD5)).isEqualTo((short) 8);
        assertThat(G711.alawToLinear((byte) 0x55)).isEqualTo((short) -8);
        assertThat(G711.alawToLinear((byte) 0xAA)).isEqualTo((short) 32256);
        assertThat(G711.alawToLinear((byte) 0x2A)).isEqualTo((short) -32256);
    }

    @Test
    void givenWellKnownSamples_whenEncoded_thenGiveTheStandardCodes() {
        assertThat(G711.linearToUlaw((short) 0)).isEqualTo((byte) 0xFF);
        assertThat(G711.linearToUlaw(Short.MAX_VALUE)).isEqualTo((byte) 0x80);
        assertThat(G711.linearToUlaw(Short.MIN_VALUE)).isEqualTo((byte) 0x00);
        assertThat(G711.linearToAlaw((short) 0)).isEqualTo((byte) 0xD5);
        assertThat(G711.linearToAlaw(Short.MAX_VALUE)).isEqualTo((byte) 0xAA);
        assertThat(G711.linearToAlaw(Short.MIN_VALUE)).isEqualTo((byte) 0x2A);
    }

    @Test
    void givenSmallNegativeSamples_whenEncodedToUlaw_thenTruncateLikeG191NotLikeAudioop() {
        // G.191 takes the one's complement before shifting: -1..-4 are all magnitude 0 -> 0x7F.
        // (Python's audioop.lin2ulaw gives 0x7E for these; see the class Javadoc of G711.)
        assertThat(G711.linearToUlaw((short) -1)).isEqualTo((byte) 0x7F);
        assertThat(G711.linearToUlaw((short) -4)).isEqualTo((byte) 0x7F);
        assertThat(G711.linearToUlaw((short) -5)).isEqualTo((byte) 0x7E);
        assertThat(G711.linearToUlaw((short) 3)).isEqualTo((byte) 0xFF);
        assertThat(G711.linearToUlaw((short) 4)).isEqualTo((byte) 0xFE);
    }

    @Test
    void givenEverySample_whenComplemented_thenOnlyTheSignBitOfTheCodeFlips() {
        for (int s = Short.MIN_VALUE; s <= Short.MAX_VALUE; s++) {
            short complement = (short) ~s;
            assertThat((G711.linearToUlaw(complement) ^ G711.linearToUlaw((short) s)) & 0xFF).isEqualTo(0x80);
            assertThat((G711.linearToAlaw(complement) ^ G711.linearToAlaw((short) s)) & 0xFF).isEqualTo(0x80);
        }
    }

    @Test
    void givenEveryCode_whenDecodedAndReencoded_thenTheCodeIsStable() {
        for (int code = 0; code < 256; code++) {
            byte ulaw = (byte) code;
            byte ulawAgain = G711.linearToUlaw(G711.ulawToLinear(ulaw));
            // mu-law has two zeros: 0x7F (-0) decodes to 0, which encodes as 0xFF (+0).
            byte expectedUlaw = code == 0x7F ? (byte) 0xFF : ulaw;
            assertThat(ulawAgain).as("ulaw 0x%02X", code).isEqualTo(expectedUlaw);
            byte alaw = (byte) code;
            assertThat(G711.linearToAlaw(G711.alawToLinear(alaw))).as("alaw 0x%02X", code).isEqualTo(alaw);
        }
    }

    @Test
    void givenEverySample_whenEncodedDecodedEncoded_thenTheSecondEncodingEqualsTheFirst() {
        for (int s = Short.MIN_VALUE; s <= Short.MAX_VALUE; s++) {
            byte ulaw = G711.linearToUlaw((short) s);
            byte alaw = G711.linearToAlaw((short) s);
            byte ulawAgain = G711.linearToUlaw(G711.ulawToLinear(ulaw));
            assertThat(ulawAgain == ulaw || (ulaw == 0x7F && ulawAgain == (byte) 0xFF))
                    .as("ulaw of %d", s).isTrue();
            assertThat(G711.linearToAlaw(G711.alawToLinear(alaw))).as("alaw of %d", s).isEqualTo(alaw);
        }
    }

    @Test
    void givenRandomSamples_whenUsingBulkForms_thenTheyAgreeWithTheScalarForms() {
        Random random = new Random(711);
        short[] samples = new short[1000];
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (short) random.nextInt(1 << 16);
        }
        byte[] pcm = toLittleEndian(samples);

        byte[] ulaw = new byte[samples.length + 10];
        G711.linearToUlaw(samples, 3, ulaw, 7, 990);
        byte[] alaw = G711.linearToAlaw(samples);
        for (int i = 0; i < 990; i++) {
            assertThat(ulaw[7 + i]).isEqualTo(G711.linearToUlaw(samples[3 + i]));
        }
        assertThat(ulaw[6]).isZero();
        assertThat(G711.pcm16leToUlaw(pcm)).isEqualTo(G711.linearToUlaw(samples));
        assertThat(G711.pcm16leToAlaw(pcm)).isEqualTo(alaw);

        short[] decoded = new short[samples.length];
        G711.alawToLinear(alaw, 0, decoded, 0, alaw.length);
        for (int i = 0; i < alaw.length; i++) {
            assertThat(decoded[i]).isEqualTo(G711.alawToLinear(alaw[i]));
        }
        assertThat(G711.alawToPcm16le(alaw)).isEqualTo(toLittleEndian(G711.alawToLinear(alaw)));
        byte[] fullUlaw = G711.linearToUlaw(samples);
        assertThat(G711.ulawToPcm16le(fullUlaw)).isEqualTo(toLittleEndian(G711.ulawToLinear(fullUlaw)));
    }

    @Test
    void givenAnOddNumberOfPcmBytes_whenEncoding_thenRejectedWithTheCount() {
        assertThatThrownBy(() -> G711.pcm16leToUlaw(new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("even").hasMessageContaining("3");
        assertThatThrownBy(() -> G711.pcm16leToAlaw(new byte[5]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5");
    }

    @Test
    void givenARangeOutsideTheArrays_whenBulkEncoding_thenNothingIsWritten() {
        short[] samples = {1000, 2000, 3000};
        byte[] out = new byte[2];
        assertThatThrownBy(() -> G711.linearToUlaw(samples, 0, out, 0, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(out).containsExactly(0, 0);
        assertThatThrownBy(() -> G711.alawToLinear(new byte[4], 2, new short[4], 0, 3))
                .isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static byte[] toLittleEndian(short[] samples) {
        ByteBuffer buffer = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asShortBuffer().put(samples);
        return buffer.array();
    }
}
