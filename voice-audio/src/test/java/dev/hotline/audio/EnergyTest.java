package dev.hotline.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class EnergyTest {

    @Test
    void givenAFullScaleSquareWave_whenMeasured_thenItIsZeroDbfs() {
        short[] square = new short[160];
        for (int i = 0; i < square.length; i++) {
            square[i] = (short) (i % 2 == 0 ? -32768 : 32767);
        }
        assertThat(Energy.rms(square)).isCloseTo(32767.5, within(0.01));
        assertThat(Energy.dbfs(square)).isCloseTo(0.0, within(0.001));
    }

    @Test
    void givenAHalfScaleSine_whenMeasured_thenRmsIsAmplitudeOverRootTwo() {
        short[] sine = new short[8000];
        for (int i = 0; i < sine.length; i++) {
            sine[i] = (short) Math.round(16384 * Math.sin(2 * Math.PI * 1000 * i / 8000.0));
        }
        assertThat(Energy.rms(sine)).isCloseTo(16384 / Math.sqrt(2), within(0.5));
        assertThat(Energy.dbfs(sine)).isCloseTo(-9.03, within(0.01));
        assertThat(Energy.rms(sine, 2, 4)).isCloseTo(Math.sqrt((16384.0 * 16384 + 16384.0 * 16384) / 4), within(1.0));
    }

    @Test
    void givenSilence_whenMeasured_thenTheLevelIsTheSilenceFloor() {
        assertThat(Energy.rms(new short[0])).isZero();
        assertThat(Energy.dbfs(new short[160])).isEqualTo(Energy.SILENCE_DBFS);
        assertThat(Energy.dbfs(0.0)).isEqualTo(Energy.SILENCE_DBFS);
        assertThatThrownBy(() -> Energy.dbfs(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> Energy.dbfs(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenEncodedBytes_whenMeasured_thenTheRmsIsThatOfTheDecodedSamples() {
        short[] samples = ResamplerTest.tone(700, 8000, 160);
        assertThat(Energy.rms(Pcm16.toBytes(samples), AudioFormat.Encoding.PCM16_LE)).isEqualTo(Energy.rms(samples));
        byte[] ulaw = G711.linearToUlaw(samples);
        assertThat(Energy.rms(ulaw, AudioFormat.Encoding.ULAW)).isEqualTo(Energy.rms(G711.ulawToLinear(ulaw)));
        byte[] alaw = G711.linearToAlaw(samples);
        assertThat(Energy.rms(alaw, AudioFormat.Encoding.ALAW)).isEqualTo(Energy.rms(G711.alawToLinear(alaw)));
        assertThatThrownBy(() -> Energy.rms(new byte[3], AudioFormat.Encoding.PCM16_LE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 bytes");
    }
}
