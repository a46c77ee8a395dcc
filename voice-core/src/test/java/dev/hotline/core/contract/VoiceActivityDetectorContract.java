package dev.hotline.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.core.VoiceActivityDetector;
import dev.hotline.core.testing.TestAudio;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link VoiceActivityDetector} keeps: probabilities in 0..1, a quiet line is not speech,
 * real speech is, frames of any length are taken, and {@link VoiceActivityDetector#reset()} forgets. An
 * adapter's test extends this class and says how to make the detector's factory.
 */
public abstract class VoiceActivityDetectorContract {

    /** The factory under test. */
    protected abstract VoiceActivityDetector.Factory createFactory() throws Exception;

    /** The sample rate to test at; default 8 kHz (telephone audio). */
    protected int sampleRate() {
        return 8_000;
    }

    private float[] run(VoiceActivityDetector vad, short[] samples, int frame) {
        float[] out = new float[samples.length / frame];
        for (int i = 0; i < out.length; i++) {
            out[i] = vad.speechProbability(samples, i * frame, frame);
        }
        return out;
    }

    private static short[] line(long millis) {
        return TestAudio.silence(millis);
    }

    @Test
    void givenAQuietLine_whenFed_thenProbabilitiesAreLowAndInRange() throws Exception {
        assumeTrue(sampleRate() == 8_000, "the quiet line is generated at 8 kHz");
        VoiceActivityDetector vad = createFactory().create(sampleRate());

        float[] p = run(vad, line(3_000), 160);

        for (float v : p) {
            assertThat(v).isBetween(0f, 1f);
        }
        long speech = 0;
        for (float v : p) {
            if (v >= 0.5f) {
                speech++;
            }
        }
        assertThat(speech).as("frames of a quiet line taken for speech").isLessThanOrEqualTo(p.length / 20);
    }

    @Test
    void givenRealSpeechAfterSilence_whenFed_thenMuchOfItIsSpeech() throws Exception {
        assumeTrue(sampleRate() == 8_000, "the phone recordings are 8 kHz");
        Path file = TestAudio.phone("vm-msgsaved.wav").orElse(null);
        assumeTrue(file != null, "shared fixtures not present (hotline.shared.dir)");
        TestAudio.Pcm speech = TestAudio.readWav(file);
        VoiceActivityDetector vad = createFactory().create(sampleRate());
        run(vad, line(1_000), 160);

        float[] p = run(vad, speech.samples(), 160);

        long voiced = 0;
        for (float v : p) {
            if (v >= 0.5f) {
                voiced++;
            }
        }
        assertThat(voiced).as("frames of a spoken sentence taken for speech").isGreaterThanOrEqualTo(p.length / 3);
    }

    @Test
    void givenOddFrameLengths_whenFed_thenEveryCallAnswersInRange() throws Exception {
        VoiceActivityDetector vad = createFactory().create(sampleRate());
        short[] tone = TestAudio.tone(1_000, 220, 8_000);

        for (int frame : new int[] {1, 7, 80, 160, 333, 512}) {
            float p = vad.speechProbability(tone, 0, Math.min(frame, tone.length));
            assertThat(p).isBetween(0f, 1f);
        }
    }

    @Test
    void givenADetectorThatHeardSpeech_whenReset_thenItAnswersAsANewOne() throws Exception {
        VoiceActivityDetector.Factory factory = createFactory();
        VoiceActivityDetector used = factory.create(sampleRate());
        run(used, TestAudio.concat(line(1_000), TestAudio.tone(1_000, 220, 8_000)), 160);
        VoiceActivityDetector fresh = factory.create(sampleRate());

        used.reset();
        float[] afterReset = run(used, line(500), 160);
        float[] asNew = run(fresh, line(500), 160);

        assertThat(afterReset).containsExactly(asNew);
    }

    @Test
    void givenTheFactory_whenAskedItsName_thenNotBlank() throws Exception {
        assertThat(createFactory().name()).isNotBlank();
    }
}
