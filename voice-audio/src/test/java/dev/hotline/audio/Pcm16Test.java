package dev.hotline.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Pcm16Test {

    @Test
    void givenLittleEndianBytes_whenReadAsShorts_thenLowByteComesFirst() {
        byte[] bytes = {0x34, 0x12, (byte) 0xFF, (byte) 0xFF, 0x00, (byte) 0x80, (byte) 0xFF, 0x7F};
        assertThat(Pcm16.toShorts(bytes)).containsExactly((short) 0x1234, (short) -1, Short.MIN_VALUE, Short.MAX_VALUE);
        assertThat(Pcm16.toShorts(bytes, 2, 4)).containsExactly((short) -1, Short.MIN_VALUE);
    }

    @Test
    void givenEveryShort_whenWrittenAndReadBack_thenUnchangedAndMatchesByteBuffer() {
        short[] all = new short[1 << 16];
        for (int i = 0; i < all.length; i++) {
            all[i] = (short) (i + Short.MIN_VALUE);
        }
        byte[] bytes = Pcm16.toBytes(all);
        ByteBuffer expected = ByteBuffer.allocate(all.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        expected.asShortBuffer().put(all);
        assertThat(bytes).isEqualTo(expected.array());
        assertThat(Pcm16.toShorts(bytes)).isEqualTo(all);
        assertThat(Pcm16.fromFloats(Pcm16.toFloats(all))).isEqualTo(all);
        assertThat(Pcm16.fromFloats(Pcm16.toFloats(bytes))).isEqualTo(all);
        assertThat(Pcm16.floatsToBytes(Pcm16.toFloats(bytes))).isEqualTo(bytes);
    }

    @Test
    void givenASubrange_whenWrittenAsBytes_thenOnlyThatRangeIsWritten() {
        assertThat(Pcm16.toBytes(new short[] {1, 0x0203, 4}, 1, 1)).containsExactly(0x03, 0x02);
    }

    @Test
    void givenFullScaleShorts_whenConvertedToFloats_thenMapToMinusOneAndJustBelowOne() {
        float[] floats = Pcm16.toFloats(new short[] {Short.MIN_VALUE, 0, 16384, Short.MAX_VALUE});
        assertThat(floats).containsExactly(-1f, 0f, 0.5f, 32767f / 32768f);
    }

    @Test
    void givenFloatsOutsideTheRangeOrNaN_whenConvertedToShorts_thenClampedAndNaNIsZero() {
        short[] shorts = Pcm16.fromFloats(new float[] {2f, -2f, 1f, Float.NaN, 0.5f / 32768f, -0.5f / 32768f, 1.4f / 32768f});
        assertThat(shorts).containsExactly(Short.MAX_VALUE, Short.MIN_VALUE, Short.MAX_VALUE, (short) 0,
                (short) 1, (short) -1, (short) 1);
    }

    @Test
    void givenStereo_whenDownMixed_thenEachPairIsAveragedWithoutOverflow() {
        short[] stereo = {100, 300, Short.MAX_VALUE, Short.MAX_VALUE, Short.MIN_VALUE, Short.MIN_VALUE, -3, 0};
        assertThat(Pcm16.stereoToMono(stereo))
                .containsExactly((short) 200, Short.MAX_VALUE, Short.MIN_VALUE, (short) -2);
        assertThat(Pcm16.stereoToMono(Pcm16.toBytes(stereo)))
                .isEqualTo(Pcm16.toBytes(Pcm16.stereoToMono(stereo)));
    }

    @Test
    void givenRandomStereoBytes_whenDownMixed_thenEqualsTheShortPath() {
        Random random = new Random(16);
        byte[] bytes = new byte[4 * 999];
        random.nextBytes(bytes);
        assertThat(Pcm16.toShorts(Pcm16.stereoToMono(bytes))).isEqualTo(Pcm16.stereoToMono(Pcm16.toShorts(bytes)));
    }

    @Test
    void givenAnOddByteCount_whenRead_thenIllegalArgumentNamesTheCount() {
        assertThatThrownBy(() -> Pcm16.toShorts(new byte[7]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("even").hasMessageContaining("7");
        assertThatThrownBy(() -> Pcm16.toFloats(new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3");
        assertThatThrownBy(() -> Pcm16.toShorts(new byte[8], 1, 3))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3");
    }

    @Test
    void givenIncompleteStereo_whenDownMixed_thenIllegalArgumentNamesTheCount() {
        assertThatThrownBy(() -> Pcm16.stereoToMono(new short[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3");
        assertThatThrownBy(() -> Pcm16.stereoToMono(new byte[6]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("multiple of 4").hasMessageContaining("6");
    }

    @Test
    void givenARangeOutsideTheArray_whenRead_thenIndexOutOfBounds() {
        assertThatThrownBy(() -> Pcm16.toShorts(new byte[4], 2, 4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> Pcm16.toBytes(new short[2], 1, 2)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
