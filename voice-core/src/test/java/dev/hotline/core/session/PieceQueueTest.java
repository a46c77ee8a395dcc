package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class PieceQueueTest {

    /** Waits until {@code thread} parks (or ends), so the test knows it is blocked where expected. */
    private static void awaitParked(Thread thread) throws InterruptedException {
        while (thread.getState() != Thread.State.WAITING && thread.isAlive()) {
            Thread.sleep(1);
        }
    }

    @Test
    void givenAFullQueue_whenTheWriterAddsMore_thenItWaitsUntilThereIsRoom() throws Exception {
        PieceQueue queue = new PieceQueue(2, new CancelSignal());
        queue.put("one");
        queue.put("two");
        CountDownLatch added = new CountDownLatch(1);
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                queue.put("three");
                added.countDown();
            } catch (CancelledException e) {
                throw new IllegalStateException(e);
            }
        });
        awaitParked(writer);

        assertThat(added.getCount()).as("the third piece waits: the queue holds two").isEqualTo(1);
        assertThat(queue.take()).isEqualTo("one");
        writer.join();
        assertThat(added.getCount()).isZero();
        queue.end();
        assertThat(queue.take()).isEqualTo("two");
        assertThat(queue.take()).isEqualTo("three");
        assertThat(queue.take()).isNull();
    }

    @Test
    void givenAWriterWaitingForRoom_whenTheSpeechIsCancelled_thenItWakesWithCancelled() throws Exception {
        CancelSignal cancel = new CancelSignal();
        PieceQueue queue = new PieceQueue(1, cancel);
        queue.put("one");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                queue.put("two");
            } catch (CancelledException e) {
                thrown.set(e);
            }
        });
        awaitParked(writer);

        cancel.cancel("barge-in");
        writer.join();

        assertThat(thrown.get()).isInstanceOf(CancelledException.class);
        assertThatThrownBy(queue::take).isInstanceOf(CancelledException.class);
    }
}
