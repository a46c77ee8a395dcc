package dev.hotline.server.browser;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallObserver;
import dev.hotline.core.Persona;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Forwards what the engine reports about browser calls to their pages: the greeting and each turn's words
 * as captions, and each turn's voice-to-voice latency. Events of other calls (phone calls) are ignored.
 *
 * <p><b>Lifecycle.</b> One per server, added to the engine's observers. The routes {@link #register} a
 * browser call's transport when its socket opens and {@link #unregister} it when the socket closes; the
 * relay holds nothing else per call.
 *
 * <p><b>Threading.</b> Thread-safe. {@link #onEvent} only queues control frames on the transport, which
 * never blocks.
 */
public final class BrowserCallRelay implements CallObserver {

    private final Persona persona;
    private final Map<String, BrowserCallTransport> calls = new ConcurrentHashMap<>();

    /** @param persona the persona the engine speaks as; its greeting is the first caption of every call */
    public BrowserCallRelay(Persona persona) {
        this.persona = Objects.requireNonNull(persona, "persona");
    }

    /** Starts forwarding the events of {@code transport}'s call. */
    void register(BrowserCallTransport transport) {
        calls.put(transport.callId(), transport);
    }

    /** Stops forwarding the events of the call {@code callId}. */
    void unregister(String callId) {
        calls.remove(callId);
    }

    /** Browser calls whose events are being forwarded. */
    int registeredCalls() {
        return calls.size();
    }

    @Override
    public void onEvent(CallEvent event) {
        BrowserCallTransport transport = calls.get(event.callId());
        if (transport == null) {
            return;
        }
        switch (event) {
            case CallEvent.CallStarted ignored ->
                    transport.sendCaption(ServerMessage.Caption.PERSONA, persona.greeting());
            case CallEvent.TurnCompleted turn -> {
                if (turn.transcript() != null && !turn.transcript().isBlank()) {
                    transport.sendCaption(ServerMessage.Caption.CALLER, turn.transcript());
                }
                if (turn.reply() != null && !turn.reply().isBlank()) {
                    transport.sendCaption(ServerMessage.Caption.PERSONA, turn.reply());
                }
                Duration latency = turn.timings() == null ? null : turn.timings().voiceToVoice();
                if (latency != null && !latency.isNegative()) {
                    transport.sendTurnLatency(latency.toMillis());
                }
            }
            case CallEvent.CallEnded ignored -> calls.remove(event.callId());
            default -> {
                // Other events (state changes, usage, errors) are not shown on the page.
            }
        }
    }
}
