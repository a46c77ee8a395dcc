package dev.hotline.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A speech or language provider failed. Adapters map their vendor's errors to one of these at their
 * boundary, so the engine decides what to do from {@link #kind()} alone: retry, fall back, or apologise.
 *
 * <p>Messages name the setting to fix where there is one and never contain a secret.
 */
public class ProviderException extends IOException {

    /** What went wrong, as far as deciding what to do next is concerned. */
    public enum Kind {
        /** The credentials were refused (401/403). Permanent: fix the key. */
        AUTHENTICATION(false),
        /** The account is out of quota or credit. Permanent until someone pays. */
        QUOTA_EXCEEDED(false),
        /** The request itself was refused (400, 404, 422): a wrong model, voice or parameter. Permanent. */
        INVALID_REQUEST(false),
        /** Too many requests or too many at once (429). Retry, after {@link #retryAfter()} if given. */
        RATE_LIMITED(true),
        /** The provider is down or overloaded (5xx, 408, 409). Retry with backoff. */
        UNAVAILABLE(true),
        /** Connecting, the first byte or the whole call took too long. Retry if the budget allows. */
        TIMEOUT(true),
        /** The connection failed or was reset. Retry. */
        NETWORK(true),
        /** The provider answered with something that is not what its protocol promises (truncated, not JSON). */
        MALFORMED_RESPONSE(true);

        private final boolean retryable;

        Kind(boolean retryable) {
            this.retryable = retryable;
        }

        /** Whether the same request may succeed if sent again. */
        public boolean retryable() {
            return retryable;
        }
    }

    private final String provider;
    private final Kind kind;
    private final Duration retryAfter;
    private final int httpStatus;

    /**
     * @param provider short provider name for logs and events, e.g. {@code "openai"}
     * @param kind what went wrong
     * @param message a clear message without secrets
     * @param httpStatus the HTTP status the provider answered with, or 0 if none
     * @param retryAfter how long the provider asked us to wait, or {@code null}
     * @param cause the underlying exception, or {@code null}
     */
    public ProviderException(String provider, Kind kind, String message, int httpStatus, Duration retryAfter,
            Throwable cause) {
        super(provider + ": " + message, cause);
        this.provider = Objects.requireNonNull(provider, "provider");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    /** Shorthand for a failure with no HTTP status, retry hint or cause. */
    public ProviderException(String provider, Kind kind, String message) {
        this(provider, kind, message, 0, null, null);
    }

    /** The provider's short name. */
    public String provider() {
        return provider;
    }

    /** What went wrong. */
    public Kind kind() {
        return kind;
    }

    /** Whether sending the same request again may succeed. */
    public boolean retryable() {
        return kind.retryable();
    }

    /** The wait the provider asked for (Retry-After and the like), if it asked. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /** The HTTP status the provider answered with, or 0 if the failure had none. */
    public int httpStatus() {
        return httpStatus;
    }
}
