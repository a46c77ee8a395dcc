package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the playout holds waits in one ring of bytes per call: every byte written is sent once and in order,
 * through back-pressure, and a barge-in drops exactly the interrupted speech's bytes from wherever they are
 * in the buffer.
 */
class PlayoutBufferTest {

    /** 40 ms chunks of 8 kHz mu-law. */
    private static final int CHUNK = 320;
    /** Un-echoed audio allowed at the transport: two chunks. */
    private static final int QUEUED_MS = 80;

    /** Records what it is sent; refuses audio while {@link #refusing}. */
    private static final class RecordingTransport extends QuietTransport {
        final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        final List<String> marks = new ArrayList<>();
        boolean refusing;
        int clears;

        @Override
        public boolean sendAudio(byte[] chunk) {
            if (refusing) {
                return false;
            }
            audio.writeBytes(chunk);
            return true;
        }

        @Override
        public void sendMark(String name) {
            marks.add(name);
        }

        @Override
        public void clear() {
            clears++;
        }
    }

    private final RecordingTransport transport = new RecordingTransport();
    private final List<Speech> played = new ArrayList<>();
    private final Playout playout = new Playout(transport, AudioFormat.ULAW_8K, 40, QUEUED_MS, 20_000,
            new Playout.Callbacks() {
                @Override
                public void firstAudioSent(Speech speech) {
                }

                @Override
                public void played(Speech speech) {
                    played.add(speech);
                }

                @Override
                public void transportFailed(RuntimeException failure) {
                    throw failure;
                }
            });

    @Test
    void given_audio_refused_by_back_pressure_then_every_byte_is_sent_once_and_in_order() {
        Speech speech = speech(1);
        int piece = playout.addPiece(speech, "One long reply.");
        byte[] first = counting(0, 1_000);
        byte[] second = counting(1_000, 2_500);

        transport.refusing = true;
        playout.write(speech, piece, first);
        assertThat(transport.audio.size()).as("sent while refused").isZero();
        transport.refusing = false;
        playout.tick();
        playout.write(speech, piece, second);
        playout.pieceDone(speech, piece);
        playout.finish(speech);
        echoAll();

        assertThat(transport.audio.toByteArray()).isEqualTo(counting(0, 3_500));
        assertThat(played).containsExactly(speech);
    }

    @Test
    void given_two_speeches_interleaved_in_the_buffer_when_one_is_cleared_then_only_the_others_bytes_are_sent_on() {
        Speech greeting = speech(0);
        Speech line = speech(0);
        int greetingPiece = playout.addPiece(greeting, "Hello.");
        int linePiece = playout.addPiece(line, "Are you there?");
        playout.write(greeting, greetingPiece, counting(0, 2 * CHUNK)); // fills the transport's queue at once
        playout.write(greeting, greetingPiece, counting(10_000, 700));
        playout.write(line, linePiece, counting(20_000, 500));
        playout.write(greeting, greetingPiece, counting(30_000, 900));
        playout.write(line, linePiece, counting(40_000, 300));
        assertThat(transport.audio.toByteArray()).as("sent before the barge-in").isEqualTo(counting(0, 2 * CHUNK));

        greeting.cancel.cancel();
        playout.clear(greeting);
        transport.audio.reset();
        playout.write(line, linePiece, counting(50_000, 100));
        playout.finish(line);
        echoAll();

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(counting(20_000, 500));
        expected.writeBytes(counting(40_000, 300));
        expected.writeBytes(counting(50_000, 100));
        assertThat(transport.audio.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(transport.clears).isEqualTo(1);
        assertThat(played).containsExactly(line);
    }

    /** Echoes marks as the transport would, one at a time, until nothing more is sent. */
    private void echoAll() {
        for (int echoed = 0; echoed < transport.marks.size(); echoed++) {
            playout.onMark(transport.marks.get(echoed));
        }
    }

    private static Speech speech(int turn) {
        return new Speech(Speech.Kind.REPLY, turn, new CancelSignal(), 8, 0, 0, 0);
    }

    /** {@code length} bytes counting up from {@code from}, so any byte lost, doubled or reordered shows. */
    private static byte[] counting(int from, int length) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            int value = from + i;
            bytes[i] = (byte) (value ^ (value >> 8) ^ (value >> 16));
        }
        return bytes;
    }
}
