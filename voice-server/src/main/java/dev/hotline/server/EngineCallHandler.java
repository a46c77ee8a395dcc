package dev.hotline.server;

import dev.hotline.core.CallTransport;
import dev.hotline.core.Engine;
import java.time.Duration;
import java.util.Objects;

/**
 * The {@link CallHandler} that holds conversations: voice-core's {@link Engine}. Ready until shut down.
 * Thread-safe, as the engine is.
 */
final class EngineCallHandler implements CallHandler {

    private final Engine engine;
    private volatile boolean shutDown;

    EngineCallHandler(Engine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    @Override
    public boolean ready() {
        return !shutDown;
    }

    @Override
    public void startCall(CallTransport transport) {
        engine.startCall(transport);
    }

    @Override
    public void refuseCall(CallTransport transport, String message) {
        engine.refuseCall(transport, message);
    }

    @Override
    public int activeCalls() {
        return engine.activeCalls();
    }

    @Override
    public void shutdown(Duration drain) {
        shutDown = true;
        try {
            engine.shutdown(drain);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
