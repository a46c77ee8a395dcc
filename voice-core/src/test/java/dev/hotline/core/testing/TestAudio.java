package dev.hotline.core.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Audio helpers for tests: reading the shared speech fixtures (16-bit PCM WAV) and making mu-law frames as
 * a telephone transport delivers them.
 */
public final class TestAudio {

    /** The mu-law encoder's bias (ITU-T G.711). */
    private static final int BIAS = 0x84;
    /** The largest magnitude the encoder takes before adding the bias. */
    private static final int CLIP = 32_635;

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

    /** Reads a mono 16-bit PCM WAV file: finds the {@code fmt } and {@code data} chunks, ignores the rest. */
    public static Pcm readWav(Path path) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        if (buf.remaining() < 12 || buf.getInt(0) != 0x46464952 || buf.getInt(8) != 0x45564157) {
            throw new IOException(path + " is not a RIFF/WAVE file");
        }
        int pos = 12;
        int rate = -1;
        while (pos + 8 <= buf.limit()) {
            int id = buf.getInt(pos);
            int size = buf.getInt(pos + 4);
            int body = pos + 8;
            if (id == 0x20746d66) { // "fmt "
                int format = buf.getShort(body) & 0xFFFF;
                int channels = buf.getShort(body + 2);
                rate = buf.getInt(body + 4);
                int bits = buf.getShort(body + 14);
                if (format != 1 || channels != 1 || bits != 16) {
                    throw new IOException(path + ": only mono 16-bit PCM is read here");
                }
            } else if (id == 0x61746164) { // "data"
                if (rate < 0) {
                    throw new IOException(path + ": data before fmt");
                }
                int length = Math.min(size, buf.limit() - body) / 2;
                short[] samples = new short[length];
                for (int i = 0; i < length; i++) {
                    samples[i] = buf.getShort(body + 2 * i);
                }
                return new Pcm(samples, rate);
            }
            pos = body + size + (size & 1);
        }
        throw new IOException(path + " has no data chunk");
    }

    /** One sample as G.711 mu-law. */
    public static byte ulaw(short sample) {
        int s = sample;
        int sign = (s >> 8) & 0x80;
        if (sign != 0) {
            s = -s;
        }
        s = Math.min(s, CLIP) + BIAS;
        int exponent = 7;
        for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1) {
            exponent--;
        }
        int mantissa = (s >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    /** Samples at 8 kHz as mu-law bytes. */
    public static byte[] ulaw(short[] samples) {
        byte[] out = new byte[samples.length];
        for (int i = 0; i < samples.length; i++) {
            out[i] = ulaw(samples[i]);
        }
        return out;
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
