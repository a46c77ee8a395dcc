package dev.hotline.core;

import java.time.Duration;
import java.util.Optional;

/**
 * One call the {@link Engine} is driving. The session runs the call by itself; the handle only lets the
 * application watch it and end it early.
 *
 * <p>Thread-safe. The handle stays usable after the call ended (its methods then do nothing or answer at
 * once) and holds nothing but the session's small final state.
 */
public interface CallHandle {

    /** Who is calling, once the transport reported the start of the media; empty before. */
    Optional<CallInfo> call();

    /** The call's current state. */
    CallState state();

    /** Whether the call has ended (the transport reported its stop, or the engine forced the end). */
    boolean isEnded();

    /** Ends the call politely: the persona says goodbye, then hangs up. Does nothing if already ending. */
    void endCall(String reason);

    /** Hangs up at once, without a goodbye. */
    void hangUp(String reason);

    /**
     * Waits for the call to end.
     *
     * @return whether it ended within {@code timeout}
     * @throws InterruptedException if the waiting thread was interrupted
     */
    boolean awaitEnd(Duration timeout) throws InterruptedException;
}
