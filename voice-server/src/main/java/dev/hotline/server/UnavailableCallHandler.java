package dev.hotline.server;

import dev.hotline.core.CallTransport;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@link CallHandler} of a server that cannot hold conversations (no engine, or no provider for a role):
 * it is never ready, so the webhook refuses calls politely with TwiML, and a socket that connects anyway is
 * closed at once. The banner says why.
 */
final class UnavailableCallHandler implements CallHandler {

    private final String why;

    UnavailableCallHandler(String why) {
        this.why = Objects.requireNonNull(why, "why");
    }

    /** Why calls cannot be taken, for the banner. */
    String why() {
        return why;
    }

    @Override
    public boolean ready() {
        return false;
    }

    @Override
    public void startCall(CallTransport transport) {
        transport.hangUp();
    }

    @Override
    public void refuseCall(CallTransport transport, String message) {
        transport.hangUp();
    }

    @Override
    public int activeCalls() {
        return 0;
    }

    @Override
    public void shutdown(Duration drain) {
        // nothing runs, so nothing drains
    }
}
