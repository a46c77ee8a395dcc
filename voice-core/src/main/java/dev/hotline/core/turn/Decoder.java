package dev.hotline.core.turn;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;

/**
 * Turns inbound frames in the transport's format into 16-bit samples, into a buffer reused frame after
 * frame. Not thread-safe: one per call.
 */
public final class Decoder {

    private final AudioFormat format;
    private short[] samples = new short[0];

    /** A decoder for mono {@code format} (mu-law, A-law or 16-bit PCM). */
    public Decoder(AudioFormat format) {
        if (format.channels() != 1) {
            throw new IllegalArgumentException("inbound audio must be mono, was " + format);
        }
        this.format = format;
    }

    /** Decodes {@code frame}; the samples are in {@link #samples()} until the next call. Returns their count. */
    public int decode(byte[] frame) {
        int count = frame.length / format.bytesPerFrame();
        if (samples.length < count) {
            samples = new short[count];
        }
        switch (format.encoding()) {
            case ULAW -> G711.ulawToLinear(frame, 0, samples, 0, count);
            case ALAW -> G711.alawToLinear(frame, 0, samples, 0, count);
            case PCM16_LE -> {
                for (int i = 0; i < count; i++) {
                    samples[i] = (short) ((frame[2 * i] & 0xFF) | (frame[2 * i + 1] << 8));
                }
            }
        }
        return count;
    }

    /** The buffer the last frame was decoded into. */
    public short[] samples() {
        return samples;
    }
}
