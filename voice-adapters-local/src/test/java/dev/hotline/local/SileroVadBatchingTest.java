package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Windows of several calls run together through the batch dimension: each call must get exactly what it gets
 * alone, window by window (the LSTM state goes in and comes back out of its own row), on real phone speech.
 */
class SileroVadBatchingTest {

    /** 20 ms at 8 kHz, as the engine feeds a Twilio call. */
    private static final int FRAME = 160;

    @Test
    void givenEightCallsFeedingAtOnce_whenBatched_thenEveryFrameGetsWhatItGetsAloneAndRunsAreShared()
            throws Exception {
        List<short[]> clips = phoneClips(8);
        List<float[]> alone = new ArrayList<>();
        try (SileroVad.Factory unbatched = SileroVad.factory()) {
            for (short[] clip : clips) {
                alone.add(probabilities(unbatched.create(8_000, SileroVad.Gate.OFF), clip));
            }
        }

        float[][] together = new float[clips.size()][];
        long[] counts;
        try (SileroVad.Factory batched = SileroVad.factory(new SileroVad.Batching(Duration.ofMillis(2), 32))) {
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < clips.size(); i++) {
                int call = i;
                SileroVad vad = batched.create(8_000, SileroVad.Gate.OFF);
                threads.add(Thread.ofPlatform().start(() -> together[call] = probabilities(vad, clips.get(call))));
            }
            for (Thread thread : threads) {
                thread.join();
            }
            counts = batched.runsAt8k();
        }

        long windows = 0;
        for (int i = 0; i < clips.size(); i++) {
            assertThat(together[i]).as("call %d", i).hasSameSizeAs(alone.get(i));
            for (int f = 0; f < alone.get(i).length; f++) {
                assertThat(together[i][f]).as("call %d, frame %d", i, f)
                        .isCloseTo(alone.get(i)[f], org.assertj.core.data.Offset.offset(1e-5f));
            }
            windows += clips.get(i).length / FRAME * FRAME / 256;
        }
        assertThat(counts[1]).as("every window ran once").isEqualTo(windows);
        assertThat(counts[0]).as("model runs: fewer than the windows, several calls per run").isLessThan(windows / 2);
    }

    @Test
    void givenOneDetectorFedFasterThanRealTime_whenBatched_thenNoWindowWaitsForOthers() throws Exception {
        short[] clip = phoneClips(1).getFirst();
        try (SileroVad.Factory batched = SileroVad.factory(SileroVad.Batching.DEFAULT)) {
            probabilities(batched.create(8_000, SileroVad.Gate.OFF), clip);

            long[] counts = batched.runsAt8k();
            assertThat(counts[1]).isEqualTo(clip.length / FRAME * FRAME / 256);
            assertThat(counts[0]).as("one run per window: alone, a window never waits").isEqualTo(counts[1]);
        }
    }

    @Test
    void givenBatchingOutOfBounds_whenMade_thenTheMessageNamesTheBound() {
        assertThatThrownBy(() -> new SileroVad.Batching(Duration.ofMillis(21), 32))
                .hasMessageContaining("0..20 ms");
        assertThatThrownBy(() -> new SileroVad.Batching(Duration.ofMillis(-1), 32))
                .hasMessageContaining("0..20 ms");
        assertThatThrownBy(() -> new SileroVad.Batching(Duration.ofMillis(2), 0))
                .hasMessageContaining("1..256");
    }

    private static float[] probabilities(SileroVad vad, short[] clip) {
        float[] out = new float[clip.length / FRAME];
        for (int f = 0; f < out.length; f++) {
            out[f] = vad.speechProbability(clip, f * FRAME, FRAME);
        }
        return out;
    }

    /** The first {@code count} shared phone recordings (8 kHz), each played three times over. */
    private static List<short[]> phoneClips(int count) throws IOException {
        Path dir = TestAudio.speechDir().resolve("phone");
        List<short[]> clips = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path file : list.filter(p -> p.toString().endsWith(".wav")).sorted().limit(count).toList()) {
                TestAudio.Clip clip = TestAudio.readWav(file);
                assertThat(clip.sampleRate()).as(file.toString()).isEqualTo(8_000);
                short[] thrice = new short[clip.samples().length * 3];
                for (int i = 0; i < 3; i++) {
                    System.arraycopy(clip.samples(), 0, thrice, i * clip.samples().length, clip.samples().length);
                }
                clips.add(thrice);
            }
        }
        return clips;
    }
}
