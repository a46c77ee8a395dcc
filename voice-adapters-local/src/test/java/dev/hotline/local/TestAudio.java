package dev.hotline.local;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.audio.AudioClip;
import dev.hotline.audio.Pcm16;
import dev.hotline.audio.Resampler;
import dev.hotline.audio.Wav;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Test audio: the shared speech recordings, and signals made on the spot. */
final class TestAudio {

    private TestAudio() {
    }

    /** Mono 16-bit samples and their rate. */
    record Clip(short[] samples, int sampleRate) {
        double seconds() {
            return samples.length / (double) sampleRate;
        }
    }

    /** {@code ../shared/fixtures/speech}; skips the test when the shared folder is absent. */
    static Path speechDir() {
        String shared = System.getProperty("hotline.shared.dir");
        assumeTrue(shared != null, "hotline.shared.dir is not set (run through Maven)");
        Path dir = Path.of(shared, "fixtures", "speech");
        assumeTrue(Files.isDirectory(dir), "shared speech recordings absent at " + dir);
        return dir;
    }

    /** Reads a mono WAV file with voice-audio's reader. */
    static Clip readWav(Path file) throws IOException {
        AudioClip clip = Wav.read(file);
        if (clip.format().channels() != 1) {
            throw new IOException(file + " is not mono");
        }
        return new Clip(clip.toPcm16Samples(), clip.format().sampleRate());
    }

    static short[] silence(int sampleRate, double seconds) {
        return new short[(int) (sampleRate * seconds)];
    }

    /** White noise with the given RMS, from a fixed seed. */
    static short[] whiteNoise(int sampleRate, double seconds, double rms, long seed) {
        Random random = new Random(seed);
        short[] out = new short[(int) (sampleRate * seconds)];
        for (int i = 0; i < out.length; i++) {
            out[i] = clamp(random.nextGaussian() * rms);
        }
        return out;
    }

    static short[] tone(int sampleRate, double seconds, double hz, double amplitude) {
        short[] out = new short[(int) (sampleRate * seconds)];
        for (int i = 0; i < out.length; i++) {
            out[i] = clamp(amplitude * Math.sin(2 * Math.PI * hz * i / sampleRate));
        }
        return out;
    }

    /** Adds {@code noise} onto {@code signal} (cycling the noise), in place, clamped. */
    static short[] mix(short[] signal, short[] noise) {
        short[] out = signal.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = clamp(out[i] + (double) noise[i % noise.length]);
        }
        return out;
    }

    /** 16 kHz to 8 kHz with voice-audio's resampler. */
    static short[] halfRate(short[] in) {
        return Resampler.resample(in, 16_000, 8_000);
    }

    static double rms(short[] samples, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) samples[i] * samples[i];
        }
        return Math.sqrt(sum / Math.max(1, to - from));
    }

    static short[] pcm16le(byte[] bytes) {
        return Pcm16.toShorts(bytes);
    }

    static byte[] toPcm16le(short[] samples) {
        return Pcm16.toBytes(samples);
    }

    private static short clamp(double v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
    }
}
