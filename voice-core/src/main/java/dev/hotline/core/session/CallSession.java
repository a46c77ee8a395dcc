package dev.hotline.core.session;

import dev.hotline.core.CallHandle;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallState;
import dev.hotline.core.CallTransport;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/** One call's session. This commit fixes the engine's API only; the session's behaviour follows. */
public final class CallSession implements CallHandle {

    private final CallTransport transport;

    private CallSession(CallTransport transport) {
        this.transport = transport;
    }

    /** A session that converses with the caller. */
    public static CallSession conversation(SessionContext context, CallTransport transport,
            Consumer<CallSession> onEnd) {
        return new CallSession(transport);
    }

    /** A session that speaks {@code message} and hangs up. */
    public static CallSession refusal(SessionContext context, CallTransport transport, String message,
            Consumer<CallSession> onEnd) {
        return new CallSession(transport);
    }

    /** Starts the transport with this session as its listener. */
    public void start() {
        throw new UnsupportedOperationException("the call session is not implemented yet");
    }

    @Override
    public Optional<CallInfo> call() {
        return Optional.empty();
    }

    @Override
    public CallState state() {
        return CallState.CONNECTING;
    }

    @Override
    public boolean isEnded() {
        return false;
    }

    @Override
    public void endCall(String reason) {
        transport.hangUp();
    }

    @Override
    public void hangUp(String reason) {
        transport.hangUp();
    }

    @Override
    public boolean awaitEnd(Duration timeout) {
        return false;
    }
}
