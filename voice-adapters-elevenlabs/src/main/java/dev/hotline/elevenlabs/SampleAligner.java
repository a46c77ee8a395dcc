package dev.hotline.elevenlabs;

import dev.hotline.core.Synthesizer.AudioSink;

/**
 * Re-joins samples split across network reads: hands on only whole sample frames and carries the
 * remainder (for PCM16, an odd byte) into the next chunk. Not thread-safe: one per stream.
 */
final class SampleAligner {

    private final int frameBytes;
    private final AudioSink sink;
    private final byte[] carry;
    private int carried;
    private long delivered;

    SampleAligner(int frameBytes, AudioSink sink) {
        if (frameBytes < 1) {
            throw new IllegalArgumentException("frameBytes must be >= 1, was " + frameBytes);
        }
        this.frameBytes = frameBytes;
        this.sink = sink;
        this.carry = new byte[frameBytes];
    }

    /** Takes {@code length} bytes of {@code data} from {@code offset}; delivers every whole frame now complete. */
    void accept(byte[] data, int offset, int length) {
        int total = carried + length;
        int whole = total - total % frameBytes;
        if (whole > 0) {
            byte[] chunk = new byte[whole];
            System.arraycopy(carry, 0, chunk, 0, carried);
            System.arraycopy(data, offset, chunk, carried, whole - carried);
            int rest = total - whole;
            System.arraycopy(data, offset + length - rest, carry, 0, rest);
            carried = rest;
            delivered += whole;
            sink.onAudio(chunk);
        } else {
            System.arraycopy(data, offset, carry, carried, length);
            carried = total;
        }
    }

    /** Bytes handed to the sink so far. */
    long delivered() {
        return delivered;
    }

    /** Bytes of an incomplete frame still held back (a stream that ends with some was cut mid-sample). */
    int pending() {
        return carried;
    }
}
