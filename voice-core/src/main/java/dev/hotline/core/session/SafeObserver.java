package dev.hotline.core.session;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallObserver;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Shields calls from their observer: an observer that throws is logged once (with the first failure) and
 * otherwise ignored, so a broken metrics sink never breaks a call. Thread-safe.
 */
public final class SafeObserver implements CallObserver {

    private static final System.Logger LOG = System.getLogger(SafeObserver.class.getName());

    private final CallObserver delegate;
    private final AtomicBoolean reported = new AtomicBoolean();

    /** Wraps {@code delegate}. */
    public SafeObserver(CallObserver delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public void onEvent(CallEvent event) {
        try {
            delegate.onEvent(event);
        } catch (RuntimeException e) {
            if (reported.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "a call observer threw; it is ignored from now on, and its "
                        + "further failures are not logged: " + delegate.getClass().getName(), e);
            }
        }
    }
}
