package dev.hotline.elevenlabs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SampleAlignerTest {

    private final List<byte[]> chunks = new ArrayList<>();
    private final ByteArrayOutputStream joined = new ByteArrayOutputStream();

    private SampleAligner aligner(int frameBytes) {
        return new SampleAligner(frameBytes, chunk -> {
            chunks.add(chunk);
            joined.writeBytes(chunk);
        });
    }

    @Test
    void givenOneByteAtATime_whenAligningPcm16_thenEveryChunkIsOneWholeSample() {
        SampleAligner aligner = aligner(2);
        byte[] data = new byte[101];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }

        for (int i = 0; i < data.length; i++) {
            aligner.accept(data, i, 1);
        }

        assertThat(chunks).hasSize(50).allSatisfy(chunk -> assertThat(chunk).hasSize(2));
        assertThat(aligner.pending()).isEqualTo(1);
        assertThat(aligner.delivered()).isEqualTo(100);
        assertThat(joined.toByteArray()).containsExactly(java.util.Arrays.copyOf(data, 100));
    }

    @Test
    void givenEverySplitSize_whenAligning_thenNothingIsLostOrReordered() {
        Random random = new Random(42);
        byte[] data = new byte[4000];
        random.nextBytes(data);
        for (int frameBytes = 1; frameBytes <= 4; frameBytes++) {
            for (int split = 1; split <= 17; split++) {
                chunks.clear();
                joined.reset();
                SampleAligner aligner = aligner(frameBytes);
                for (int offset = 0; offset < data.length; offset += split) {
                    aligner.accept(data, offset, Math.min(split, data.length - offset));
                }
                int frame = frameBytes;
                assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.length % frame).isZero());
                assertThat(joined.toByteArray()).containsExactly(
                        java.util.Arrays.copyOf(data, data.length - data.length % frameBytes));
            }
        }
    }
}
