package dev.hotline.local;

import dev.hotline.audio.G711;
import dev.hotline.core.VoiceActivityDetector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The inbound side of a phone call as the VAD hears it, at 8 kHz: a second of digital silence (what Twilio
 * sends before the caller's line opens), then each shared phone recording as a caller turn over the line's
 * noise, each followed by the caller listening: 6 s of line noise, 3 s of digital silence (a muted phone) or
 * 8 s of line noise, in turn. Every other listening pause of line noise has a one-second non-speech sound
 * two seconds in (a burst of white noise, a 440 Hz tone, a 350+440 Hz chord), heard after the line was quiet
 * for a while. The line noise is white noise of RMS 12 through mu-law and back, the level of the real Twilio
 * capture in {@code fixtures/twilio} (RMS 8-17). About 35 % of the call is the caller talking.
 */
record CallScene(short[] samples, List<Region> regions) {

    static final int RATE = 8_000;
    static final double LINE_NOISE_RMS = 12;
    private static final double[] PAUSES = {6, 3, 8};

    enum Kind { SPEECH, QUIET, SOUND }

    /** Samples [from, to) of one kind. */
    record Region(Kind kind, int from, int to) {
    }

    /**
     * @param speechRecall 20 ms frames of caller turns above 0.5
     * @param quietFalseRate frames of line noise or digital silence above 0.5
     * @param soundFalseRate frames of the non-speech sounds above 0.5
     * @param onsetMillis mean time from the start of a caller turn to its first frame above 0.5 (turns never
     *     detected count as their whole length)
     */
    record Score(double speechRecall, double quietFalseRate, double soundFalseRate, double onsetMillis) {
    }

    static CallScene build(Path speechDir) throws IOException {
        List<Path> files;
        try (Stream<Path> list = Files.list(speechDir.resolve("phone"))) {
            files = list.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
        Random random = new Random(5);
        Builder scene = new Builder();
        scene.add(Kind.QUIET, new short[RATE]);
        int sounds = 0;
        for (int i = 0; i < files.size(); i++) {
            short[] speech = TestAudio.readWav(files.get(i)).samples();
            scene.add(Kind.SPEECH, TestAudio.mix(speech, lineNoise(speech.length, random)));
            double pause = PAUSES[i % PAUSES.length];
            if (pause == 3) {
                scene.add(Kind.QUIET, new short[(int) (RATE * pause)]);
            } else if (i % 2 == 0) {
                scene.add(Kind.QUIET, lineNoise(2 * RATE, random));
                scene.add(Kind.SOUND, sound(sounds++));
                scene.add(Kind.QUIET, lineNoise((int) (RATE * (pause - 3)), random));
            } else {
                scene.add(Kind.QUIET, lineNoise((int) (RATE * pause), random));
            }
        }
        return scene.build();
    }

    private static short[] sound(int n) {
        return switch (n % 3) {
            case 0 -> TestAudio.whiteNoise(RATE, 1.0, 2_000, 7 + n);
            case 1 -> TestAudio.tone(RATE, 1.0, 440, 8_000);
            default -> TestAudio.mix(TestAudio.tone(RATE, 1.0, 350, 5_000), TestAudio.tone(RATE, 1.0, 440, 5_000));
        };
    }

    /** White noise of {@link #LINE_NOISE_RMS}, quantised as a mu-law line quantises it. */
    static short[] lineNoise(int length, Random random) {
        short[] out = new short[length];
        for (int i = 0; i < length; i++) {
            out[i] = G711.ulawToLinear(G711.linearToUlaw((short) Math.round(random.nextGaussian() * LINE_NOISE_RMS)));
        }
        return out;
    }

    double seconds() {
        return samples.length / (double) RATE;
    }

    double speechSeconds() {
        return regions.stream().filter(r -> r.kind() == Kind.SPEECH).mapToInt(r -> r.to() - r.from()).sum()
                / (double) RATE;
    }

    /**
     * Feeds the call in 20 ms frames. A frame is judged by the probability returned after it; as in
     * {@link VadScene}, the first 100 ms of each region are not counted in the rates.
     */
    Score score(VoiceActivityDetector vad) {
        int frame = RATE / 50;
        int settle = RATE / 10;
        int[] hits = new int[Kind.values().length];
        int[] counts = new int[Kind.values().length];
        double onsets = 0;
        int turns = 0;
        Region current = null;
        boolean found = false;
        for (int at = 0; at + frame <= samples.length; at += frame) {
            boolean hit = vad.speechProbability(samples, at, frame) > 0.5f;
            int end = at + frame;
            Region region = regionOf(end - 1);
            if (region != current) {
                if (current != null && current.kind() == Kind.SPEECH && !found) {
                    onsets += (current.to() - current.from()) * 1000.0 / RATE;
                }
                current = region;
                found = false;
                turns += region.kind() == Kind.SPEECH ? 1 : 0;
            }
            if (region.kind() == Kind.SPEECH && hit && !found) {
                found = true;
                onsets += (end - region.from()) * 1000.0 / RATE;
            }
            if (end - region.from() < settle) {
                continue;
            }
            counts[region.kind().ordinal()]++;
            hits[region.kind().ordinal()] += hit ? 1 : 0;
        }
        return new Score(rate(hits, counts, Kind.SPEECH), rate(hits, counts, Kind.QUIET),
                rate(hits, counts, Kind.SOUND), onsets / turns);
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

    private static final class Builder {
        private final List<short[]> parts = new ArrayList<>();
        private final List<Region> regions = new ArrayList<>();
        private int at;

        void add(Kind kind, short[] samples) {
            parts.add(samples);
            regions.add(new Region(kind, at, at + samples.length));
            at += samples.length;
        }

        CallScene build() {
            short[] all = new short[at];
            int to = 0;
            for (short[] part : parts) {
                System.arraycopy(part, 0, all, to, part.length);
                to += part.length;
            }
            return new CallScene(all, List.copyOf(regions));
        }
    }
}
