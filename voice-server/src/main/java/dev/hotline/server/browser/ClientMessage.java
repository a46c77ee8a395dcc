package dev.hotline.server.browser;

import java.util.Objects;

/**
 * A control message the browser page sends over {@code /browser-stream} (a JSON text frame). Audio travels
 * separately, in binary frames. Decoded by {@link BrowserControlCodec#decode}.
 */
public sealed interface ClientMessage {

    /**
     * The caller pressed Call: the media starts. The first control message of every call, sent once.
     *
     * @param persona the persona the page shows, or {@code null}; passed to the call as a parameter
     */
    record Start(String persona) implements ClientMessage {
    }

    /**
     * The page played (or, on a clear, discarded) everything sent before the mark called {@code name}.
     *
     * @param name the name the server gave the mark; not blank
     */
    record MarkPlayed(String name) implements ClientMessage {
        public MarkPlayed {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("mark name must not be blank");
            }
        }
    }

    /** The caller pressed Hang up. The last message of a call. */
    record Stop() implements ClientMessage {
    }
}
