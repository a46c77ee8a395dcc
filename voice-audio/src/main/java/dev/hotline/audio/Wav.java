package dev.hotline.audio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Objects;

/**
 * Reads and writes RIFF/WAVE files holding 16-bit PCM, G.711 mu-law or G.711 A-law.
 *
 * <pre>
 * offset  size  field
 *      0     4  "RIFF"
 *      4     4  size of everything after this field (u32, little-endian)
 *      8     4  "WAVE"
 *     12        chunks: 4-byte id, u32 body size, body, one pad byte if the size is odd
 * </pre>
 *
 * <p><b>Reading</b> accepts format tag 1 (PCM, 16 bits), 7 (mu-law, 8 bits), 6 (A-law, 8 bits) and
 * 0xFFFE (WAVE_FORMAT_EXTENSIBLE) whose sub-format GUID is one of those three. It skips every other
 * chunk ({@code LIST}, {@code fact}, {@code cue }, ...), honouring pad bytes after odd-sized chunks
 * (a missing final pad byte is tolerated). The byte-rate field is redundant and not checked; the
 * block alignment must match the channels and sample size. Anything else is a
 * {@link WavFormatException} whose message says what is wrong: not RIFF/WAVE, a chunk or the RIFF
 * form cut short, no {@code fmt } or {@code data} chunk, {@code data} before {@code fmt }, a
 * {@code data} chunk that is not whole sample frames, or an unsupported encoding. Bytes after the end
 * the RIFF header declares are ignored. Input larger than {@link #MAX_FILE_BYTES} is refused.
 *
 * <p><b>Writing</b> produces the canonical layout: a 16-byte {@code fmt } chunk and the {@code data}
 * chunk for PCM (a 44-byte header), and for G.711 an 18-byte {@code fmt } chunk, the {@code fact}
 * chunk (sample frame count) the format requires for non-PCM data, and {@code data}; a pad byte
 * follows odd-sized data.
 *
 * <p>Stateless; every method may be called from any thread.
 */
public final class Wav {

    /** Largest input, in bytes, {@link #read} accepts: 256 MiB, over two hours of 16 kHz PCM16. */
    public static final int MAX_FILE_BYTES = 256 * 1024 * 1024;

    /** WAVE_FORMAT_PCM: linear PCM. */
    static final int FORMAT_PCM = 0x0001;
    /** WAVE_FORMAT_IEEE_FLOAT: 32/64-bit floats (recognised only to name it in the error). */
    static final int FORMAT_IEEE_FLOAT = 0x0003;
    /** WAVE_FORMAT_ALAW: ITU-T G.711 A-law. */
    static final int FORMAT_ALAW = 0x0006;
    /** WAVE_FORMAT_MULAW: ITU-T G.711 mu-law. */
    static final int FORMAT_MULAW = 0x0007;
    /** WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID. */
    static final int FORMAT_EXTENSIBLE = 0xFFFE;

    /** Size of the RIFF header: "RIFF", size, "WAVE". */
    private static final int RIFF_HEADER_BYTES = 12;
    /** Size of a chunk header: 4-byte id and u32 size. */
    private static final int CHUNK_HEADER_BYTES = 8;
    /** The fields every {@code fmt } chunk has (WAVEFORMAT plus wBitsPerSample). */
    private static final int FMT_BASE_BYTES = 16;
    /** WAVEFORMATEX: the base plus cbSize. */
    private static final int FMT_EX_BYTES = 18;
    /** WAVEFORMATEXTENSIBLE: cbSize 22, then valid bits, channel mask and the 16-byte sub-format GUID. */
    private static final int FMT_EXTENSIBLE_BYTES = 40;
    private static final int SUBFORMAT_GUID_OFFSET = 24;
    /**
     * Bytes 2..15 of every KSDATAFORMAT_SUBTYPE_* GUID derived from a format tag,
     * {@code xxxxxxxx-0000-0010-8000-00aa00389b71}, as stored (first three fields little-endian).
     */
    private static final byte[] SUBFORMAT_GUID_TAIL = {
        0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00, 0x38, (byte) 0x9B, 0x71
    };

    private Wav() {
    }

    /**
     * Reads a WAV file.
     *
     * @throws WavFormatException if the file is not a WAV file this class reads (see the class doc)
     * @throws IOException if the file cannot be read
     */
    public static AudioClip read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw new WavFormatException(file + " is " + size + " bytes, more than the " + MAX_FILE_BYTES + " accepted");
        }
        return read(Files.readAllBytes(file));
    }

    /**
     * Reads a WAV file from a stream, to its end, accepting at most {@link #MAX_FILE_BYTES}; the stream is not closed.
     *
     * @throws WavFormatException if the bytes are not a WAV file this class reads, or too many
     * @throws IOException if the stream fails
     */
    public static AudioClip read(InputStream in) throws IOException {
        return read(in, MAX_FILE_BYTES);
    }

    /**
     * Reads a WAV file from a stream, to its end, reading no more than {@code maxBytes + 1} bytes;
     * the stream is not closed.
     *
     * @throws IllegalArgumentException if {@code maxBytes} is negative or above {@link #MAX_FILE_BYTES}
     * @throws WavFormatException if the bytes are not a WAV file this class reads, or more than {@code maxBytes}
     * @throws IOException if the stream fails
     */
    public static AudioClip read(InputStream in, int maxBytes) throws IOException {
        if (maxBytes < 0 || maxBytes > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("maxBytes must be in [0, " + MAX_FILE_BYTES + "], was " + maxBytes);
        }
        byte[] bytes = in.readNBytes(maxBytes + 1);
        if (bytes.length > maxBytes) {
            throw new WavFormatException("input is more than the " + maxBytes + " bytes accepted");
        }
        return read(bytes);
    }

    /**
     * Reads a WAV file held in memory.
     *
     * @throws WavFormatException if the bytes are not a WAV file this class reads (see the class doc)
     */
    public static AudioClip read(byte[] file) throws WavFormatException {
        Objects.requireNonNull(file, "file");
        if (file.length < RIFF_HEADER_BYTES) {
            throw new WavFormatException("truncated: " + file.length + " bytes, a WAV file needs at least "
                    + RIFF_HEADER_BYTES + " for its RIFF header");
        }
        String riff = fourCc(file, 0);
        if (riff.equals("RIFX")) {
            throw new WavFormatException("unsupported: big-endian RIFX file; only little-endian RIFF is read");
        }
        if (!riff.equals("RIFF")) {
            throw new WavFormatException("not a WAV file: starts with bytes " + hex(file, 0, 4) + ", expected \"RIFF\"");
        }
        String form = fourCc(file, 8);
        if (!form.equals("WAVE")) {
            throw new WavFormatException("not a WAV file: RIFF form type is " + hex(file, 8, 4) + ", expected \"WAVE\"");
        }
        long end = CHUNK_HEADER_BYTES + u32(file, 4);
        if (end > file.length) {
            throw new WavFormatException("truncated: the RIFF header declares " + end + " bytes but the input has "
                    + file.length);
        }
        AudioFormat format = null;
        int dataOffset = -1;
        int dataSize = 0;
        long position = RIFF_HEADER_BYTES;
        while (position < end) {
            if (end - position < CHUNK_HEADER_BYTES) {
                throw new WavFormatException("truncated: " + (end - position) + " bytes at offset " + position
                        + " where a chunk header needs " + CHUNK_HEADER_BYTES);
            }
            int at = (int) position;
            String id = fourCc(file, at);
            long size = u32(file, at + 4);
            long body = position + CHUNK_HEADER_BYTES;
            if (body + size > end) {
                throw new WavFormatException("truncated: chunk " + describe(file, at) + " at offset " + position
                        + " declares " + size + " bytes but only " + (end - body) + " follow");
            }
            if (id.equals("fmt ") && format == null) {
                format = parseFormat(file, (int) body, (int) size);
            } else if (id.equals("data") && dataOffset < 0) {
                if (format == null) {
                    throw new WavFormatException("the 'data' chunk at offset " + position + " comes before any 'fmt ' chunk");
                }
                if (size % format.bytesPerFrame() != 0) {
                    throw new WavFormatException("the 'data' chunk holds " + size + " bytes, not a whole number of "
                            + format.bytesPerFrame() + "-byte sample frames of " + format);
                }
                dataOffset = (int) body;
                dataSize = (int) size;
            }
            position = body + size + (size & 1);
        }
        if (format == null) {
            throw new WavFormatException("no 'fmt ' chunk: the file does not say how its audio is encoded");
        }
        if (dataOffset < 0) {
            throw new WavFormatException("no 'data' chunk: the file holds no audio");
        }
        byte[] data = new byte[dataSize];
        System.arraycopy(file, dataOffset, data, 0, dataSize);
        return new AudioClip(format, data);
    }

    private static AudioFormat parseFormat(byte[] file, int at, int size) throws WavFormatException {
        if (size < FMT_BASE_BYTES) {
            throw new WavFormatException("the 'fmt ' chunk is " + size + " bytes, fewer than the " + FMT_BASE_BYTES
                    + " every format needs");
        }
        int tag = u16(file, at);
        int channels = u16(file, at + 2);
        long sampleRate = u32(file, at + 4);
        int blockAlign = u16(file, at + 12);
        int bitsPerSample = u16(file, at + 14);
        if (tag == FORMAT_EXTENSIBLE) {
            if (size < FMT_EXTENSIBLE_BYTES) {
                throw new WavFormatException("the 'fmt ' chunk is " + size + " bytes, fewer than the "
                        + FMT_EXTENSIBLE_BYTES + " WAVE_FORMAT_EXTENSIBLE needs");
            }
            int guid = at + SUBFORMAT_GUID_OFFSET;
            for (int i = 0; i < SUBFORMAT_GUID_TAIL.length; i++) {
                if (file[guid + 2 + i] != SUBFORMAT_GUID_TAIL[i]) {
                    throw new WavFormatException("unsupported: WAVE_FORMAT_EXTENSIBLE with sub-format GUID "
                            + hex(file, guid, 16) + ", which is not derived from a WAVE format tag");
                }
            }
            tag = u16(file, guid);
            int validBits = u16(file, at + FMT_EX_BYTES);
            if (validBits != 0 && validBits != bitsPerSample) {
                throw new WavFormatException("unsupported: " + validBits + " valid bits in " + bitsPerSample
                        + "-bit containers; only full 16-bit PCM or 8-bit G.711 is read");
            }
        }
        AudioFormat.Encoding encoding = switch (tag) {
            case FORMAT_PCM -> {
                if (bitsPerSample != 16) {
                    throw new WavFormatException("unsupported: " + bitsPerSample + "-bit PCM; only 16-bit PCM, "
                            + "mu-law and A-law are read");
                }
                yield AudioFormat.Encoding.PCM16_LE;
            }
            case FORMAT_MULAW -> requireG711Bits("mu-law", bitsPerSample, AudioFormat.Encoding.ULAW);
            case FORMAT_ALAW -> requireG711Bits("A-law", bitsPerSample, AudioFormat.Encoding.ALAW);
            case FORMAT_IEEE_FLOAT -> throw new WavFormatException(
                    "unsupported: IEEE float samples; only 16-bit PCM, mu-law and A-law are read");
            default -> throw new WavFormatException(String.format(
                    "unsupported: format tag 0x%04X; only PCM (1), A-law (6), mu-law (7) and EXTENSIBLE (0xFFFE) are read",
                    tag));
        };
        if (channels == 0) {
            throw new WavFormatException("the 'fmt ' chunk declares 0 channels");
        }
        if (sampleRate == 0 || sampleRate > Integer.MAX_VALUE) {
            throw new WavFormatException("the 'fmt ' chunk declares an impossible sample rate of " + sampleRate + " Hz");
        }
        AudioFormat format = new AudioFormat(encoding, (int) sampleRate, channels);
        if (blockAlign != format.bytesPerFrame()) {
            throw new WavFormatException("inconsistent 'fmt ' chunk: block alignment " + blockAlign + " bytes, but "
                    + channels + " channel(s) of " + bitsPerSample + "-bit samples take " + format.bytesPerFrame());
        }
        return format;
    }

    private static AudioFormat.Encoding requireG711Bits(String name, int bits, AudioFormat.Encoding encoding)
            throws WavFormatException {
        if (bits != 8) {
            throw new WavFormatException("inconsistent 'fmt ' chunk: " + name + " with " + bits + " bits per sample, expected 8");
        }
        return encoding;
    }

    /** Writes {@code clip} as a WAV file, replacing {@code file} if it exists. */
    public static void write(AudioClip clip, Path file) throws IOException {
        Files.write(file, toBytes(clip));
    }

    /** Writes {@code clip} as a WAV file to {@code out}; the stream is not closed. */
    public static void write(AudioClip clip, OutputStream out) throws IOException {
        out.write(toBytes(clip));
    }

    /** The WAV file for {@code clip}, in the canonical layout described in the class doc. */
    public static byte[] toBytes(AudioClip clip) {
        byte[] header = header(clip.format(), clip.byteCount());
        int dataSize = clip.byteCount();
        byte[] file = new byte[header.length + dataSize + (dataSize & 1)];
        System.arraycopy(header, 0, file, 0, header.length);
        clip.copyTo(file, header.length);
        return file;
    }

    /**
     * What {@link #toBytes} writes before the audio of {@code dataBytes} bytes in {@code format}: the file is
     * this header, the audio, then one zero byte when {@code dataBytes} is odd (RIFF pads chunks to even
     * sizes). For writing a file out of audio held elsewhere without copying it (an upload, say).
     */
    public static byte[] header(AudioFormat format, int dataBytes) {
        if (dataBytes < 0) {
            throw new IllegalArgumentException("dataBytes must not be negative, was " + dataBytes);
        }
        boolean pcm = format.encoding() == AudioFormat.Encoding.PCM16_LE;
        int fmtSize = pcm ? FMT_BASE_BYTES : FMT_EX_BYTES;
        int factBytes = pcm ? 0 : CHUNK_HEADER_BYTES + 4;
        int headerBytes = RIFF_HEADER_BYTES + CHUNK_HEADER_BYTES + fmtSize + factBytes + CHUNK_HEADER_BYTES;
        byte[] header = new byte[headerBytes];
        ByteBuffer out = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        out.put(ascii("RIFF")).putInt(headerBytes + dataBytes + (dataBytes & 1) - CHUNK_HEADER_BYTES).put(ascii("WAVE"));
        out.put(ascii("fmt ")).putInt(fmtSize);
        out.putShort((short) switch (format.encoding()) {
            case PCM16_LE -> FORMAT_PCM;
            case ULAW -> FORMAT_MULAW;
            case ALAW -> FORMAT_ALAW;
        });
        out.putShort((short) format.channels())
                .putInt(format.sampleRate())
                .putInt(format.bytesPerSecond())
                .putShort((short) format.bytesPerFrame())
                .putShort((short) (format.encoding().bytesPerSample() * 8));
        if (!pcm) {
            // cbSize: no extra format bytes; then the sample frame count non-PCM files must carry.
            out.putShort((short) 0);
            out.put(ascii("fact")).putInt(4).putInt(dataBytes / format.bytesPerFrame());
        }
        out.put(ascii("data")).putInt(dataBytes);
        return header;
    }

    private static String fourCc(byte[] bytes, int at) {
        return new String(bytes, at, 4, StandardCharsets.ISO_8859_1);
    }

    private static String describe(byte[] bytes, int at) {
        for (int i = 0; i < 4; i++) {
            int b = bytes[at + i] & 0xFF;
            if (b < 0x20 || b > 0x7E) {
                return hex(bytes, at, 4);
            }
        }
        return "'" + fourCc(bytes, at) + "'";
    }

    private static String hex(byte[] bytes, int at, int length) {
        return "0x" + HexFormat.of().withUpperCase().formatHex(bytes, at, at + length);
    }

    private static int u16(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8;
    }

    private static long u32(byte[] bytes, int at) {
        return (bytes[at] & 0xFFL) | (bytes[at + 1] & 0xFFL) << 8 | (bytes[at + 2] & 0xFFL) << 16
                | (bytes[at + 3] & 0xFFL) << 24;
    }

    private static byte[] ascii(String fourCc) {
        return fourCc.getBytes(StandardCharsets.US_ASCII);
    }
}
