package dev.hotline.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EnergyVadTest {

    /** A frame of the clean recording within this many dB of the recording's loudest frame is clear speech. */
    private static final double CLEAR_SPEECH_BELOW_PEAK_DB = 30;
    /** Background before the first and between recordings. */
    private static final double GAP_SECONDS = 1.5;
    /** Frames right after a recording ends are neither counted as speech nor as noise (word tails, hangover). */
    private static final double TAIL_SECONDS = 0.3;

    enum Background { SILENCE, WHITE_NOISE, HUM }

    /** Detection counts over one mixed stream. */
    record Score(int speechFrames, int speechDetected, int noiseFrames, int noiseDetected) {
        double detectionRate() {
            return (double) speechDetected / speechFrames;
        }

        double falsePositiveRate() {
            return (double) noiseDetected / noiseFrames;
        }

        @Override
        public String toString() {
            return String.format("speech %d/%d = %.1f%%, noise false positives %d/%d = %.2f%%", speechDetected,
                    speechFrames, 100 * detectionRate(), noiseDetected, noiseFrames, 100 * falsePositiveRate());
        }
    }

    /**
     * Plays every recording of {@code sub} in turn, with {@code GAP_SECONDS} of background before each
     * and after the last, the background also running under the speech at {@code backgroundDbfs}.
     */
    static Score score(String sub, Background background, double backgroundDbfs, EnergyVad.Config config)
            throws IOException {
        List<short[]> recordings = new ArrayList<>();
        int rate = 0;
        for (Path file : SharedFixtures.recordings(sub)) {
            AudioClip clip = Wav.read(file);
            rate = clip.format().sampleRate();
            recordings.add(clip.toPcm16Samples());
        }
        int frame = rate / 50;
        int gap = (int) (GAP_SECONDS * rate) / frame * frame;
        int tail = (int) Math.round(TAIL_SECONDS * 50);

        // Labels per frame: 1 = clear speech, 0 = background only, -1 = not scored.
        List<Integer> labels = new ArrayList<>();
        List<short[]> speechParts = new ArrayList<>();
        for (short[] recording : recordings) {
            for (int i = 0; i < gap / frame; i++) {
                labels.add(labels.isEmpty() || i >= tail ? 0 : -1);
            }
            short[] padded = Arrays.copyOf(recording, Math.ceilDiv(recording.length, frame) * frame);
            double peak = Energy.SILENCE_DBFS;
            for (int at = 0; at < padded.length; at += frame) {
                peak = Math.max(peak, Energy.dbfs(Energy.rms(padded, at, frame)));
            }
            for (int at = 0; at < padded.length; at += frame) {
                labels.add(Energy.dbfs(Energy.rms(padded, at, frame)) >= peak - CLEAR_SPEECH_BELOW_PEAK_DB ? 1 : -1);
            }
            speechParts.add(padded);
        }
        for (int i = 0; i < gap / frame; i++) {
            labels.add(i >= tail ? 0 : -1);
        }

        int total = labels.size() * frame;
        double[] mix = new double[total];
        int at = 0;
        for (short[] part : speechParts) {
            at += gap;
            for (int i = 0; i < part.length; i++) {
                mix[at + i] = part[i];
            }
            at += part.length;
        }
        addBackground(mix, rate, background, backgroundDbfs);

        EnergyVad vad = new EnergyVad(new AudioFormat(AudioFormat.Encoding.PCM16_LE, rate, 1), config);
        int speechFrames = 0;
        int speechDetected = 0;
        int noiseFrames = 0;
        int noiseDetected = 0;
        short[] samples = new short[frame];
        for (int f = 0; f < labels.size(); f++) {
            for (int i = 0; i < frame; i++) {
                samples[i] = Pcm16.clampToShort(mix[f * frame + i]);
            }
            boolean speech = vad.isSpeech(samples);
            int label = labels.get(f);
            if (label == 1) {
                speechFrames++;
                speechDetected += speech ? 1 : 0;
            } else if (label == 0) {
                noiseFrames++;
                noiseDetected += speech ? 1 : 0;
            }
        }
        return new Score(speechFrames, speechDetected, noiseFrames, noiseDetected);
    }

    private static void addBackground(double[] mix, int rate, Background background, double dbfs) {
        double rms = 32768 * Math.pow(10, dbfs / 20);
        Random random = new Random(42);
        for (int i = 0; i < mix.length; i++) {
            mix[i] += switch (background) {
                case SILENCE -> 0;
                case WHITE_NOISE -> rms * random.nextGaussian();
                // 50 Hz mains hum with its odd harmonics, as a transformer makes it; amplitudes 1, 0.5, 0.25.
                case HUM -> {
                    double t = (double) i / rate;
                    double shape = Math.sin(2 * Math.PI * 50 * t) + 0.5 * Math.sin(2 * Math.PI * 150 * t)
                            + 0.25 * Math.sin(2 * Math.PI * 250 * t);
                    yield rms * shape / Math.sqrt((1 + 0.25 + 0.0625) / 2);
                }
            };
        }
    }

    /**
     * Each row: recordings, background, its level in dBFS, and the share of clear-speech frames that
     * must be found. The recordings average about -19 dBFS (phone) and -24 dBFS (librivox), so -45 dBFS
     * of background is 21-26 dB SNR and -35 dBFS is 11-16 dB. Measured with {@link EnergyVad.Config#DEFAULT}
     * (speech found / false positives on background): phone 99.3/0, 99.1/0, 97.4/0, 99.0/0, 97.4/0;
     * librivox 99.8/0, 96.7/0, 89.7/0, 97.0/0, 92.7/0 (rows in the order below). The thresholds sit
     * just under those numbers.
     */
    @ParameterizedTest(name = "{0} over {1} at {2} dBFS: >= {3}% of speech found")
    @CsvSource({
        "phone, SILENCE, 0, 99",
        "phone, WHITE_NOISE, -45, 98.5",
        "phone, WHITE_NOISE, -35, 96.5",
        "phone, HUM, -45, 98.5",
        "phone, HUM, -35, 96.5",
        "librivox, SILENCE, 0, 99",
        "librivox, WHITE_NOISE, -45, 95.5",
        "librivox, WHITE_NOISE, -35, 88.5",
        "librivox, HUM, -45, 96",
        "librivox, HUM, -35, 91.5",
    })
    void givenRealSpeechMixedWithSteadyBackground_whenDetecting_thenSpeechIsFoundAndTheBackgroundRejected(
            String recordings, Background background, double levelDbfs, double minDetectionPercent) throws IOException {
        Score score = score(recordings, background, levelDbfs, EnergyVad.Config.DEFAULT);

        assertThat(score.speechFrames()).as("clear speech frames scored").isGreaterThan(1000);
        assertThat(score.noiseFrames()).as("background frames scored").isGreaterThan(300);
        assertThat(100 * score.detectionRate()).as(score.toString()).isGreaterThanOrEqualTo(minDetectionPercent);
        // Measured 0 false positives in every row; 1% allows a retune without hiding a broken floor.
        assertThat(100 * score.falsePositiveRate()).as(score.toString()).isLessThanOrEqualTo(1.0);
    }

    @Test
    void givenAThresholdInsideTheNoisesOwnSpread_whenScored_thenTheScoreReportsTheFalsePositives() throws IOException {
        // The scoring must be able to fail: 0.1 dB over the floor is well inside the frame-to-frame
        // spread of white noise, so most background frames are called speech.
        EnergyVad.Config tooSensitive = new EnergyVad.Config(0.1, -50, 100, 1, 15);
        Score score = score("phone", Background.WHITE_NOISE, -35, tooSensitive);
        assertThat(score.falsePositiveRate()).as(score.toString()).isGreaterThan(0.5);
    }

    @Test
    void givenSteadyNoiseThatStepsUp_whenDetecting_thenTheFloorAdaptsWithinOneWindow() {
        EnergyVad vad = new EnergyVad(AudioFormat.PCM16_8K);
        Random random = new Random(3);
        int window = EnergyVad.Config.DEFAULT.noiseWindowFrames();
        int hangover = EnergyVad.Config.DEFAULT.hangoverFrames();
        for (int f = 0; f < window; f++) {
            assertThat(vad.isSpeech(whiteNoise(random, 160, -60))).as("frame %d of quiet noise", f).isFalse();
        }
        assertThat(vad.noiseFloorDbfs()).isBetween(-62.0, -60.0);
        int speechFrames = 0;
        for (int f = 0; f < 2 * window; f++) {
            boolean speech = vad.isSpeech(whiteNoise(random, 160, -30));
            if (f >= window + hangover) {
                assertThat(speech).as("frame %d after the step", f).isFalse();
            }
            speechFrames += speech ? 1 : 0;
        }
        // The 30 dB step reads as speech until the -60 dBFS frames leave the floor's window, plus the hangover.
        assertThat(speechFrames).isBetween(window - 5, window + hangover);
        assertThat(vad.noiseFloorDbfs()).isBetween(-32.0, -30.0);
    }

    @Test
    void givenATwoFrameToneBurstInSilence_whenDetecting_thenOnsetAndHangoverFrameCountsAreExact() {
        EnergyVad.Config config = new EnergyVad.Config(9, -55, 50, 2, 3);
        EnergyVad vad = new EnergyVad(AudioFormat.PCM16_16K, config);
        short[] silence = new short[320];
        short[] tone = ResamplerTest.tone(440, 16_000, 320);
        List<Boolean> decisions = new ArrayList<>();
        for (short[] frame : List.of(silence, silence, tone, tone, tone, silence, silence, silence, silence, silence)) {
            decisions.add(vad.isSpeech(frame));
        }
        // First tone frame: onset not yet reached; then speech; then 3 hangover frames; then silence.
        assertThat(decisions).containsExactly(false, false, false, true, true, true, true, true, false, false);
    }

    @Test
    void givenASingleClick_whenDetecting_thenItIsNotSpeech() {
        EnergyVad vad = new EnergyVad(AudioFormat.PCM16_8K);
        short[] silence = new short[160];
        short[] click = new short[160];
        click[80] = 30_000;
        assertThat(vad.isSpeech(silence)).isFalse();
        assertThat(vad.isSpeech(click)).isFalse();
        assertThat(vad.isSpeech(silence)).isFalse();
    }

    @Test
    void givenUlawFrames_whenDetecting_thenTheyAreDecodedAndDecidedLikePcm() {
        EnergyVad ulawVad = new EnergyVad(AudioFormat.ULAW_8K);
        EnergyVad pcmVad = new EnergyVad(AudioFormat.PCM16_8K);
        Random random = new Random(8);
        for (int f = 0; f < 200; f++) {
            short[] frame = f % 40 < 20 ? whiteNoise(random, 160, -50) : ResamplerTest.tone(300 + f, 8000, 160);
            byte[] ulaw = G711.linearToUlaw(frame);
            assertThat(ulawVad.isSpeech(ulaw)).as("frame %d", f).isEqualTo(pcmVad.isSpeech(G711.ulawToLinear(ulaw)));
        }
        assertThat(ulawVad.lastLevelDbfs()).isEqualTo(pcmVad.lastLevelDbfs());
    }

    @Test
    void givenAResetVad_whenFedAgain_thenItDecidesAsANewOne() {
        EnergyVad vad = new EnergyVad(AudioFormat.PCM16_8K);
        short[] tone = ResamplerTest.tone(300, 8000, 160);
        vad.isSpeech(new short[160]);
        vad.isSpeech(tone);
        assertThat(vad.isSpeech(tone)).isTrue();
        vad.reset();
        assertThat(vad.noiseFloorDbfs()).isEqualTo(Energy.SILENCE_DBFS);
        assertThat(vad.isSpeech(tone)).isFalse();
    }

    @Test
    void givenWrongFrameSizesOrConfig_whenUsed_thenIllegalArgumentNamesTheValue() {
        EnergyVad vad = new EnergyVad(AudioFormat.ULAW_8K);
        assertThatThrownBy(() -> vad.isSpeech(new byte[161])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("160 bytes, was 161");
        assertThatThrownBy(() -> vad.isSpeech(new short[80])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("160 samples, was 80");
        assertThatThrownBy(() -> new EnergyVad.Config(0, -55, 100, 2, 15)).hasMessageContaining("thresholdDb");
        assertThatThrownBy(() -> new EnergyVad.Config(9, 3, 100, 2, 15)).hasMessageContaining("minSpeechDbfs");
        assertThatThrownBy(() -> new EnergyVad.Config(9, -55, 0, 2, 15)).hasMessageContaining("noiseWindowFrames");
        assertThatThrownBy(() -> new EnergyVad.Config(9, -55, 100, 0, 15)).hasMessageContaining("onsetFrames");
        assertThatThrownBy(() -> new EnergyVad.Config(9, -55, 100, 2, -1)).hasMessageContaining("hangoverFrames");
    }

    private static short[] whiteNoise(Random random, int count, double dbfs) {
        double rms = 32768 * Math.pow(10, dbfs / 20);
        short[] out = new short[count];
        for (int i = 0; i < count; i++) {
            out[i] = Pcm16.clampToShort(rms * random.nextGaussian());
        }
        return out;
    }
}
