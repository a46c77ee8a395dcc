package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * The playout never calls into the transport while holding its own lock: a transport that guards its
 * listener calls with a lock of its own (as Twilio's does) and takes that lock inside {@code clear()} must
 * not deadlock against a mark echo arriving at the same moment.
 */
class PlayoutLockTest {

    /** A transport whose inbound side and clear() share one lock, like TwilioCallTransport's. */
    private static final class LockingTransport extends QuietTransport {
        final ReentrantLock inbound = new ReentrantLock();
        final CountDownLatch clearEntered = new CountDownLatch(1);
        final List<String> marks = new CopyOnWriteArrayList<>();
        volatile boolean cleared;

        @Override
        public void sendMark(String name) {
            marks.add(name);
        }

        @Override
        public void clear() {
            clearEntered.countDown();
            inbound.lock();
            try {
                cleared = true;
            } finally {
                inbound.unlock();
            }
        }
    }

    @Test
    void givenAMarkEchoArrivingDuringABargeInClear_whenBothRun_thenNeitherWaitsForTheOther() {
        LockingTransport transport = new LockingTransport();
        Playout playout = new Playout(transport, AudioFormat.ULAW_8K, 40, 200, 1_000, new Playout.Callbacks() {
            @Override
            public void firstAudioSent(Speech speech) {
            }

            @Override
            public void played(Speech speech) {
            }

            @Override
            public void transportFailed(RuntimeException failure) {
            }
        });
        Speech speech = new Speech(Speech.Kind.REPLY, 1, new CancelSignal(), 8, 0, 0, 0);
        int piece = playout.addPiece(speech, "Hello there, caller.");
        assertThat(playout.write(speech, piece, new byte[1_600])).isTrue();
        assertThat(transport.marks).isNotEmpty();

        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            // The transport's inbound thread holds its lock while it delivers a mark echo.
            transport.inbound.lock();
            Thread bargeIn = Thread.ofVirtual().start(() -> playout.clear(speech));
            try {
                assertThat(transport.clearEntered.await(5, TimeUnit.SECONDS)).isTrue();
                playout.onMark(transport.marks.getFirst());
            } finally {
                transport.inbound.unlock();
            }
            bargeIn.join();
        });
        assertThat(transport.cleared).isTrue();
    }
}
