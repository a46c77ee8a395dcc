package dev.hotline.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FramerTest {

    @Test
    void givenEachSupportedFormat_whenFraming_thenA20msFrameHasTheExpectedSize() {
        assertThat(new Framer(AudioFormat.ULAW_8K).frameBytes()).isEqualTo(160);
        assertThat(new Framer(AudioFormat.ALAW_8K).frameBytes()).isEqualTo(160);
        assertThat(new Framer(AudioFormat.PCM16_8K).frameBytes()).isEqualTo(320);
        assertThat(new Framer(AudioFormat.PCM16_16K).frameBytes()).isEqualTo(640);
        assertThat(new Framer(AudioFormat.PCM16_24K).frameBytes()).isEqualTo(960);
        assertThat(new Framer(new AudioFormat(AudioFormat.Encoding.PCM16_LE, 22_050, 2)).frameBytes()).isEqualTo(1764);
        assertThat(new Framer(new AudioFormat(AudioFormat.Encoding.PCM16_LE, 44_100, 1), 10).frameBytes()).isEqualTo(882);
    }

    @Test
    void givenRandomChunkSizes_whenFraming_thenFramesConcatenateToTheInputAndTheRemainderWaits() {
        Random random = new Random(20);
        Framer framer = new Framer(AudioFormat.PCM16_16K);
        byte[] input = new byte[10_000];
        random.nextBytes(input);
        ByteArrayOutputStream framed = new ByteArrayOutputStream();
        int at = 0;
        while (at < input.length) {
            int size = Math.min(input.length - at, random.nextInt(1500));
            for (byte[] frame : framer.push(input, at, size)) {
                assertThat(frame).hasSize(640);
                framed.writeBytes(frame);
            }
            at += size;
            assertThat(framer.pendingBytes()).isEqualTo(at % 640);
        }
        assertThat(framed.toByteArray()).isEqualTo(Arrays.copyOf(input, 10_000 / 640 * 640));
        byte[] last = framer.flushPadded().orElseThrow();
        assertThat(Arrays.copyOf(last, 10_000 % 640)).isEqualTo(Arrays.copyOfRange(input, 9600, 10_000));
        assertThat(Arrays.copyOfRange(last, 10_000 % 640, 640)).containsOnly(0);
        assertThat(framer.pendingBytes()).isZero();
        assertThat(framer.flushPadded()).isEmpty();
    }

    @Test
    void givenOneByteAtATime_whenFraming_thenAFrameCompletesOnItsLastByte() {
        Framer framer = new Framer(AudioFormat.ULAW_8K);
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 320; i++) {
            List<byte[]> now = framer.push(new byte[] {(byte) i});
            assertThat(now).hasSize(i % 160 == 159 ? 1 : 0);
            frames.addAll(now);
        }
        assertThat(frames).hasSize(2);
        assertThat(frames.get(1)[0]).isEqualTo((byte) 160);
    }

    @Test
    void givenAPartialG711Frame_whenFlushed_thenItIsPaddedWithTheCodecsSilence() {
        Framer ulaw = new Framer(AudioFormat.ULAW_8K);
        ulaw.push(new byte[] {1, 2});
        byte[] frame = ulaw.flushPadded().orElseThrow();
        assertThat(frame).hasSize(160);
        assertThat(G711.ulawToLinear(frame[159])).isZero();
        assertThat(frame[2]).isEqualTo((byte) 0xFF);
        Framer alaw = new Framer(AudioFormat.ALAW_8K);
        alaw.push(new byte[] {1});
        assertThat(alaw.flushPadded().orElseThrow()[1]).isEqualTo((byte) 0xD5);
        assertThat(Framer.silenceByte(AudioFormat.Encoding.PCM16_LE)).isZero();
    }

    @Test
    void givenAFrameLengthThatIsNotWholeSamples_whenCreating_thenIllegalArgument() {
        assertThatThrownBy(() -> new Framer(new AudioFormat(AudioFormat.Encoding.PCM16_LE, 22_050, 1), 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 ms").hasMessageContaining("22050");
        assertThatThrownBy(() -> new Framer(AudioFormat.ULAW_8K, 0)).hasMessageContaining("frameMillis");
    }
}
