package dev.hotline.server;

import dev.hotline.core.CallTransport;
import java.time.Duration;

/**
 * What the server hands calls to: the conversation engine, seen from the server. The server owns sockets,
 * signatures and limits; everything said on a call is the handler's.
 *
 * <p><b>Threading.</b> Thread-safe; {@link #startCall} and {@link #refuseCall} return quickly (the call runs on
 * the handler's own threads).
 */
public interface CallHandler {

    /** Whether calls can be taken now (providers wired and not shutting down). */
    boolean ready();

    /** Runs a call on {@code transport} until it ends; the handler calls {@link CallTransport#start}. */
    void startCall(CallTransport transport);

    /** Speaks {@code message} on {@code transport} if it can, then hangs up. */
    void refuseCall(CallTransport transport, String message);

    /** Calls running now. */
    int activeCalls();

    /** Stops taking calls and lets running ones finish for up to {@code drain}, then ends them. Blocks. */
    void shutdown(Duration drain);
}
