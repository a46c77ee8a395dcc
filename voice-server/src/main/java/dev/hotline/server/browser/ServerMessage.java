package dev.hotline.server.browser;

import java.util.Objects;

/**
 * A control message the server sends to the browser page over {@code /browser-stream} (a JSON text frame).
 * Encoded by {@link BrowserControlCodec#encode}.
 */
public sealed interface ServerMessage {

    /**
     * Echo {@code name} back once all audio sent before this message has played (or was cleared).
     *
     * @param name the mark's name; not blank
     */
    record Mark(String name) implements ServerMessage {
        public Mark {
            requireText(name, "name");
        }
    }

    /** Drop all audio not yet played, at once, and echo every mark still pending. */
    record Clear() implements ServerMessage {
    }

    /**
     * A line of the conversation to show.
     *
     * @param who {@link #CALLER} or {@link #PERSONA}
     * @param text what was said (the caller's words as transcribed, the persona's as heard); not blank
     */
    record Caption(String who, String text) implements ServerMessage {
        /** The person on the phone. */
        public static final String CALLER = "caller";
        /** The hotline's persona. */
        public static final String PERSONA = "persona";

        public Caption {
            if (!CALLER.equals(who) && !PERSONA.equals(who)) {
                throw new IllegalArgumentException("who must be 'caller' or 'persona', was " + who);
            }
            requireText(text, "text");
        }
    }

    /**
     * A turn finished.
     *
     * @param latencyMs voice-to-voice latency in milliseconds: end of the caller's speech to the first reply
     *     audio sent; {@code >= 0}
     */
    record Turn(long latencyMs) implements ServerMessage {
        public Turn {
            if (latencyMs < 0) {
                throw new IllegalArgumentException("latencyMs must be >= 0, was " + latencyMs);
            }
        }
    }

    /** The server ends the call; the socket closes right after. */
    record Hangup() implements ServerMessage {
    }

    private static void requireText(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
    }
}
