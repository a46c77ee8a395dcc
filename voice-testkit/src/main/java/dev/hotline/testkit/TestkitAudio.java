package dev.hotline.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The few audio conversions the test kit needs: WAV files in and out, G.711 mu-law and A-law, and a
 * plain resampler to the telephone rate.
 *
 * <p>A stop-gap until {@code voice-audio}'s codecs land; every caller goes through this one class so the
 * switch is one edit. Stateless and thread-safe. Bad input is an {@link IllegalArgumentException} naming
 * the problem; unreadable files are {@link IOException}s.
 */
public final class TestkitAudio {

    /** The telephone sample rate Twilio streams at, in Hz. */
    public static final int TELEPHONE_RATE = 8_000;
    /** One mu-law byte that decodes to zero: what Twilio sends for silence. */
    public static final byte ULAW_SILENCE = (byte) 0xFF;

    /** G.711 mu-law bias added before finding the segment (ITU-T G.711). */
    private static final int ULAW_BIAS = 0x84;
    /** Largest magnitude mu-law can code once the bias is added: 32767 - 0x84. */
    private static final int ULAW_CLIP = 32_635;
    /** WAVE format tags (RIFF): linear PCM, mu-law, and the extensible wrapper. */
    private static final int WAVE_FORMAT_PCM = 1;
    private static final int WAVE_FORMAT_MULAW = 7;
    private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;
    /** The longest WAV this class reads, in bytes: an hour of 16 kHz mono PCM. */
    private static final long MAX_WAV_BYTES = 16_000L * 2 * 3_600;

    private static final short[] ULAW_TO_PCM = new short[256];

    static {
        for (int i = 0; i < 256; i++) {
            ULAW_TO_PCM[i] = decodeUlawSlow((byte) i);
        }
    }

    private TestkitAudio() {
    }

    /** 16-bit mono samples and their rate, as read from a WAV file. */
    public record Pcm(short[] samples, int sampleRate) {
        public Pcm {
            if (sampleRate <= 0) {
                throw new IllegalArgumentException("sampleRate must be > 0, was " + sampleRate);
            }
        }
    }

    /**
     * Reads a WAV file of 16-bit PCM (any rate, mono or stereo, stereo is mixed down) or 8 kHz mu-law.
     *
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if it is not a WAV file in one of those formats
     */
    public static Pcm readWav(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_WAV_BYTES) {
            throw new IllegalArgumentException(file + " is " + size + " bytes; the limit is " + MAX_WAV_BYTES);
        }
        return readWav(Files.readAllBytes(file), file.toString());
    }

    /** True if {@code bytes} start like a RIFF/WAVE file. */
    public static boolean looksLikeWav(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        return bytes.length >= 12 && in.getInt(0) == 0x46464952 && in.getInt(8) == 0x45564157;
    }

    /**
     * Reads WAV bytes; {@code name} only labels error messages. Same formats as {@link #readWav(Path)}.
     *
     * @throws IllegalArgumentException if the bytes are not a WAV file in a supported format
     */
    public static Pcm readWav(byte[] bytes, String name) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (!looksLikeWav(bytes)) {
            throw new IllegalArgumentException(name + " is not a RIFF/WAVE file");
        }
        int pos = 12;
        int format = -1;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        while (pos + 8 <= in.limit()) {
            int id = in.getInt(pos);
            int length = in.getInt(pos + 4);
            int body = pos + 8;
            if (length < 0 || body + (long) length > in.limit()) {
                length = in.limit() - body;
            }
            if (id == 0x20746d66) {
                if (length < 16) {
                    throw new IllegalArgumentException(name + ": fmt chunk is " + length + " bytes, needs 16");
                }
                format = in.getShort(body) & 0xFFFF;
                channels = in.getShort(body + 2);
                rate = in.getInt(body + 4);
                bits = in.getShort(body + 14);
                if (format == WAVE_FORMAT_EXTENSIBLE && length >= 26) {
                    format = in.getShort(body + 24) & 0xFFFF;
                }
            } else if (id == 0x61746164) {
                if (format < 0) {
                    throw new IllegalArgumentException(name + ": data chunk before fmt chunk");
                }
                return new Pcm(samples(name, in, body, length, format, channels, bits), rate);
            }
            pos = body + length + (length & 1);
        }
        throw new IllegalArgumentException(name + " has no data chunk");
    }

    private static short[] samples(String name, ByteBuffer in, int offset, int length, int format, int channels,
            int bits) {
        if (channels < 1 || channels > 2) {
            throw new IllegalArgumentException(name + ": only mono or stereo is read, found " + channels + " channels");
        }
        if (format == WAVE_FORMAT_PCM && bits == 16) {
            int frames = length / (2 * channels);
            short[] out = new short[frames];
            for (int i = 0; i < frames; i++) {
                int at = offset + i * 2 * channels;
                out[i] = channels == 1 ? in.getShort(at) : (short) ((in.getShort(at) + in.getShort(at + 2)) / 2);
            }
            return out;
        }
        if (format == WAVE_FORMAT_MULAW && bits == 8 && channels == 1) {
            short[] out = new short[length];
            for (int i = 0; i < length; i++) {
                out[i] = ULAW_TO_PCM[in.get(offset + i) & 0xFF];
            }
            return out;
        }
        throw new IllegalArgumentException(name + ": only 16-bit PCM or 8-bit mu-law WAV is read, found format "
                + format + " with " + bits + " bits");
    }

    /** Reads a WAV file and returns it as 8 kHz mu-law, the way a phone line would carry it. */
    public static byte[] readWavAsUlaw8k(Path file) throws IOException {
        Pcm pcm = readWav(file);
        return encodeUlaw(resample(pcm.samples(), pcm.sampleRate(), TELEPHONE_RATE));
    }

    /** Writes 16-bit mono PCM at {@code sampleRate} as a canonical 44-byte-header WAV file. */
    public static void writeWav(Path file, short[] samples, int sampleRate) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            writeWav(out, samples, sampleRate);
        }
    }

    /** Writes 16-bit mono PCM at {@code sampleRate} as a canonical 44-byte-header WAV stream. */
    public static void writeWav(OutputStream out, short[] samples, int sampleRate) throws IOException {
        int dataBytes = samples.length * 2;
        ByteBuffer b = ByteBuffer.allocate(44 + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + dataBytes).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) WAVE_FORMAT_PCM).putShort((short) 1)
                .putInt(sampleRate).putInt(sampleRate * 2).putShort((short) 2).putShort((short) 16);
        b.putInt(0x61746164).putInt(dataBytes);
        for (short s : samples) {
            b.putShort(s);
        }
        out.write(b.array());
    }

    /**
     * Linear-interpolation resampler. Good enough to feed a fake or a VAD; not a studio converter. Going
     * down by an integer factor averages each group of samples first, which removes most aliasing.
     */
    public static short[] resample(short[] in, int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) {
            throw new IllegalArgumentException("rates must be > 0, were " + fromRate + " and " + toRate);
        }
        if (fromRate == toRate) {
            return in.clone();
        }
        if (fromRate % toRate == 0) {
            int factor = fromRate / toRate;
            short[] out = new short[in.length / factor];
            for (int i = 0; i < out.length; i++) {
                int sum = 0;
                for (int j = 0; j < factor; j++) {
                    sum += in[i * factor + j];
                }
                out[i] = (short) (sum / factor);
            }
            return out;
        }
        int outLength = (int) ((long) in.length * toRate / fromRate);
        short[] out = new short[outLength];
        for (int i = 0; i < outLength; i++) {
            double at = (double) i * fromRate / toRate;
            int left = (int) at;
            int right = Math.min(left + 1, in.length - 1);
            double frac = at - left;
            out[i] = (short) Math.round(in[left] * (1 - frac) + in[right] * frac);
        }
        return out;
    }

    /** G.711 mu-law encoding of 16-bit samples. */
    public static byte[] encodeUlaw(short[] pcm) {
        byte[] out = new byte[pcm.length];
        for (int i = 0; i < pcm.length; i++) {
            out[i] = encodeUlaw(pcm[i]);
        }
        return out;
    }

    /** G.711 mu-law encoding of one 16-bit sample. */
    public static byte encodeUlaw(short sample) {
        int pcm = sample;
        int sign = (pcm >> 8) & 0x80;
        if (sign != 0) {
            pcm = -pcm;
        }
        pcm = Math.min(pcm, ULAW_CLIP) + ULAW_BIAS;
        // The segment (exponent) is the position of the highest set bit above bit 7.
        int exponent = Math.max(0, Math.min(7, 31 - Integer.numberOfLeadingZeros(pcm) - 7));
        int mantissa = (pcm >> (exponent + 3)) & 0x0F;
        return (byte) ~(sign | (exponent << 4) | mantissa);
    }

    /** G.711 mu-law decoding to 16-bit samples. */
    public static short[] decodeUlaw(byte[] ulaw, int offset, int length) {
        short[] out = new short[length];
        for (int i = 0; i < length; i++) {
            out[i] = ULAW_TO_PCM[ulaw[offset + i] & 0xFF];
        }
        return out;
    }

    /** G.711 mu-law decoding of one byte. */
    public static short decodeUlaw(byte ulaw) {
        return ULAW_TO_PCM[ulaw & 0xFF];
    }

    private static short decodeUlawSlow(byte code) {
        int u = ~code & 0xFF;
        int exponent = (u >> 4) & 0x07;
        int magnitude = ((((u & 0x0F) << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
        return (short) ((u & 0x80) != 0 ? -magnitude : magnitude);
    }

    /** G.711 A-law encoding of one 16-bit sample (the 13-bit A-law input is the sample's top 13 bits). */
    public static byte encodeAlaw(short sample) {
        int pcm = sample >> 3;
        int mask;
        if (pcm >= 0) {
            mask = 0xD5;
        } else {
            mask = 0x55;
            pcm = -pcm - 1;
        }
        int segment = Math.max(0, 31 - Integer.numberOfLeadingZeros(pcm) - 4);
        // 13-bit magnitudes stop at 4095, so the segment is at most 7.
        int code = segment == 0 ? pcm >> 1 : (segment << 4) | ((pcm >> segment) & 0x0F);
        return (byte) (code ^ mask);
    }
}
