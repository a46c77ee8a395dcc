package dev.hotline.core.session;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded hand-over of speakable pieces from the thread writing a reply to the thread synthesizing it.
 * Waits (without a timeout) for room or for a piece, and wakes at once when the speech is cancelled.
 * Thread-safe: one writer, one reader.
 */
final class PieceQueue {

    private final int capacity;
    private final CancelSignal cancel;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Deque<String> pieces = new ArrayDeque<>();
    private boolean ended;

    PieceQueue(int capacity, CancelSignal cancel) {
        this.capacity = capacity;
        this.cancel = cancel;
        cancel.onCancel(this::wake);
    }

    /** Adds a piece, waiting for room. */
    void put(String piece) throws CancelledException {
        lock.lock();
        try {
            while (pieces.size() >= capacity && !cancel.isCancelled()) {
                changed.awaitUninterruptibly();
            }
            cancel.throwIfCancelled();
            if (ended) {
                throw new IllegalStateException("no piece may follow the end");
            }
            pieces.add(piece);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** No more pieces will come. Idempotent. */
    void end() {
        lock.lock();
        try {
            ended = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The next piece, waiting for one; {@code null} once the end was reached. */
    String take() throws CancelledException {
        lock.lock();
        try {
            while (pieces.isEmpty() && !ended && !cancel.isCancelled()) {
                changed.awaitUninterruptibly();
            }
            cancel.throwIfCancelled();
            String piece = pieces.poll();
            changed.signalAll();
            return piece;
        } finally {
            lock.unlock();
        }
    }

    private void wake() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
