package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ByteRingTest {

    @Test
    void given_writes_and_reads_of_random_lengths_then_the_bytes_come_out_in_order() {
        ByteRing ring = new ByteRing();
        Random random = new Random(7);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        byte next = 0;
        for (int round = 0; round < 2_000; round++) {
            byte[] chunk = new byte[random.nextInt(700)];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = next++;
            }
            ring.write(chunk, 0, chunk.length);
            written.writeBytes(chunk);
            byte[] out = new byte[random.nextInt(ring.size() + 1)];
            if (random.nextBoolean()) {
                ring.read(out, 0, out.length);
            } else {
                ring.peek(out, 0, out.length);
                ring.skip(out.length);
            }
            read.writeBytes(out);
        }
        byte[] rest = new byte[ring.size()];
        ring.read(rest, 0, rest.length);
        read.writeBytes(rest);

        assertThat(read.toByteArray()).isEqualTo(written.toByteArray());
        assertThat(ring.size()).isZero();
    }

    @Test
    void given_a_full_ring_whose_bytes_wrap_when_it_grows_then_they_stay_in_order() {
        ByteRing ring = new ByteRing();
        ring.write(sequence(0, 4_096), 0, 4_096);
        ring.skip(3_000);
        ring.write(sequence(4_096, 3_000), 0, 3_000); // wraps: the ring is full again, its head at 3,000
        assertThat(ring.capacity()).isEqualTo(4_096);

        ring.write(sequence(7_096, 10), 0, 10);

        assertThat(ring.capacity()).isEqualTo(8_192);
        byte[] out = new byte[ring.size()];
        ring.read(out, 0, out.length);
        assertThat(out).isEqualTo(sequence(3_000, 4_106));
    }

    @Test
    void given_a_cleared_ring_then_its_array_is_kept_and_reused() {
        ByteRing ring = new ByteRing();
        ring.write(new byte[10_000], 0, 10_000);
        int capacity = ring.capacity();
        ring.clear();
        ring.write(sequence(1, 10_000), 0, 10_000);

        assertThat(ring.capacity()).isEqualTo(capacity);
        byte[] out = new byte[10_000];
        ring.peek(out, 0, out.length);
        assertThat(out).isEqualTo(sequence(1, 10_000));
        assertThat(ring.size()).isEqualTo(10_000);
    }

    @Test
    void given_more_asked_than_queued_then_it_refuses_and_keeps_the_bytes() {
        ByteRing ring = new ByteRing();
        ring.write(sequence(0, 5), 0, 5);

        assertThatThrownBy(() -> ring.read(new byte[6], 0, 6)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("6 bytes, 5 queued");
        assertThatThrownBy(() -> ring.skip(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ring.size()).isEqualTo(5);
    }

    private static byte[] sequence(int from, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (from + i);
        }
        return bytes;
    }
}
