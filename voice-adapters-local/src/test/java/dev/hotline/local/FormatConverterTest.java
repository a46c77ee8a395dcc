package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.audio.AudioFormat;
import org.junit.jupiter.api.Test;

class FormatConverterTest {

    @Test
    void givenKnownSamples_whenEncodedAsMuLaw_thenTheG711CodesComeOut() {
        short[] samples = {0, -1, 32_767, -32_768, 1_000, -1_000};
        byte[] codes = FormatConverter.encode(samples, AudioFormat.Encoding.ULAW);
        // ITU-T G.711 mu-law: zero is 0xFF, -1 rounds to 0x7F, full scale is 0x80 / 0x00.
        assertThat(codes).containsExactly(0xFF, 0x7F, 0x80, 0x00, 0xCE, 0x4E);
    }

    @Test
    void givenKnownSamples_whenEncodedAsALaw_thenTheG711CodesComeOut() {
        short[] samples = {0, -1, 32_767, -32_768, 1_000, -1_000};
        byte[] codes = FormatConverter.encode(samples, AudioFormat.Encoding.ALAW);
        assertThat(codes).containsExactly(0xD5, 0x55, 0xAA, 0x2A, 0xFA, 0x7A);
    }

    @Test
    void givenAToneIn20msChunks_whenHalvedTo8k_thenItKeepsItsLengthAndLevelWithoutSeams() {
        short[] tone = TestAudio.tone(16_000, 1.0, 300, 10_000);
        FormatConverter converter = new FormatConverter(16_000, AudioFormat.PCM16_8K);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int at = 0; at < tone.length; at += 320) {
            short[] chunk = java.util.Arrays.copyOfRange(tone, at, at + 320);
            out.writeBytes(converter.convert(chunk, chunk.length));
        }
        short[] result = TestAudio.pcm16le(out.toByteArray());
        assertThat(result.length).isBetween(7_999, 8_000);
        double expected = 10_000 / Math.sqrt(2);
        assertThat(TestAudio.rms(result, 100, result.length)).isBetween(expected * 0.95, expected * 1.01);
        int maxStep = 0;
        for (int i = 1; i < result.length; i++) {
            maxStep = Math.max(maxStep, Math.abs(result[i] - result[i - 1]));
        }
        // A 300 Hz sine at 8 kHz moves at most 2*pi*300/8000*10000 = 2356 per sample; a seam would jump more.
        assertThat(maxStep).isLessThan(2_400);
    }

    @Test
    void givenAnUpsample_whenConvertedIn20msChunks_thenTheLengthScales() {
        short[] tone = TestAudio.tone(16_000, 0.5, 200, 5_000);
        FormatConverter converter = new FormatConverter(16_000, AudioFormat.PCM16_24K);
        int total = 0;
        for (int at = 0; at < tone.length; at += 320) {
            total += converter.convert(java.util.Arrays.copyOfRange(tone, at, at + 320), 320).length / 2;
        }
        assertThat(total).isBetween(11_998, 12_000);
    }
}
