package dev.hotline.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AudioClipTest {

    @Test
    void givenBytesThatAreNotWholeFrames_whenCreatingAClip_thenIllegalArgumentNamesTheSizes() {
        assertThatThrownBy(() -> new AudioClip(AudioFormat.PCM16_16K, new byte[3]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2-byte").hasMessageContaining("3 bytes");
    }

    @Test
    void givenAClip_whenTheCallerChangesEitherArray_thenTheClipDoesNotChange() {
        byte[] bytes = {1, 2};
        AudioClip clip = new AudioClip(AudioFormat.ULAW_8K, bytes);
        bytes[0] = 9;
        clip.data()[1] = 9;
        assertThat(clip.data()).containsExactly(1, 2);
    }

    @Test
    void givenG711Clips_whenConvertedToPcm16_thenDecodedWithTheSameRateAndDuration() {
        AudioClip ulaw = new AudioClip(AudioFormat.ULAW_8K, new byte[] {(byte) 0x80, (byte) 0xFF, 0x00, 0x7F});
        AudioClip pcm = ulaw.toPcm16();
        assertThat(pcm.format()).isEqualTo(AudioFormat.PCM16_8K);
        assertThat(pcm.toPcm16Samples()).containsExactly((short) 32124, (short) 0, (short) -32124, (short) 0);
        assertThat(pcm.duration()).isEqualTo(ulaw.duration()).isEqualTo(Duration.ofMillis(0).plusNanos(500_000));
        AudioClip alaw = new AudioClip(AudioFormat.ALAW_8K, new byte[] {(byte) 0xD5});
        assertThat(alaw.toPcm16().data()).containsExactly(8, 0);
        assertThat(pcm.toPcm16()).isSameAs(pcm);
    }

    @Test
    void givenTwoClipsWithEqualContent_whenCompared_thenEqualWithEqualHashCodes() {
        AudioClip a = new AudioClip(AudioFormat.ALAW_8K, new byte[] {1, 2, 3});
        AudioClip b = new AudioClip(AudioFormat.ALAW_8K, new byte[] {1, 2, 3});
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(new AudioClip(AudioFormat.ULAW_8K, new byte[] {1, 2, 3}));
        assertThat(a.frameCount()).isEqualTo(3);
        assertThat(a.toString()).contains("3 bytes");
    }
}
