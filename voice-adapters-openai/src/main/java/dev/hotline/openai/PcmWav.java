package dev.hotline.openai;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Wraps 16-bit PCM mono samples in the canonical 44-byte RIFF/WAVE header, the smallest file every
 * transcription endpoint accepts without re-encoding.
 *
 * <pre>
 * offset size  field
 *   0     4    "RIFF"
 *   4     4    36 + data size (bytes that follow this field), little-endian
 *   8     4    "WAVE"
 *  12     4    "fmt "
 *  16     4    16: size of the PCM fmt chunk
 *  20     2    1: WAVE_FORMAT_PCM
 *  22     2    channels
 *  24     4    sample rate, Hz
 *  28     4    byte rate = sample rate * block align
 *  32     2    block align = channels * bytes per sample
 *  34     2    16: bits per sample
 *  36     4    "data"
 *  40     4    data size in bytes
 *  44          samples, little-endian
 * </pre>
 */
final class PcmWav {

    /** Size of the canonical header. */
    static final int HEADER_BYTES = 44;
    private static final short WAVE_FORMAT_PCM = 1;
    private static final short BITS_PER_SAMPLE = 16;
    private static final int FMT_CHUNK_BYTES = 16;
    /** The RIFF size field counts everything after itself: "WAVE" + fmt chunk (8 + 16) + data header (8). */
    private static final int RIFF_OVERHEAD = 4 + 8 + FMT_CHUNK_BYTES + 8;

    private PcmWav() {
    }

    /**
     * A complete WAV file holding {@code pcm}.
     *
     * @param pcm 16-bit little-endian mono samples
     * @param sampleRate samples per second
     */
    static byte[] encode(byte[] pcm, int sampleRate) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be > 0, was " + sampleRate);
        }
        if ((long) pcm.length + HEADER_BYTES > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("pcm too large for one WAV file: " + pcm.length + " bytes");
        }
        short channels = 1;
        short blockAlign = (short) (channels * BITS_PER_SAMPLE / 8);
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + pcm.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put((byte) 'R').put((byte) 'I').put((byte) 'F').put((byte) 'F');
        out.putInt(RIFF_OVERHEAD + pcm.length);
        out.put((byte) 'W').put((byte) 'A').put((byte) 'V').put((byte) 'E');
        out.put((byte) 'f').put((byte) 'm').put((byte) 't').put((byte) ' ');
        out.putInt(FMT_CHUNK_BYTES);
        out.putShort(WAVE_FORMAT_PCM);
        out.putShort(channels);
        out.putInt(sampleRate);
        out.putInt(sampleRate * blockAlign);
        out.putShort(blockAlign);
        out.putShort(BITS_PER_SAMPLE);
        out.put((byte) 'd').put((byte) 'a').put((byte) 't').put((byte) 'a');
        out.putInt(pcm.length);
        out.put(pcm);
        return out.array();
    }
}
