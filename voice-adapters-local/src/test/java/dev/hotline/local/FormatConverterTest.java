package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FormatConverterTest {

    @Test
    void givenAToneIn20msChunks_whenHalvedTo8k_thenItKeepsItsLengthAndLevelWithoutSeams() {
        short[] tone = TestAudio.tone(16_000, 1.0, 300, 10_000);
        short[] result = TestAudio.pcm16le(convertInChunks(tone, AudioFormat.PCM16_8K));

        assertThat(result).hasSize(8_000);
        double expected = 10_000 / Math.sqrt(2);
        assertThat(TestAudio.rms(result, 100, result.length - 100)).isBetween(expected * 0.97, expected * 1.03);
        int maxStep = 0;
        for (int i = 100; i < result.length - 100; i++) {
            maxStep = Math.max(maxStep, Math.abs(result[i] - result[i - 1]));
        }
        // A 300 Hz sine at 8 kHz moves at most 2*pi*300/8000*10000 = 2356 per sample; a seam would jump more.
        assertThat(maxStep).isLessThan(2_450);
    }

    @Test
    void givenMuLawOutput_whenComparedWithPcmOutput_thenItIsTheG711EncodingOfIt() {
        short[] tone = TestAudio.tone(16_000, 0.3, 440, 12_000);
        short[] pcm = TestAudio.pcm16le(convertInChunks(tone, AudioFormat.PCM16_8K));
        byte[] ulaw = convertInChunks(tone, AudioFormat.ULAW_8K);
        assertThat(ulaw).isEqualTo(G711.linearToUlaw(pcm));
        byte[] alaw = convertInChunks(tone, AudioFormat.ALAW_8K);
        assertThat(alaw).isEqualTo(G711.linearToAlaw(pcm));
    }

    @Test
    void givenAnUpsample_whenConvertedIn20msChunks_thenTheLengthScales() {
        short[] tone = TestAudio.tone(16_000, 0.5, 200, 5_000);
        assertThat(convertInChunks(tone, AudioFormat.PCM16_24K)).hasSize(12_000 * 2);
    }

    @Test
    void givenAnUnsupportedTarget_whenCreating_thenTheMessageNamesTheFormat() {
        AudioFormat odd = new AudioFormat(AudioFormat.Encoding.PCM16_LE, 11_025, 1);
        assertThat(FormatConverter.supports(odd)).isFalse();
        assertThatThrownBy(() -> new FormatConverter(16_000, odd))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("11025");
    }

    private static byte[] convertInChunks(short[] input, AudioFormat target) {
        FormatConverter converter = new FormatConverter(16_000, target);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int at = 0; at < input.length; at += 320) {
            short[] chunk = Arrays.copyOfRange(input, at, Math.min(input.length, at + 320));
            out.writeBytes(converter.convert(chunk, chunk.length));
        }
        out.writeBytes(converter.finish());
        return out.toByteArray();
    }
}
