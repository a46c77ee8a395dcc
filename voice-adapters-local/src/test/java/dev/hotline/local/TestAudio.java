package dev.hotline.local;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
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

    /** Reads a 16-bit mono PCM WAV file (RIFF chunks walked until "data"). */
    static Clip readWav(Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.getInt(0) != 0x46464952 || buf.getInt(8) != 0x45564157) {
            throw new IOException(file + " is not a RIFF/WAVE file");
        }
        int pos = 12;
        int rate = 0;
        while (pos + 8 <= buf.limit()) {
            int id = buf.getInt(pos);
            int size = buf.getInt(pos + 4);
            if (id == 0x20746d66) {
                short channels = buf.getShort(pos + 10);
                rate = buf.getInt(pos + 12);
                short bits = buf.getShort(pos + 22);
                if (channels != 1 || bits != 16) {
                    throw new IOException(file + " is not 16-bit mono");
                }
            } else if (id == 0x61746164) {
                int length = Math.min(size, buf.limit() - pos - 8) / 2;
                short[] samples = new short[length];
                for (int i = 0; i < length; i++) {
                    samples[i] = buf.getShort(pos + 8 + 2 * i);
                }
                return new Clip(samples, rate);
            }
            pos += 8 + size + (size & 1);
        }
        throw new IOException(file + " has no data chunk");
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

    /** Takes every other sample after averaging pairs: 16 kHz to 8 kHz for tests. */
    static short[] halfRate(short[] in) {
        short[] out = new short[in.length / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (short) ((in[2 * i] + in[2 * i + 1]) / 2);
        }
        return out;
    }

    static double rms(short[] samples, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += (double) samples[i] * samples[i];
        }
        return Math.sqrt(sum / Math.max(1, to - from));
    }

    static short[] pcm16le(byte[] bytes) {
        short[] out = new short[bytes.length / 2];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(out);
        return out;
    }

    static byte[] toPcm16le(short[] samples) {
        ByteBuffer buf = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        buf.asShortBuffer().put(samples);
        return buf.array();
    }

    private static short clamp(double v) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(v)));
    }
}
