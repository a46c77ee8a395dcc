package dev.hotline.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavTest {

    private static final AudioFormat ULAW_STEREO = new AudioFormat(AudioFormat.Encoding.ULAW, 8000, 2);

    /** Builds RIFF files chunk by chunk, so tests can make any layout, valid or not. */
    static final class RiffBuilder {
        private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();

        RiffBuilder chunk(String id, byte[] body) {
            writeChunkHeader(id, body.length);
            chunks.writeBytes(body);
            if ((body.length & 1) == 1) {
                chunks.write(0);
            }
            return this;
        }

        RiffBuilder fmt(int tag, int channels, int rate, int blockAlign, int bits) {
            return chunk("fmt ", fmtBody(tag, channels, rate, blockAlign, bits));
        }

        RiffBuilder extensible(int subFormatTag, int channels, int rate, int blockAlign, int bits) {
            ByteBuffer body = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
            body.putShort((short) 0xFFFE).putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
                    .putShort((short) blockAlign).putShort((short) bits)
                    .putShort((short) 22).putShort((short) bits).putInt(channels == 1 ? 0x4 : 0x3)
                    .putShort((short) subFormatTag)
                    .put(new byte[] {0x00, 0x00, 0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA,
                        0x00, 0x38, (byte) 0x9B, 0x71});
            return chunk("fmt ", body.array());
        }

        RiffBuilder raw(byte[] bytes) {
            chunks.writeBytes(bytes);
            return this;
        }

        void writeChunkHeader(String id, long size) {
            chunks.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
            chunks.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) size).array());
        }

        byte[] build() {
            byte[] body = chunks.toByteArray();
            ByteBuffer file = ByteBuffer.allocate(12 + body.length).order(ByteOrder.LITTLE_ENDIAN);
            file.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(4 + body.length)
                    .put("WAVE".getBytes(StandardCharsets.US_ASCII)).put(body);
            return file.array();
        }

        private static byte[] fmtBody(int tag, int channels, int rate, int blockAlign, int bits) {
            ByteBuffer body = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            body.putShort((short) tag).putShort((short) channels).putInt(rate).putInt(rate * blockAlign)
                    .putShort((short) blockAlign).putShort((short) bits);
            return body.array();
        }
    }

    @Test
    void givenPcm16Audio_whenWritten_thenTheHeaderIsTheCanonical44Bytes() {
        byte[] data = Pcm16.toBytes(new short[] {1, -1, 300});
        byte[] file = Wav.toBytes(new AudioClip(AudioFormat.PCM16_16K, data));

        ByteBuffer expected = ByteBuffer.allocate(44 + 6).order(ByteOrder.LITTLE_ENDIAN);
        expected.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(36 + 6).put("WAVE".getBytes(StandardCharsets.US_ASCII))
                .put("fmt ".getBytes(StandardCharsets.US_ASCII)).putInt(16).putShort((short) 1).putShort((short) 1)
                .putInt(16_000).putInt(32_000).putShort((short) 2).putShort((short) 16)
                .put("data".getBytes(StandardCharsets.US_ASCII)).putInt(6).put(data);
        assertThat(file).isEqualTo(expected.array());
    }

    @Test
    void givenOddLengthUlaw_whenWritten_thenFmtExFactAndAPadByteAreWritten() throws IOException {
        byte[] codes = {(byte) 0xFF, 0x7F, 0x00};
        byte[] file = Wav.toBytes(new AudioClip(AudioFormat.ULAW_8K, codes));

        ByteBuffer header = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(file).hasSize(12 + 8 + 18 + 12 + 8 + 3 + 1);
        assertThat(header.getInt(4)).isEqualTo(file.length - 8);
        assertThat(header.getInt(16)).isEqualTo(18);
        assertThat(header.getShort(20)).isEqualTo((short) 7);
        assertThat(header.getShort(34)).isEqualTo((short) 8);
        assertThat(new String(file, 38, 4, StandardCharsets.US_ASCII)).isEqualTo("fact");
        assertThat(header.getInt(46)).isEqualTo(3);
        assertThat(new String(file, 50, 4, StandardCharsets.US_ASCII)).isEqualTo("data");
        assertThat(file[file.length - 1]).isZero();
        assertThat(Wav.read(file).data()).isEqualTo(codes);
    }

    @Test
    void givenAudioHeldElsewhere_whenOnlyTheHeaderIsMade_thenHeaderAudioAndPadAreTheFileToBytesWrites() {
        for (AudioFormat format : new AudioFormat[] {AudioFormat.PCM16_8K, AudioFormat.PCM16_16K,
                AudioFormat.ULAW_8K}) {
            for (int length : new int[] {0, 1, 2, 3, 320, 321}) {
                int frames = length / format.bytesPerFrame();
                byte[] data = new byte[frames * format.bytesPerFrame()];
                for (int i = 0; i < data.length; i++) {
                    data[i] = (byte) (i * 37 + 11);
                }
                byte[] file = Wav.toBytes(new AudioClip(format, data));

                byte[] header = Wav.header(format, data.length);

                byte[] joined = new byte[header.length + data.length + (data.length & 1)];
                System.arraycopy(header, 0, joined, 0, header.length);
                System.arraycopy(data, 0, joined, header.length, data.length);
                assertThat(joined).as(format + ", " + data.length + " bytes").isEqualTo(file);
            }
        }
        assertThatThrownBy(() -> Wav.header(AudioFormat.PCM16_8K, -2))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
    }

    @Test
    void givenClipsInEveryEncoding_whenWrittenAndRead_thenTheyComeBackEqual() throws IOException {
        Random random = new Random(6);
        for (AudioFormat format : List.of(AudioFormat.PCM16_8K, AudioFormat.PCM16_24K,
                new AudioFormat(AudioFormat.Encoding.PCM16_LE, 44_100, 2), AudioFormat.ULAW_8K,
                AudioFormat.ALAW_8K, ULAW_STEREO)) {
            byte[] data = new byte[format.bytesPerFrame() * 321];
            random.nextBytes(data);
            AudioClip clip = new AudioClip(format, data);
            assertThat(Wav.read(Wav.toBytes(clip))).as(format.toString()).isEqualTo(clip);
        }
    }

    @Test
    void givenAFileOnDiskOrAStream_whenRead_thenTheSameClipComesBack(@TempDir Path dir) throws IOException {
        AudioClip clip = new AudioClip(AudioFormat.ALAW_8K, new byte[] {1, 2, 3, 4, 5});
        Path file = dir.resolve("clip.wav");
        Wav.write(clip, file);
        assertThat(Wav.read(file)).isEqualTo(clip);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Wav.write(clip, out);
        assertThat(Wav.read(new ByteArrayInputStream(out.toByteArray()))).isEqualTo(clip);
    }

    @Test
    void givenWaveFormatExtensible_whenRead_thenTheSubFormatGuidDecidesTheEncoding() throws IOException {
        byte[] pcm = new RiffBuilder().extensible(1, 2, 48_000, 4, 16).chunk("data", new byte[] {1, 0, 2, 0, 3, 0, 4, 0}).build();
        AudioClip clip = Wav.read(pcm);
        assertThat(clip.format()).isEqualTo(new AudioFormat(AudioFormat.Encoding.PCM16_LE, 48_000, 2));
        assertThat(clip.toPcm16Samples()).containsExactly((short) 1, (short) 2, (short) 3, (short) 4);

        byte[] ulaw = new RiffBuilder().extensible(7, 1, 8000, 1, 8).chunk("data", new byte[] {(byte) 0x80}).build();
        assertThat(Wav.read(ulaw).format()).isEqualTo(AudioFormat.ULAW_8K);
        assertThat(Wav.read(ulaw).toPcm16Samples()).containsExactly((short) 32124);

        byte[] alaw = new RiffBuilder().extensible(6, 1, 8000, 1, 8).chunk("data", new byte[] {(byte) 0xD5}).build();
        assertThat(Wav.read(alaw).toPcm16Samples()).containsExactly((short) 8);
    }

    @Test
    void givenUnknownAndOddSizedChunksAroundTheAudio_whenRead_thenTheyAreSkippedWithTheirPadBytes() throws IOException {
        byte[] audio = {0x11, 0x22, 0x33};
        byte[] file = new RiffBuilder()
                .chunk("junk", new byte[] {9, 9, 9})
                .fmt(7, 1, 8000, 1, 8)
                .chunk("fact", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(3).array())
                .chunk("LIST", "INFOISFT\u0005\u0000\u0000\u0000Lavf\u0000".getBytes(StandardCharsets.ISO_8859_1))
                .chunk("data", audio)
                .chunk("LIST", "INFOICMT\u0003\u0000\u0000\u0000hi\u0000".getBytes(StandardCharsets.ISO_8859_1))
                .build();
        AudioClip clip = Wav.read(file);
        assertThat(clip.format()).isEqualTo(AudioFormat.ULAW_8K);
        assertThat(clip.data()).isEqualTo(audio);
    }

    @Test
    void givenAFinalOddChunkWithoutItsPadByte_whenRead_thenTheAudioIsStillRead() throws IOException {
        byte[] padded = new RiffBuilder().fmt(6, 1, 8000, 1, 8).chunk("data", new byte[] {1, 2, 3}).build();
        byte[] unpadded = Arrays.copyOf(padded, padded.length - 1);
        ByteBuffer.wrap(unpadded).order(ByteOrder.LITTLE_ENDIAN).putInt(4, unpadded.length - 8);
        assertThat(Wav.read(unpadded).data()).containsExactly(1, 2, 3);
    }

    @Test
    void givenEveryTruncationOfAValidFile_whenRead_thenAWavFormatExceptionSaysTruncated() {
        byte[] file = new RiffBuilder().fmt(1, 1, 16_000, 2, 16).chunk("data", new byte[40])
                .chunk("LIST", new byte[9]).build();
        for (int length = 0; length < file.length; length++) {
            byte[] cut = Arrays.copyOf(file, length);
            assertThatThrownBy(() -> Wav.read(cut)).as("cut at %d", length)
                    .isInstanceOf(WavFormatException.class).hasMessageContaining("truncated");
        }
    }

    @Test
    void givenRandomCorruptions_whenRead_thenEitherAClipOrAWavFormatExceptionNeverARuntimeException() {
        byte[] file = new RiffBuilder().chunk("LIST", new byte[5]).fmt(1, 2, 8000, 4, 16)
                .chunk("data", new byte[64]).build();
        Random random = new Random(44);
        for (int trial = 0; trial < 20_000; trial++) {
            byte[] corrupt = file.clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                corrupt[random.nextInt(Math.min(corrupt.length, 64))] = (byte) random.nextInt(256);
            }
            try {
                AudioClip clip = Wav.read(corrupt);
                assertThat(clip.byteCount() % clip.format().bytesPerFrame()).isZero();
            } catch (WavFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void givenNonWavInput_whenRead_thenTheMessageSaysWhatItIs() {
        assertFails(new byte[0], "truncated: 0 bytes");
        assertFails("RIFF\0\0\0".getBytes(StandardCharsets.ISO_8859_1), "truncated: 7 bytes");
        assertFails("ID3\u0004\0\0\0\0\0\0\0\0\0\0".getBytes(StandardCharsets.ISO_8859_1), "not a WAV file: starts with bytes 0x49443304");
        assertFails("RIFX\u0004\0\0\0WAVE".getBytes(StandardCharsets.ISO_8859_1), "big-endian RIFX");
        assertFails("RIFF\u0004\0\0\0AVI ".getBytes(StandardCharsets.ISO_8859_1), "RIFF form type is 0x41564920");
    }

    @Test
    void givenMissingOrMisplacedChunks_whenRead_thenTheMessageNamesTheChunk() {
        assertFails(new RiffBuilder().chunk("data", new byte[2]).build(), "'data' chunk at offset 12 comes before any 'fmt '");
        assertFails(new RiffBuilder().chunk("LIST", new byte[2]).build(), "no 'fmt ' chunk");
        assertFails(new RiffBuilder().fmt(1, 1, 8000, 2, 16).build(), "no 'data' chunk");
        assertFails(new RiffBuilder().chunk("fmt ", new byte[14]).build(), "'fmt ' chunk is 14 bytes");
        assertFails(new RiffBuilder().fmt(1, 1, 8000, 2, 16).chunk("data", new byte[3]).build(),
                "holds 3 bytes, not a whole number of 2-byte sample frames");
        assertFails(new RiffBuilder().fmt(1, 1, 8000, 2, 16).raw("data".getBytes(StandardCharsets.US_ASCII))
                .raw(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}).build(),
                "chunk 'data' at offset 36 declares 4294967295 bytes but only 0 follow");
    }

    @Test
    void givenUnsupportedEncodings_whenRead_thenTheMessageNamesTheEncoding() {
        assertFails(new RiffBuilder().fmt(1, 1, 8000, 1, 8).chunk("data", new byte[2]).build(), "unsupported: 8-bit PCM");
        assertFails(new RiffBuilder().fmt(1, 1, 8000, 3, 24).chunk("data", new byte[3]).build(), "unsupported: 24-bit PCM");
        assertFails(new RiffBuilder().fmt(3, 1, 8000, 4, 32).chunk("data", new byte[4]).build(), "IEEE float");
        assertFails(new RiffBuilder().fmt(2, 1, 8000, 256, 4).chunk("data", new byte[4]).build(), "format tag 0x0002");
        assertFails(new RiffBuilder().fmt(7, 1, 8000, 2, 16).chunk("data", new byte[4]).build(), "mu-law with 16 bits");
        assertFails(new RiffBuilder().extensible(3, 1, 8000, 4, 32).chunk("data", new byte[4]).build(), "IEEE float");
        assertFails(new RiffBuilder().fmt(1, 2, 8000, 2, 16).chunk("data", new byte[4]).build(), "block alignment 2 bytes");
        assertFails(new RiffBuilder().fmt(1, 0, 8000, 0, 16).chunk("data", new byte[4]).build(), "0 channels");
        byte[] ambisonic = new RiffBuilder().extensible(1, 1, 8000, 2, 16).chunk("data", new byte[2]).build();
        ambisonic[12 + 8 + 24 + 2] = 0x21;
        assertFails(ambisonic, "sub-format GUID 0x0100");
    }

    @Test
    void givenAStreamLongerThanTheLimit_whenRead_thenRefusedAfterReadingOnlyTheLimit() {
        int[] served = {0};
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                served[0]++;
                return 0;
            }
        };
        assertThatThrownBy(() -> Wav.read(endless, 1000)).isInstanceOf(WavFormatException.class)
                .hasMessageContaining("more than the 1000 bytes accepted");
        assertThat(served[0]).isEqualTo(1001);
    }

    @Test
    void givenTheRealPhoneAndLibrivoxRecordings_whenRead_thenFormatsMatchAndRewritingGivesTheSameBytes() throws IOException {
        assertThat(checkRecordings("phone", AudioFormat.PCM16_8K)).isEqualTo(16);
        assertThat(checkRecordings("librivox", AudioFormat.PCM16_16K)).isEqualTo(5);
    }

    private static int checkRecordings(String sub, AudioFormat expected) throws IOException {
        List<Path> files = SharedFixtures.recordings(sub);
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            AudioClip clip = Wav.read(file);
            assertThat(clip.format()).as(file.toString()).isEqualTo(expected);
            assertThat(clip.duration().toMillis()).as(file.toString()).isBetween(1000L, 10_000L);
            // These recordings use the canonical 44-byte header, so writing them back is byte-exact.
            assertThat(Wav.toBytes(clip)).as(file.toString()).isEqualTo(bytes);
        }
        return files.size();
    }

    private static void assertFails(byte[] file, String message) {
        assertThatThrownBy(() -> Wav.read(file)).isInstanceOf(WavFormatException.class).hasMessageContaining(message);
    }
}
