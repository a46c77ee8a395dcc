package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.Utterance;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class CarriedTurnTest {

    private static final AudioFormat PCM8K = new AudioFormat(AudioFormat.Encoding.PCM16_LE, 8_000, 1);

    /** {@code millis} of 8 kHz PCM whose every byte is {@code value}. */
    private static Utterance filled(long millis, int value) {
        byte[] pcm = new byte[(int) (millis * 16)];
        Arrays.fill(pcm, (byte) value);
        return new Utterance(PCM8K, pcm);
    }

    @Test
    void givenTwoUtterancesAndAPause_whenJoined_thenEarlierThenSilenceThenLater() {
        Utterance joined = CarriedTurn.join(filled(100, 1), Duration.ofMillis(50).toNanos(), filled(200, 2), 1 << 20);

        byte[] pcm = joined.pcm();
        assertThat(joined.duration()).isEqualTo(Duration.ofMillis(350));
        assertThat(pcm[0]).isEqualTo((byte) 1);
        assertThat(pcm[1_599]).isEqualTo((byte) 1);
        assertThat(Arrays.copyOfRange(pcm, 1_600, 2_400)).containsOnly((byte) 0);
        assertThat(pcm[2_400]).isEqualTo((byte) 2);
        assertThat(pcm[pcm.length - 1]).isEqualTo((byte) 2);
    }

    @Test
    void givenMoreThanTheCap_whenJoined_thenThePauseShrinksFirstAndThenTheEarliestAudioGoes() {
        int cap = 16 * 250;

        Utterance shortPause = CarriedTurn.join(filled(100, 1), Duration.ofMillis(100).toNanos(), filled(100, 2), cap);
        Utterance overflowing = CarriedTurn.join(filled(200, 1), Duration.ofMillis(100).toNanos(), filled(100, 2), cap);

        assertThat(shortPause.duration()).isEqualTo(Duration.ofMillis(250));
        assertThat(Arrays.copyOfRange(shortPause.pcm(), 1_600, 2_400)).containsOnly((byte) 0);
        assertThat(overflowing.duration()).isEqualTo(Duration.ofMillis(250));
        assertThat(Arrays.copyOfRange(overflowing.pcm(), 0, 2_400)).as("150 ms of the earlier audio, no pause")
                .containsOnly((byte) 1);
        assertThat(Arrays.copyOfRange(overflowing.pcm(), 2_400, 4_000)).containsOnly((byte) 2);
    }

    @Test
    void givenANegativeGapOrOtherFormats_whenJoined_thenNoSilenceOrRejected() {
        AudioFormat other = new AudioFormat(AudioFormat.Encoding.PCM16_LE, 16_000, 1);

        assertThat(CarriedTurn.join(filled(100, 1), -5, filled(100, 2), 1 << 20).duration())
                .isEqualTo(Duration.ofMillis(200));
        assertThatThrownBy(() -> CarriedTurn.join(filled(100, 1), 0, new Utterance(other, new byte[2]), 1 << 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cannot join");
        assertThatThrownBy(() -> CarriedTurn.ofAudio(null, 0)).isInstanceOf(NullPointerException.class);
    }
}
