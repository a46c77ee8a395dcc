package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.audio.G711;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The energy gate: what it skips, and that skipping changes neither what is found nor how soon. */
class SileroVadGateTest {

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
    void givenDigitalSilence_whenFed_thenTheModelNeverRunsAndEveryWindowIsSilence() {
        SileroVad vad = factory.create(8_000);
        short[] silence = TestAudio.silence(8_000, 2.0);

        for (int at = 0; at < silence.length; at += 160) {
            assertThat(vad.speechProbability(silence, at, 160)).isZero();
        }

        assertThat(vad.windowsRun()).isZero();
        assertThat(vad.windowsGated()).isEqualTo(silence.length / 256);
    }

    @Test
    void givenAudioJustAboveTheThreshold_whenFed_thenTheModelRunsOnEveryWindow() {
        SileroVad vad = factory.create(8_000);
        short[] hum = TestAudio.tone(8_000, 1.0, 200, SileroVad.Gate.DEFAULT.rms() * Math.sqrt(2) * 1.2);

        vad.speechProbability(hum, 0, hum.length);

        assertThat(vad.windowsGated()).isZero();
        assertThat(vad.windowsRun()).isEqualTo(hum.length / 256);
    }

    @Test
    void givenTheGateOff_whenFedSilence_thenTheModelRunsOnEveryWindow() {
        SileroVad vad = factory.create(8_000, SileroVad.Gate.OFF);

        vad.speechProbability(TestAudio.silence(8_000, 1.0), 0, 8_000);

        assertThat(vad.windowsGated()).isZero();
        assertThat(vad.windowsRun()).isEqualTo(8_000 / 256);
    }

    @Test
    void givenAGateOutOfRange_whenMade_thenTheMessageNamesTheBound() {
        assertThatThrownBy(() -> new SileroVad.Gate(-1, 0.1f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("rms").hasMessageContaining("-1");
        assertThatThrownBy(() -> new SileroVad.Gate(32, 1.5f)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("probability").hasMessageContaining("1.5");
        assertThatThrownBy(() -> factory.create(8_000, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Gate.OFF");
    }

    @Test
    void givenARealisticCall_whenGated_thenMostWindowsAreSkippedAndSpeechIsFoundAsWellAndAsSoon() throws IOException {
        CallScene call = CallScene.build(TestAudio.speechDir());
        SileroVad gated = factory.create(CallScene.RATE);

        CallScene.Score withGate = call.score(gated);
        CallScene.Score without = call.score(factory.create(CallScene.RATE, SileroVad.Gate.OFF));

        assertThat(gated.windowsGated()).as("windows skipped in a call that is mostly listening")
                .isGreaterThan(gated.windowsRun());
        assertThat(withGate.speechRecall()).as("speech frames found").isGreaterThanOrEqualTo(without.speechRecall() - 0.005);
        assertThat(withGate.onsetMillis()).as("time to the first speech frame of a turn, ms")
                .isLessThanOrEqualTo(without.onsetMillis() + 20);
        assertThat(withGate.quietFalseRate()).as("quiet line taken for speech").isLessThanOrEqualTo(without.quietFalseRate());
        assertThat(withGate.soundFalseRate()).as("noise bursts and tones after a quiet line taken for speech")
                .isLessThanOrEqualTo(without.soundFalseRate() + 0.01);
    }

    @Test
    void givenEachPhonePromptFollowedByDigitalSilence_whenGated_thenItsSpeechEndsNoEarlierThanWithoutTheGate()
            throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(TestAudio.speechDir().resolve("phone"))) {
            files = list.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            short[] prompt = TestAudio.readWav(file).samples();
            short[] call = new short[prompt.length + 8_000];
            System.arraycopy(prompt, 0, call, 0, prompt.length);

            int lastGated = lastSpeechFrame(factory.create(8_000), call);
            int lastUngated = lastSpeechFrame(factory.create(8_000, SileroVad.Gate.OFF), call);

            assertThat(lastGated).as("last 20 ms frame over 0.5 in %s", file.getFileName())
                    .isGreaterThanOrEqualTo(lastUngated);
        }
    }

    private static int lastSpeechFrame(SileroVad vad, short[] samples) {
        int last = -1;
        for (int at = 0; at + 160 <= samples.length; at += 160) {
            if (vad.speechProbability(samples, at, 160) > 0.5f) {
                last = at / 160;
            }
        }
        return last;
    }

    @Test
    void givenTheRecordedTwilioCall_whenGated_thenTheLineNoiseIsSkippedAndTheSameSpeechIsFound() throws IOException {
        short[] call = twilioInbound();
        SileroVad gated = factory.create(8_000);
        SileroVad ungated = factory.create(8_000, SileroVad.Gate.OFF);
        int speechGated = 0;
        int speechUngated = 0;
        int disagree = 0;

        for (int at = 0; at + 160 <= call.length; at += 160) {
            boolean a = gated.speechProbability(call, at, 160) > 0.5f;
            boolean b = ungated.speechProbability(call, at, 160) > 0.5f;
            speechGated += a ? 1 : 0;
            speechUngated += b ? 1 : 0;
            disagree += a != b ? 1 : 0;
        }

        assertThat(gated.windowsGated()).as("windows of line noise and silence skipped")
                .isGreaterThan(2 * gated.windowsRun());
        assertThat(speechUngated).as("frames of the caller's two phrases").isGreaterThan(100);
        assertThat(speechGated).isBetween(speechUngated - 5, speechUngated + 10);
        assertThat(disagree).as("20 ms frames judged differently").isLessThanOrEqualTo(15);
    }

    /** The caller's side of {@code fixtures/twilio/stream1_recorded.jsonl}, decoded from mu-law. */
    private static short[] twilioInbound() throws IOException {
        Path capture = TestAudio.speechDir().getParent().resolve("twilio").resolve("stream1_recorded.jsonl");
        assumeTrue(Files.isRegularFile(capture), "the recorded Twilio stream is absent at " + capture);
        Pattern payload = Pattern.compile("\"payload\":\"([^\"]*)\"");
        ByteArrayOutputStream mulaw = new ByteArrayOutputStream();
        for (String line : Files.readAllLines(capture)) {
            Matcher m = payload.matcher(line);
            if (line.contains("\"event\":\"media\"") && m.find()) {
                mulaw.writeBytes(Base64.getDecoder().decode(m.group(1)));
            }
        }
        return G711.ulawToLinear(mulaw.toByteArray());
    }
}
