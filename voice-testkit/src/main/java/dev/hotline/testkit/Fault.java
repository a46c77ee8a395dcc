package dev.hotline.testkit;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A failure a fake provider injects into one request, the way the real service fails.
 *
 * <p>Faults are immutable values, queued on a fake with its {@code failNext...} methods and consumed by
 * the next matching request. "Events" are the units a fake streams: SSE chunks for chat, audio chunks for
 * text-to-speech.
 */
public sealed interface Fault {

    /** Answers with {@code status}, the given headers and a JSON body, instead of the normal response. */
    record HttpError(int status, Map<String, String> headers, String body) implements Fault {
        public HttpError {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("status must be 4xx or 5xx, was " + status);
            }
            headers = Map.copyOf(headers);
            Objects.requireNonNull(body, "body");
        }
    }

    /** Streams {@code afterEvents} events, then sends nothing for {@code duration}, then drops the connection. */
    record Stall(int afterEvents, Duration duration) implements Fault {
        public Stall {
            requireEvents(afterEvents);
            if (duration.isNegative() || duration.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("stall must be between 0 and 5 minutes, was " + duration);
            }
        }
    }

    /** Streams {@code afterEvents} events, then one that the client cannot parse, then ends normally. */
    record Malformed(int afterEvents) implements Fault {
        public Malformed {
            requireEvents(afterEvents);
        }
    }

    /** Streams {@code afterEvents} events, then closes the TCP connection without finishing the response. */
    record Reset(int afterEvents) implements Fault {
        public Reset {
            requireEvents(afterEvents);
        }
    }

    /**
     * Streams {@code afterEvents} events, then ends the response as if it were complete (no terminator:
     * no {@code [DONE]}, no {@code isFinal}). The hardest failure to notice.
     */
    record Truncate(int afterEvents) implements Fault {
        public Truncate {
            requireEvents(afterEvents);
        }
    }

    private static void requireEvents(int afterEvents) {
        if (afterEvents < 0) {
            throw new IllegalArgumentException("afterEvents must be >= 0, was " + afterEvents);
        }
    }
}
