package dev.hotline.core.testing;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * What a scripted fake waits for before it answers: nothing, a latch the test opens, a point in the call's
 * audio time, or forever (until cancelled). The fake's own thread parks without a timeout, so a
 * {@link ThreadTracker} sees it as settled while it waits, and sees it busy as soon as it is woken.
 */
@FunctionalInterface
public interface Gate {

    /** Waits; throws {@link CancelledException} as soon as {@code cancel} fires. */
    void pass(CancelSignal cancel) throws CancelledException;

    /** Answers at once. */
    Gate OPEN = CancelSignal::throwIfCancelled;

    /** Never answers; only cancellation ends the wait. */
    Gate NEVER = latch(new CountDownLatch(1));

    /** Answers once {@code latch} is open. */
    static Gate latch(CountDownLatch latch) {
        return cancel -> {
            Thread self = Thread.currentThread();
            CancelSignal.Registration wake = cancel.onCancel(self::interrupt);
            try {
                latch.await();
            } catch (InterruptedException e) {
                cancel.throwIfCancelled();
                throw new CancelledException("interrupted");
            } finally {
                wake.remove();
            }
            Thread.interrupted();
            cancel.throwIfCancelled();
        };
    }

    /** Answers once the call's audio time advanced by {@code delay} from when the fake was called. */
    static Gate audioDelay(RecordingCallTransport call, Duration delay) {
        return cancel -> {
            Duration until = call.audioTime().plus(delay);
            Thread self = Thread.currentThread();
            CancelSignal.Registration wake = cancel.onCancel(self::interrupt);
            try {
                call.awaitAudioTime(until);
            } catch (InterruptedException e) {
                cancel.throwIfCancelled();
                throw new CancelledException("interrupted");
            } finally {
                wake.remove();
            }
            Thread.interrupted();
            cancel.throwIfCancelled();
        };
    }
}
