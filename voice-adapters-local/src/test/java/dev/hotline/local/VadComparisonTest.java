package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Silero against voice-audio's energy VAD on the same scenes (shared speech between silence, white noise,
 * a tone and a chord). LocalBench {@code vadcompare} prints the same numbers for docs/benchmarks.md.
 */
class VadComparisonTest {

    private static SileroVad.Factory silero;
    /** Both tests read the same comparison; it is made once. */
    private static Totals totals;

    @BeforeAll
    static void load() {
        silero = SileroVad.factory();
    }

    @AfterAll
    static void close() {
        silero.close();
    }

    @Test
    void givenTonesAfterSpeech_whenBothDetectorsListen_thenSileroRejectsTheTonesTheEnergyVadTakesForSpeech()
            throws IOException {
        Totals totals = totals();

        assertThat(totals.silero().toneFalseRate()).isLessThan(0.05);
        assertThat(totals.energy().toneFalseRate()).isGreaterThan(totals.silero().toneFalseRate() + 0.3);
        assertThat(totals.silero().speechRecall()).isGreaterThan(0.6);
        assertThat(totals.silero().noiseFalseRate()).isLessThan(0.05);
    }

    @Test
    void givenTheSameScenes_whenSileroRunsWithAndWithoutItsEnergyGate_thenItsScoresDoNotChange() throws IOException {
        Totals totals = totals();

        VadScene.Score gated = totals.silero();
        VadScene.Score ungated = totals.sileroUngated();
        assertThat(gated.speechRecall()).as("speech frames found with the gate")
                .isBetween(ungated.speechRecall() - 0.005, ungated.speechRecall() + 0.02);
        assertThat(gated.noiseFalseRate()).as("noise frames taken for speech with the gate")
                .isLessThanOrEqualTo(ungated.noiseFalseRate());
        assertThat(gated.toneFalseRate()).as("tone frames taken for speech with the gate")
                .isLessThanOrEqualTo(ungated.toneFalseRate());
        assertThat(gated.silenceFalseRate()).as("silence frames taken for speech with the gate")
                .isLessThanOrEqualTo(ungated.silenceFalseRate());
    }

    private static Totals totals() throws IOException {
        if (totals == null) {
            totals = compare(silero, TestAudio.speechDir());
        }
        return totals;
    }

    /**
     * Mean scores over every shared recording (LibriVox at 16 kHz, phone at 8 kHz) of Silero with its default
     * energy gate, Silero with no gate, and the energy VAD.
     */
    record Totals(VadScene.Score silero, VadScene.Score sileroUngated, VadScene.Score energy, int recordings) {
    }

    static Totals compare(SileroVad.Factory factory, Path speechDir) throws IOException {
        List<VadScene.Score> sileroScores = new ArrayList<>();
        List<VadScene.Score> ungatedScores = new ArrayList<>();
        List<VadScene.Score> energyScores = new ArrayList<>();
        for (String set : List.of("librivox", "phone")) {
            List<Path> files;
            try (Stream<Path> list = Files.list(speechDir.resolve(set))) {
                files = list.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
            }
            for (Path file : files) {
                TestAudio.Clip clip = TestAudio.readWav(file);
                VadScene scene = VadScene.build(clip.samples(), clip.sampleRate());
                sileroScores.add(scene.score(factory.create(clip.sampleRate())));
                ungatedScores.add(scene.score(factory.create(clip.sampleRate(), SileroVad.Gate.OFF)));
                energyScores.add(scene.score(new EnergyVadDetector(clip.sampleRate())));
            }
        }
        return new Totals(mean(sileroScores), mean(ungatedScores), mean(energyScores), sileroScores.size());
    }

    private static VadScene.Score mean(List<VadScene.Score> scores) {
        return new VadScene.Score(
                scores.stream().mapToDouble(VadScene.Score::speechRecall).average().orElse(0),
                scores.stream().mapToDouble(VadScene.Score::noiseFalseRate).average().orElse(0),
                scores.stream().mapToDouble(VadScene.Score::toneFalseRate).average().orElse(0),
                scores.stream().mapToDouble(VadScene.Score::silenceFalseRate).average().orElse(0));
    }
}
