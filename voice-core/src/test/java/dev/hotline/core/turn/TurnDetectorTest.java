package dev.hotline.core.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.audio.G711;
import dev.hotline.core.CallSettings;
import dev.hotline.core.Utterance;
import dev.hotline.core.VoiceActivityDetector;
import dev.hotline.core.testing.TestAudio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class TurnDetectorTest {

    private static final int RATE = 8_000;
    private static final int FRAME = 160;
    /** Silent frames before each turn of {@link #turn}: more than the pre-roll. */
    private static final int QUIET_FRAMES = 50;

    /** Feeds 8 kHz samples frame by frame through the energy VAD; records each event with its audio time. */
    private static final class Run {
        final TurnDetector detector;
        final VoiceActivityDetector vad = EnergyVoiceActivityDetector.FACTORY.create(RATE);
        final List<String> events = new ArrayList<>();
        final List<Utterance> utterances = new ArrayList<>();
        long millis;

        Run(CallSettings settings) {
            detector = new TurnDetector(settings, RATE);
        }

        Run feed(short[] samples) {
            short[] frame = new short[FRAME];
            for (int pos = 0; pos < samples.length; pos += FRAME) {
                java.util.Arrays.fill(frame, (short) 0);
                System.arraycopy(samples, pos, frame, 0, Math.min(FRAME, samples.length - pos));
                TurnDetector.Event event = detector.onFrame(frame, FRAME, vad.speechProbability(frame, 0, FRAME));
                millis += 20;
                if (event != TurnDetector.Event.NONE) {
                    events.add(event + "@" + millis);
                }
                if (event == TurnDetector.Event.TURN_ENDED) {
                    utterances.add(detector.takeUtterance());
                }
            }
            return this;
        }
    }

    /** Frames whose samples count up from 0, one step a sample (wrapping at 16 bits). */
    private static final class Counter {
        private short value;

        short[] next(int length) {
            short[] frame = new short[length];
            for (int i = 0; i < length; i++) {
                frame[i] = value++;
            }
            return frame;
        }
    }

    private final CallSettings defaults = CallSettings.defaults();

    @Test
    void givenSpeechAfterSilence_whenFed_thenTheTurnStartsAfter200msAndEndsAfter700msOfSilence() {
        Run run = new Run(defaults).feed(TestAudio.silence(1_000)).feed(TestAudio.tone(1_000, 220, 8_000))
                .feed(TestAudio.silence(1_000));

        assertThat(run.events).containsExactly("SPEECH_STARTED@1200", "TURN_ENDED@2700");
    }

    @Test
    void givenAShorterEndOfTurnSilence_whenFed_thenTheTurnEndsThatMuchSooner() {
        CallSettings fast = defaults.withEndOfTurnSilence(Duration.ofMillis(400));
        Run run = new Run(fast).feed(TestAudio.silence(1_000)).feed(TestAudio.tone(1_000, 220, 8_000))
                .feed(TestAudio.silence(1_000));

        assertThat(run.events).containsExactly("SPEECH_STARTED@1200", "TURN_ENDED@2400");
    }

    @Test
    void givenAPauseShorterThanTheSilence_whenFed_thenItIsOneTurn() {
        Run run = new Run(defaults).feed(TestAudio.silence(500)).feed(TestAudio.tone(600, 220, 8_000))
                .feed(TestAudio.silence(500)).feed(TestAudio.tone(600, 220, 8_000)).feed(TestAudio.silence(1_000));

        assertThat(run.events).containsExactly("SPEECH_STARTED@700", "TURN_ENDED@2900");
    }

    @Test
    void givenClicks_whenFed_thenNoTurnStarts() {
        short[] line = TestAudio.silence(3_000);
        for (int click = 4_000; click < line.length; click += 4_000) {
            for (int i = 0; i < 80; i++) {
                line[click + i] = (short) (i % 2 == 0 ? 20_000 : -20_000);
            }
        }

        assertThat(new Run(defaults).feed(line).events).isEmpty();
    }

    @Test
    void givenSteadyBackgroundNoise_whenFed_thenNoTurnStarts() {
        Run run = new Run(defaults).feed(TestAudio.noise(10_000, 3_000, 7));

        assertThat(run.events).isEmpty();
    }

    @Test
    void givenSpeechOverBackgroundNoise_whenFed_thenTheSpeechIsATurn() {
        short[] noisy = TestAudio.noise(6_000, 1_000, 7);
        short[] voice = TestAudio.voice(1_500);
        for (int i = 0; i < voice.length; i++) {
            noisy[24_000 + i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, noisy[24_000 + i] + voice[i]));
        }

        Run run = new Run(defaults).feed(noisy);

        assertThat(run.utterances).hasSize(1);
    }

    @Test
    void givenAnUtterance_whenTaken_thenItKeepsHalfASecondOfPreRollAndTheSpeech() {
        Run run = new Run(defaults).feed(TestAudio.silence(2_000)).feed(TestAudio.tone(1_000, 220, 8_000))
                .feed(TestAudio.silence(1_000));

        Utterance utterance = run.utterances.getFirst();
        assertThat(utterance.format().sampleRate()).isEqualTo(RATE);
        // 500 ms pre-roll + 1000 ms speech + 200 ms of the trailing silence
        assertThat(utterance.duration()).isEqualTo(Duration.ofMillis(1_700));
        short first = (short) ((utterance.pcm()[0] & 0xFF) | (utterance.pcm()[1] << 8));
        assertThat(Math.abs(first)).as("the utterance starts in the quiet before the speech").isLessThan(100);
    }

    @Test
    void givenFramesOfOddLengthsAndOneLongerThanThePreRollRing_whenATurnIsTaken_thenItsSamplesAreUnbrokenAndInOrder() {
        // Every sample is the next value of a counter, so any sample lost, doubled or out of order in the
        // pre-roll ring (which these frames wrap at odd places) shows as a break in the count.
        TurnDetector detector = new TurnDetector(defaults, RATE);
        Counter counted = new Counter();
        for (int fed = 0; fed < 13_000; fed += 77) {
            assertThat(detector.onFrame(counted.next(77), 77, 0f)).isEqualTo(TurnDetector.Event.NONE);
        }
        assertThat(detector.onFrame(counted.next(9_001), 9_001, 0f)).isEqualTo(TurnDetector.Event.NONE);
        for (int i = 0; i < 50; i++) {
            detector.onFrame(counted.next(FRAME), FRAME, 1f);
        }
        TurnDetector.Event last = TurnDetector.Event.NONE;
        for (int i = 0; i < 100 && last != TurnDetector.Event.TURN_ENDED; i++) {
            last = detector.onFrame(counted.next(FRAME), FRAME, 0f);
        }
        assertThat(last).isEqualTo(TurnDetector.Event.TURN_ENDED);

        byte[] pcm = detector.takeUtterance().pcm();
        assertThat(pcm.length / 2).as("pre-roll and speech").isGreaterThan(RATE);
        assertCountsUp(pcm);
    }

    @Test
    void givenALongTurnThenAShortOne_whenBothAreTaken_thenTheSecondHoldsOnlyItsOwnSamples() {
        // The utterance buffer is kept from one turn to the next: the short second turn must not carry any
        // of the long first turn's samples, and the first utterance handed on must not change afterwards.
        TurnDetector detector = new TurnDetector(defaults, RATE);
        Counter counted = new Counter();
        Utterance longTurn = turn(detector, counted, 200);
        byte[] longPcm = longTurn.pcm();
        short firstOfSecond = counted.value;
        Utterance shortTurn = turn(detector, counted, 20);

        assertThat(longTurn.pcm()).as("the first utterance, after the second turn").isEqualTo(longPcm);
        int silenceFrames = (int) (defaults.preRoll().toMillis() / 20); // the pre-roll: within the quiet frames
        int keptTrailing = 200 / 20;
        assertThat(shortTurn.pcm().length / 2).as("pre-roll silence, 20 speech frames, 200 ms trailing")
                .isEqualTo((silenceFrames + 20 + keptTrailing) * FRAME);
        byte[] pcm = shortTurn.pcm();
        assertCountsUp(pcm);
        short firstSample = (short) ((pcm[0] & 0xFF) | (pcm[1] << 8));
        assertThat(firstSample).as("the second utterance starts in its own pre-roll")
                .isEqualTo((short) (firstOfSecond + (QUIET_FRAMES - silenceFrames) * FRAME));
    }

    @Test
    void givenSpeechFadingOutWhileTheVadStillHearsIt_whenSilenceFollows_thenTheSilenceCountsFromTheFade() {
        // Loud speech, then 100 ms the VAD still calls speech at -56 dBFS (a word's dying tail), then silence:
        // the 700 ms are counted from the fade, so the turn ends after 600 ms of frames the VAD calls silent.
        TurnDetector detector = speechFadingFor(5);

        assertThat(framesUntilTheTurnEnds(detector)).isEqualTo((700 - 100) / 20);
        byte[] pcm = detector.takeUtterance().pcm();
        assertThat(pcm.length / 2 / FRAME).as("pre-roll (10 quiet frames), speech, the 200 ms kept").isEqualTo(10 + 30 + 10);
    }

    @Test
    void givenALongQuietTail_whenSilenceFollows_thenAtMost200MsOfItCount() {
        TurnDetector detector = speechFadingFor(25); // 500 ms of quiet speech: the turn goes on through it

        assertThat(detector.inTurn()).isTrue();
        assertThat(framesUntilTheTurnEnds(detector)).isEqualTo((700 - 200) / 20);
    }

    @Test
    void givenALoudFrameAfterTheQuietOnes_whenSilenceFollows_thenTheFullSilenceIsWaited() {
        // The quiet frames were a pause inside speech, not its end: only a tail right before the silence counts.
        TurnDetector detector = speechFadingFor(5);
        feed(detector, 1, 1f, (short) 8_000);

        assertThat(framesUntilTheTurnEnds(detector)).isEqualTo(700 / 20);
    }

    @Test
    void givenATailFarUnderTheTurnsLevel_whenSilenceFollows_thenItCountsAsTheFadeThoughOverTheFloor() {
        // Speech at -12 dBFS, then 100 ms at -30 dBFS: 18 dB under the turn's level, past P.56's 15.9 dB margin.
        TurnDetector detector = speechFadingFor((short) 8_000, (short) 1_000, 5);

        assertThat(framesUntilTheTurnEnds(detector)).isEqualTo((700 - 100) / 20);
    }

    @Test
    void givenAStretchWithinTheMarginOfTheTurnsLevel_whenSilenceFollows_thenTheFullSilenceIsWaited() {
        // Speech at -12 dBFS, then 100 ms at -22 dBFS: 10 dB under, still speech activity.
        TurnDetector detector = speechFadingFor((short) 8_000, (short) 2_500, 5);

        assertThat(framesUntilTheTurnEnds(detector)).isEqualTo(700 / 20);
    }

    @Test
    void givenAQuietTalker_whenTheirSofterSpeechIsOverTheFloor_thenItIsNotTakenForAFade() {
        // A talker at -38 dBFS whose last 100 ms are at -42 dBFS: quiet in absolute terms, but only 4 dB under
        // their own level and over -50 dBFS.
        TurnDetector detector = speechFadingFor((short) 400, (short) 250, 5);

        assertThat(framesUntilTheTurnEnds(detector)).isEqualTo(700 / 20);
    }

    /**
     * A detector fed 200 ms of silence, 600 ms of loud speech (-12 dBFS) and {@code quietFrames} frames the VAD
     * still calls speech at -56 dBFS.
     */
    private TurnDetector speechFadingFor(int quietFrames) {
        return speechFadingFor((short) 8_000, (short) 50, quietFrames);
    }

    /**
     * A detector fed 200 ms of silence, 600 ms of speech at {@code speechLevel} and {@code tailFrames} frames the
     * VAD still calls speech at {@code tailLevel} (square waves of that amplitude, so that RMS).
     */
    private TurnDetector speechFadingFor(short speechLevel, short tailLevel, int tailFrames) {
        TurnDetector detector = new TurnDetector(defaults, RATE);
        feed(detector, 10, 0f, (short) 0);
        feed(detector, 30, 1f, speechLevel);
        feed(detector, tailFrames, 1f, tailLevel);
        return detector;
    }

    private static void feed(TurnDetector detector, int frames, float probability, short level) {
        for (int i = 0; i < frames; i++) {
            short[] frame = new short[FRAME];
            for (int j = 0; j < FRAME; j++) {
                frame[j] = (short) (j % 2 == 0 ? level : -level);
            }
            assertThat(detector.onFrame(frame, FRAME, probability)).isNotEqualTo(TurnDetector.Event.TURN_ENDED);
        }
    }

    /** Feeds silent frames the VAD calls silence; how many it took to end the turn. */
    private static int framesUntilTheTurnEnds(TurnDetector detector) {
        for (int i = 1; i <= 100; i++) {
            if (detector.onFrame(new short[FRAME], FRAME, 0f) == TurnDetector.Event.TURN_ENDED) {
                return i;
            }
        }
        throw new AssertionError("the turn did not end in 2 s of silence");
    }

    /** Every 16-bit sample of {@code pcm} is the one before it plus one: nothing lost, doubled or reordered. */
    private static void assertCountsUp(byte[] pcm) {
        for (int i = 1; i < pcm.length / 2; i++) {
            short previous = (short) ((pcm[2 * i - 2] & 0xFF) | (pcm[2 * i - 1] << 8));
            short sample = (short) ((pcm[2 * i] & 0xFF) | (pcm[2 * i + 1] << 8));
            assertThat(sample).as("sample %d follows sample %d", i, i - 1).isEqualTo((short) (previous + 1));
        }
    }

    /** Silence, {@code speechFrames} frames of speech, then silence until the turn ends; the turn's utterance. */
    private static Utterance turn(TurnDetector detector, Counter counted, int speechFrames) {
        for (int i = 0; i < QUIET_FRAMES; i++) {
            assertThat(detector.onFrame(counted.next(FRAME), FRAME, 0f)).isEqualTo(TurnDetector.Event.NONE);
        }
        for (int i = 0; i < speechFrames; i++) {
            detector.onFrame(counted.next(FRAME), FRAME, 1f);
        }
        TurnDetector.Event last = TurnDetector.Event.NONE;
        for (int i = 0; i < 100 && last != TurnDetector.Event.TURN_ENDED; i++) {
            last = detector.onFrame(counted.next(FRAME), FRAME, 0f);
        }
        assertThat(last).isEqualTo(TurnDetector.Event.TURN_ENDED);
        return detector.takeUtterance();
    }

    @Test
    void givenATurnEndedBySilence_whenTaken_thenTheSilenceLeftOutIsReported() {
        Run run = new Run(defaults).feed(TestAudio.silence(1_000)).feed(TestAudio.tone(1_000, 220, 8_000))
                .feed(TestAudio.silence(1_000));

        // 700 ms of silence ended the turn; 200 ms of it stayed in the utterance
        assertThat(run.detector.trailingSilenceDropped()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void givenEndlessSpeech_whenFed_thenTheUtteranceIsCutAtTheCap() {
        CallSettings capped = defaults.toBuilder().maxUtterance(Duration.ofSeconds(3)).build();

        Run run = new Run(capped).feed(TestAudio.silence(1_000)).feed(TestAudio.voice(8_000));

        assertThat(run.utterances).isNotEmpty();
        assertThat(run.utterances.getFirst().duration()).isLessThanOrEqualTo(Duration.ofMillis(3_500));
    }

    @Test
    void givenTheRealPhoneRecordings_whenFedAfterSilence_thenEachIsOneTurnCoveringTheWholeRecording() throws IOException {
        Path dir = TestAudio.fixtures().map(f -> f.resolve("speech/phone")).orElse(null);
        assumeTrue(dir != null && Files.isDirectory(dir), "shared fixtures not present (hotline.shared.dir)");
        List<Path> files;
        try (Stream<Path> list = Files.list(dir)) {
            files = list.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        CallSettings settings = defaults.withEndOfTurnSilence(Duration.ofMillis(700));
        int oneTurn = 0;
        for (Path file : files) {
            TestAudio.Pcm pcm = TestAudio.readWav(file);
            assertThat(pcm.sampleRate()).isEqualTo(RATE);
            Run run = new Run(settings).feed(TestAudio.silence(1_000)).feed(pcm.samples())
                    .feed(TestAudio.silence(1_500));
            if (run.utterances.size() == 1) {
                oneTurn++;
                assertThat(run.utterances.getFirst().duration().toMillis())
                        .as(file.getFileName().toString())
                        .isGreaterThanOrEqualTo(pcm.millis() / 2);
            }
        }
        assertThat(oneTurn).as("recordings heard as exactly one turn").isGreaterThanOrEqualTo(files.size() * 3 / 4);
    }

    @Test
    void givenARecordedTwilioCall_whenFed_thenItsTwoUtterancesAreTurnsAndItsLineNoiseAndClickStartNone()
            throws IOException {
        Path stream = TestAudio.fixtures().map(f -> f.resolve("twilio/stream1_recorded.jsonl")).orElse(null);
        assumeTrue(stream != null && Files.isRegularFile(stream), "shared fixtures not present (hotline.shared.dir)");
        Pattern payload = Pattern.compile("\"payload\"\\s*:\\s*\"([^\"]+)\"");
        List<short[]> frames = new ArrayList<>();
        for (String line : Files.readAllLines(stream)) {
            Matcher m = payload.matcher(line);
            if (line.contains("\"media\"") && m.find()) {
                byte[] ulaw = Base64.getDecoder().decode(m.group(1));
                short[] pcm = new short[ulaw.length];
                G711.ulawToLinear(ulaw, 0, pcm, 0, ulaw.length);
                frames.add(pcm);
            }
        }
        assertThat(frames).hasSize(616);

        Run run = new Run(defaults);
        frames.forEach(run::feed);
        run.feed(TestAudio.silence(1_000));

        // speech at about 4.3-5.3 s and 8.1-9.9 s; a single loud click at about 11.1 s over -70 dBFS line noise
        assertThat(run.events).hasSize(4).filteredOn(e -> e.startsWith("SPEECH_STARTED"))
                .extracting(e -> Long.parseLong(e.substring(e.indexOf('@') + 1)))
                .satisfiesExactly(first -> assertThat(first).isBetween(4_200L, 4_800L),
                        second -> assertThat(second).isBetween(8_100L, 8_700L));
        assertThat(run.utterances).hasSize(2);
    }
}
