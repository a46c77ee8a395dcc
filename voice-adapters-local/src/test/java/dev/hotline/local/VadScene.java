package dev.hotline.local;

import dev.hotline.core.VoiceActivityDetector;
import java.util.ArrayList;
import java.util.List;

/**
 * A test signal with known regions: silence, speech, white noise, a tone, a two-tone chord, speech with a
 * little noise under it, silence. Scoring feeds it to a detector in 20 ms frames and counts, per region,
 * the frames whose probability is above 0.5.
 */
record VadScene(short[] samples, int sampleRate, List<Region> regions) {

    enum Kind { SILENCE, SPEECH, NOISE, TONE }

    record Region(Kind kind, int from, int to) {
    }

    /**
     * @param speechFraction speech frames above 0.5 over all speech frames (speech has pauses, so 1.0
     *     is not expected)
     * @param noiseFalseRate noise frames above 0.5
     * @param toneFalseRate tone frames above 0.5
     * @param silenceFalseRate silence frames above 0.5
     */
    record Score(double speechRecall, double noiseFalseRate, double toneFalseRate, double silenceFalseRate) {
    }

    static VadScene build(short[] speech, int rate) {
        List<short[]> parts = new ArrayList<>();
        List<Kind> kinds = new ArrayList<>();
        add(parts, kinds, Kind.SILENCE, TestAudio.silence(rate, 0.5));
        add(parts, kinds, Kind.SPEECH, speech);
        add(parts, kinds, Kind.NOISE, TestAudio.whiteNoise(rate, 1.5, 2_000, 7));
        add(parts, kinds, Kind.TONE, TestAudio.tone(rate, 1.0, 440, 8_000));
        add(parts, kinds, Kind.TONE, TestAudio.mix(TestAudio.tone(rate, 1.0, 350, 5_000),
                TestAudio.tone(rate, 1.0, 440, 5_000)));
        add(parts, kinds, Kind.SPEECH, TestAudio.mix(speech, TestAudio.whiteNoise(rate, 1.0, 300, 11)));
        add(parts, kinds, Kind.SILENCE, TestAudio.silence(rate, 0.5));
        int total = parts.stream().mapToInt(p -> p.length).sum();
        short[] all = new short[total];
        List<Region> regions = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            System.arraycopy(parts.get(i), 0, all, at, parts.get(i).length);
            regions.add(new Region(kinds.get(i), at, at + parts.get(i).length));
            at += parts.get(i).length;
        }
        return new VadScene(all, rate, regions);
    }

    private static void add(List<short[]> parts, List<Kind> kinds, Kind kind, short[] samples) {
        parts.add(samples);
        kinds.add(kind);
    }

    /**
     * Feeds the scene in 20 ms frames. A frame is judged by the probability returned after it; the
     * first 100 ms of each region are skipped, as every detector needs a moment to follow a change.
     */
    Score score(VoiceActivityDetector vad) {
        int frame = sampleRate / 50;
        int settle = sampleRate / 10;
        int[] hits = new int[Kind.values().length];
        int[] counts = new int[Kind.values().length];
        for (int at = 0; at + frame <= samples.length; at += frame) {
            float p = vad.speechProbability(samples, at, frame);
            int end = at + frame;
            Region region = regionOf(end - 1);
            if (end - region.from() < settle) {
                continue;
            }
            counts[region.kind().ordinal()]++;
            if (p > 0.5f) {
                hits[region.kind().ordinal()]++;
            }
        }
        return new Score(rate(hits, counts, Kind.SPEECH), rate(hits, counts, Kind.NOISE),
                rate(hits, counts, Kind.TONE), rate(hits, counts, Kind.SILENCE));
    }

    private Region regionOf(int sample) {
        for (Region region : regions) {
            if (sample < region.to()) {
                return region;
            }
        }
        return regions.getLast();
    }

    private static double rate(int[] hits, int[] counts, Kind kind) {
        return counts[kind.ordinal()] == 0 ? 0 : hits[kind.ordinal()] / (double) counts[kind.ordinal()];
    }
}
