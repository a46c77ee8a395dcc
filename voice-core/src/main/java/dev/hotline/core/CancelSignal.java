package dev.hotline.core;

import java.util.ArrayList;
import java.util.List;

/**
 * A one-way switch that cancels a unit of work (a turn, a provider call) and everything registered on it.
 *
 * <p>Adapters register an action that aborts their I/O ({@code call::cancel}, {@code socket::close}) with
 * {@link #onCancel(Runnable)}, so that cancelling a turn reaches the HTTP calls in flight at once instead of
 * waiting for the next byte. Long loops check {@link #throwIfCancelled()}.
 *
 * <p>Thread-safe. Cancelling is idempotent; registered actions run exactly once, on the thread that
 * cancels (or immediately on the registering thread if the signal was already cancelled). An action that
 * throws does not stop the others.
 */
public final class CancelSignal {

    private final Object lock = new Object();
    private List<Runnable> actions = new ArrayList<>();
    private volatile boolean cancelled;
    private volatile String reason;

    /** A fresh signal, not cancelled. */
    public CancelSignal() {
    }

    /** A signal that is cancelled when {@code parent} is, and can also be cancelled on its own. */
    public CancelSignal child() {
        CancelSignal child = new CancelSignal();
        Registration link = onCancel(() -> child.cancel(reason));
        child.onCancel(link::remove);
        return child;
    }

    /** Cancels, with no particular reason. */
    public void cancel() {
        cancel("cancelled");
    }

    /** Cancels and runs every registered action. Later calls do nothing. */
    public void cancel(String why) {
        List<Runnable> toRun;
        synchronized (lock) {
            if (cancelled) {
                return;
            }
            reason = why == null ? "cancelled" : why;
            cancelled = true;
            toRun = actions;
            actions = List.of();
        }
        RuntimeException first = null;
        for (Runnable action : toRun) {
            try {
                action.run();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /** Whether {@link #cancel} has been called. */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Why this was cancelled, or {@code null} if it was not. */
    public String reason() {
        return reason;
    }

    /** Throws {@link CancelledException} if cancelled. */
    public void throwIfCancelled() throws CancelledException {
        if (cancelled) {
            throw new CancelledException(reason);
        }
    }

    /**
     * Runs {@code action} when this is cancelled; at once if it already is.
     *
     * @return a handle that unregisters the action, for work that finished without being cancelled
     */
    public Registration onCancel(Runnable action) {
        synchronized (lock) {
            if (!cancelled) {
                actions.add(action);
                return () -> {
                    synchronized (lock) {
                        if (!cancelled) {
                            actions.remove(action);
                        }
                    }
                };
            }
        }
        action.run();
        return () -> { };
    }

    /** Undoes one {@link #onCancel} registration. */
    @FunctionalInterface
    public interface Registration extends AutoCloseable {
        /** Unregisters the action; does nothing if it already ran. */
        void remove();

        @Override
        default void close() {
            remove();
        }
    }
}
