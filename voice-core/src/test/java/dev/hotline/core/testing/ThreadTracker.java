package dev.hotline.core.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * A virtual-thread factory that knows whether the threads it made are all parked, so a test can let a
 * session's background work settle before it feeds the next frame. With instant fakes this makes audio
 * time deterministic: whatever a frame triggers is done before the next frame arrives.
 *
 * <p>"Settled" means every thread made here is terminated or parked without a timeout (waiting on a
 * condition, a queue, a latch of a scripted fake). A thread in a timed wait (a retry backoff) counts as busy.
 */
public final class ThreadTracker implements ThreadFactory {

    private final ThreadFactory delegate = Thread.ofVirtual().name("tracked-", 0).factory();
    private final List<Thread> threads = new ArrayList<>();

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = delegate.newThread(task);
        synchronized (threads) {
            threads.add(thread);
        }
        return thread;
    }

    /** Waits until every thread is parked or done, twice in a row. */
    public void awaitSettled(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        int quietChecks = 0;
        while (quietChecks < 2) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("background work did not settle within " + timeout + ": " + describe());
            }
            if (settled()) {
                quietChecks++;
            } else {
                quietChecks = 0;
            }
            Thread.yield();
        }
    }

    /** How many threads made here have not terminated. */
    public int alive() {
        synchronized (threads) {
            threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
            return threads.size();
        }
    }

    private boolean settled() {
        synchronized (threads) {
            threads.removeIf(t -> t.getState() == Thread.State.TERMINATED);
            for (Thread t : threads) {
                Thread.State state = t.getState();
                if (state != Thread.State.WAITING) {
                    return false;
                }
            }
            return true;
        }
    }

    private String describe() {
        synchronized (threads) {
            StringBuilder out = new StringBuilder();
            for (Thread t : threads) {
                out.append(t.getName()).append('=').append(t.getState()).append(' ');
                for (StackTraceElement e : t.getStackTrace()) {
                    out.append("\n    at ").append(e);
                }
            }
            return out.toString();
        }
    }
}
