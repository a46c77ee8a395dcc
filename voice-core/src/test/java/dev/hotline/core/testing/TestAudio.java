package dev.hotline.core.testing;

import dev.hotline.audio.AudioClip;
import dev.hotline.audio.G711;
import dev.hotline.audio.Wav;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Audio helpers for tests: reading the shared speech fixtures and making mu-law frames as a telephone
 * transport delivers them (with voice-audio's {@link Wav} and {@link G711}), plus synthetic test signals.
 */
public final class TestAudio {

    private TestAudio() {
    }

    /** PCM samples and their rate. */
    public record Pcm(short[] samples, int sampleRate) {
        /** How many milliseconds the samples play. */
        public long millis() {
            return samples.length * 1000L / sampleRate;
        }
    }

    /** The shared fixtures directory ({@code hotline.shared.dir}/fixtures), if it is there. */
    public static Optional<Path> fixtures() {
        String dir = System.getProperty("hotline.shared.dir");
        if (dir == null) {
            return Optional.empty();
        }
        Path path = Path.of(dir, "fixtures");
        return Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
    }

    /** A phone recording ({@code fixtures/speech/phone/<name>}), if the fixtures are there. */
    public static Optional<Path> phone(String name) {
        return fixtures().map(f -> f.resolve("speech/phone").resolve(name)).filter(Files::isRegularFile);
    }

    /** Reads a mono WAV file (with voice-audio's reader) as 16-bit samples. */
    public static Pcm readWav(Path path) throws IOException {
        AudioClip clip = Wav.read(path);
        if (clip.format().channels() != 1) {
            throw new IOException(path + ": only mono recordings are used here, was " + clip.format());
        }
        return new Pcm(clip.toPcm16Samples(), clip.format().sampleRate());
    }

    /** Samples at 8 kHz as mu-law bytes. */
    public static byte[] ulaw(short[] samples) {
        return G711.linearToUlaw(samples);
    }

    /** {@code millis} of silence (a quiet line, not digital zero) at 8 kHz. */
    public static short[] silence(long millis) {
        return noise(millis, 20, 1);
    }

    /** {@code millis} of white noise of the given peak amplitude at 8 kHz, from a fixed seed. */
    public static short[] noise(long millis, int amplitude, long seed) {
        java.util.Random random = new java.util.Random(seed);
        short[] out = new short[(int) (millis * 8)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) (random.nextInt(2 * amplitude + 1) - amplitude);
        }
        return out;
    }

    /** A {@code millis}-long tone, a stand-in for a loud voice, at 8 kHz. */
    public static short[] tone(long millis, double hz, int amplitude) {
        short[] out = new short[(int) (millis * 8)];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) (amplitude * Math.sin(2 * Math.PI * hz * i / 8_000));
        }
        return out;
    }

    /**
     * {@code millis} of a stand-in for a voice at 8 kHz: 160 ms "syllables" of a loud 220 Hz tone, each
     * followed by 40 ms of quiet, as speech has between words.
     */
    public static short[] voice(long millis) {
        short[] out = new short[(int) (millis * 8)];
        for (int i = 0; i < out.length; i++) {
            boolean syllable = (i % 1_600) < 1_280;
            out[i] = syllable ? (short) (8_000 * Math.sin(2 * Math.PI * 220 * i / 8_000)) : (short) ((i * 7919 % 61) - 30);
        }
        return out;
    }

    /** Joins sample arrays. */
    public static short[] concat(short[]... parts) {
        int length = 0;
        for (short[] p : parts) {
            length += p.length;
        }
        short[] out = new short[length];
        int pos = 0;
        for (short[] p : parts) {
            System.arraycopy(p, 0, out, pos, p.length);
            pos += p.length;
        }
        return out;
    }
}
