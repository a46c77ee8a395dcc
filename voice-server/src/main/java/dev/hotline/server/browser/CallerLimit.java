package dev.hotline.server.browser;

import java.util.Optional;

/**
 * Per-caller call limits as the browser routes need them: a browser caller is keyed by its IP address.
 *
 * <p>Thread-safe. Every admission returned must be closed exactly once, when the call's socket closes.
 */
@FunctionalInterface
public interface CallerLimit {

    /**
     * Admits one more call from {@code callerKey}, or refuses it.
     *
     * @return the admission to close when the call ends, or empty if the caller is over a limit
     */
    Optional<Admission> tryAdmit(String callerKey);

    /** One admitted call; closing it gives its place back. Idempotent. */
    interface Admission extends AutoCloseable {
        @Override
        void close();
    }
}
