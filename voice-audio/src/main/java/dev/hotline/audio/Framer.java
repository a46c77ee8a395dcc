package dev.hotline.audio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Cuts a byte stream of audio in any {@link AudioFormat} into fixed-length frames (20 ms by default,
 * the packet size of Twilio Media Streams and of most VADs), keeping the remainder between calls.
 *
 * <p>Every frame has exactly {@link #frameBytes()} bytes and starts on a sample-frame boundary. Bytes
 * that do not yet fill a frame wait (at most {@code frameBytes() - 1} of them) until the next
 * {@link #push} or until {@link #flushPadded()} pads them with silence of the format.
 *
 * <p>One instance per stream; not thread-safe.
 */
public final class Framer {

    /** The default frame length, in milliseconds: 20 ms, 160 samples at 8 kHz. */
    public static final int DEFAULT_FRAME_MILLIS = 20;

    private final AudioFormat format;
    private final int frameMillis;
    private final int frameBytes;
    private final byte[] pending;
    private int pendingLength;

    /** A framer for 20 ms frames of {@code format}. */
    public Framer(AudioFormat format) {
        this(format, DEFAULT_FRAME_MILLIS);
    }

    /**
     * A framer for {@code frameMillis}-millisecond frames of {@code format}.
     *
     * @throws IllegalArgumentException if {@code frameMillis} is not positive or is not a whole number
     *     of samples at the format's rate
     */
    public Framer(AudioFormat format, int frameMillis) {
        this.format = Objects.requireNonNull(format, "format");
        if (frameMillis <= 0) {
            throw new IllegalArgumentException("frameMillis must be > 0, was " + frameMillis);
        }
        if ((long) format.sampleRate() * frameMillis % 1000 != 0) {
            throw new IllegalArgumentException("a " + frameMillis + " ms frame is not a whole number of samples at "
                    + format.sampleRate() + " Hz");
        }
        this.frameMillis = frameMillis;
        this.frameBytes = format.bytesForMillis(frameMillis);
        this.pending = new byte[frameBytes];
    }

    /** The format being framed. */
    public AudioFormat format() {
        return format;
    }

    /** The frame length in milliseconds. */
    public int frameMillis() {
        return frameMillis;
    }

    /** Bytes in every frame. */
    public int frameBytes() {
        return frameBytes;
    }

    /** Bytes waiting for the next frame to fill. */
    public int pendingBytes() {
        return pendingLength;
    }

    /** Appends {@code bytes} to the stream and returns the frames now complete, oldest first. */
    public List<byte[]> push(byte[] bytes) {
        return push(bytes, 0, bytes.length);
    }

    /**
     * Appends {@code length} bytes of {@code bytes} from {@code offset} and returns the frames now
     * complete, oldest first.
     *
     * @throws IndexOutOfBoundsException if the range is outside {@code bytes}
     */
    public List<byte[]> push(byte[] bytes, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        List<byte[]> frames = new ArrayList<>((pendingLength + length) / frameBytes);
        int at = offset;
        int end = offset + length;
        if (pendingLength > 0) {
            int take = Math.min(frameBytes - pendingLength, length);
            System.arraycopy(bytes, at, pending, pendingLength, take);
            pendingLength += take;
            at += take;
            if (pendingLength < frameBytes) {
                return frames;
            }
            frames.add(pending.clone());
            pendingLength = 0;
        }
        while (end - at >= frameBytes) {
            frames.add(Arrays.copyOfRange(bytes, at, at + frameBytes));
            at += frameBytes;
        }
        System.arraycopy(bytes, at, pending, 0, end - at);
        pendingLength = end - at;
        return frames;
    }

    /**
     * Ends the stream: returns the waiting bytes padded to a whole frame with the format's silence
     * (0 for PCM, 0xFF for mu-law, 0xD5 for A-law), or empty if nothing was waiting. The framer is
     * then empty and can take a new stream.
     */
    public Optional<byte[]> flushPadded() {
        if (pendingLength == 0) {
            return Optional.empty();
        }
        byte[] frame = pending.clone();
        Arrays.fill(frame, pendingLength, frameBytes, silenceByte(format.encoding()));
        pendingLength = 0;
        return Optional.of(frame);
    }

    /** The byte that encodes a zero sample: 0x00 for PCM, 0xFF for mu-law, 0xD5 for A-law. */
    public static byte silenceByte(AudioFormat.Encoding encoding) {
        return switch (encoding) {
            case PCM16_LE -> 0;
            case ULAW -> (byte) 0xFF;
            case ALAW -> (byte) 0xD5;
        };
    }
}
