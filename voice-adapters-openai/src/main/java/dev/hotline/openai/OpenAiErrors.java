package dev.hotline.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.ProviderException;
import dev.hotline.core.ProviderException.Kind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;
import okhttp3.Headers;
import okhttp3.Response;

/**
 * Maps what an OpenAI-compatible server answered, or how the connection failed, to a
 * {@link ProviderException}: the adapters' boundary. Rules and real bodies: PROTOCOLS.md section 4.3 (from
 * openai-python {@code _base_client.py} and {@code _exceptions.py}).
 *
 * <p>Every message passes through {@link #redact}, so neither the configured key nor anything shaped like an
 * OpenAI key ({@code sk-...}, which OpenAI's own 401 message echoes half-masked) reaches a message.
 *
 * <p>Stateless apart from the key to redact; thread-safe.
 */
final class OpenAiErrors {

    static final String PROVIDER = "openai";

    /** openai-python {@code MAX_RETRY_AFTER_DELAY}: longer server waits are not honoured. */
    static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(120);
    /** The most of an error body read; real ones are a few hundred bytes. */
    static final int MAX_ERROR_BODY_BYTES = 16 * 1024;
    /** The most of the provider's own message repeated in ours. */
    private static final int MAX_PROVIDER_MESSAGE_CHARS = 300;
    /** Anything shaped like an OpenAI secret key, masked or not. */
    private static final Pattern KEY_LIKE = Pattern.compile("sk-[A-Za-z0-9*_\\-.]{3,}");

    private final ObjectMapper json;
    private final String apiKey;
    private final Clock clock;

    OpenAiErrors(ObjectMapper json, String apiKey, Clock clock) {
        this.json = json;
        this.apiKey = apiKey;
        this.clock = clock;
    }

    /**
     * Maps a non-2xx response; reads at most {@link #MAX_ERROR_BODY_BYTES} of its body.
     *
     * @param settingHint the setting(s) to check when the request itself was refused, e.g. the model's variable
     */
    RetryableFailure fromResponse(Response response, String settingHint) {
        int status = response.code();
        ErrorBody body = readErrorBody(response);
        Duration retryAfter = retryAfter(response.headers());
        Boolean shouldRetry = shouldRetry(response.headers());
        String detail = body.describe(status);
        Kind kind;
        String message;
        if (status == 401 || status == 403) {
            kind = Kind.AUTHENTICATION;
            message = apiKey == null
                    ? "the server requires an API key (" + detail + "): set " + OpenAiConfig.ENV_API_KEY
                    : "the API key was refused (" + detail + "): check " + OpenAiConfig.ENV_API_KEY
                            + (status == 403 ? " and that the account may use this model and region" : "");
        } else if (status == 429 && body.isQuota()) {
            kind = Kind.QUOTA_EXCEEDED;
            message = "the account is out of quota (" + detail + "): check the plan and billing of the key in "
                    + OpenAiConfig.ENV_API_KEY;
        } else if (status == 429) {
            kind = Kind.RATE_LIMITED;
            message = "rate limited (" + detail + ")";
        } else if (status == 408 || status == 409 || status >= 500) {
            kind = Kind.UNAVAILABLE;
            message = "the server is unavailable (" + detail + ")";
        } else if (status >= 400) {
            kind = Kind.INVALID_REQUEST;
            message = "the request was refused (" + detail + "): check " + settingHint;
        } else {
            kind = Kind.MALFORMED_RESPONSE;
            message = "unexpected HTTP status (" + detail + "): check " + OpenAiConfig.ENV_BASE_URL;
        }
        return new RetryableFailure(kind, redact(message), status, retryAfter, shouldRetry, null);
    }

    /**
     * Maps an {@code error} object sent inside a 200 event stream (openai-python {@code _streaming.py}
     * raises {@code APIError} for these).
     */
    RetryableFailure fromStreamError(JsonNode error) {
        ErrorBody body = ErrorBody.of(error);
        String detail = body.describe(0);
        Kind kind;
        if (body.isQuota()) {
            kind = Kind.QUOTA_EXCEEDED;
        } else if (body.is("rate_limit_exceeded") || body.is("rate_limit_error") || body.is("tokens")
                || body.is("requests")) {
            kind = Kind.RATE_LIMITED;
        } else if (body.is("invalid_api_key") || body.is("authentication_error")) {
            kind = Kind.AUTHENTICATION;
        } else if (body.is("invalid_request_error") || body.is("context_length_exceeded")) {
            kind = Kind.INVALID_REQUEST;
        } else {
            kind = Kind.UNAVAILABLE;
        }
        return new RetryableFailure(kind, redact("the stream reported an error (" + detail + ")"), 200, null,
                null, null);
    }

    /** Maps a failure of the connection or of reading the body (the call was not cancelled by us). */
    RetryableFailure fromIoException(IOException e, OpenAiConfig config) {
        String what = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (e instanceof SocketTimeoutException) {
            String message = e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("connect")
                    ? "could not connect within " + config.connectTimeout().toMillis() + " ms ("
                            + OpenAiConfig.ENV_CONNECT_TIMEOUT_MS + ")"
                    : "no data for " + config.readTimeout().toMillis() + " ms (" + OpenAiConfig.ENV_READ_TIMEOUT_MS
                            + ")";
            return new RetryableFailure(Kind.TIMEOUT, redact(message + ": " + what), 0, null, null, e);
        }
        if (e instanceof InterruptedIOException) {
            // OkHttp's call timeout: "timeout", thrown when callTimeout cancels the call.
            return new RetryableFailure(Kind.TIMEOUT, redact("the call took longer than "
                    + config.callTimeout().toMillis() + " ms (" + OpenAiConfig.ENV_CALL_TIMEOUT_MS + "): " + what),
                    0, null, null, e);
        }
        return new RetryableFailure(Kind.NETWORK, redact("network failure: " + what), 0, null, null, e);
    }

    /** A body that is not what the protocol promises. */
    RetryableFailure malformed(String message, Throwable cause) {
        return new RetryableFailure(Kind.MALFORMED_RESPONSE, redact(message), 200, null, null, cause);
    }

    /**
     * The server's requested wait: {@code retry-after-ms} (milliseconds, OpenAI's own), else
     * {@code retry-after} (seconds, fractional allowed, or an HTTP-date). Honoured only if
     * 0 &lt; wait &lt;= {@link #MAX_RETRY_AFTER}, as openai-python does; otherwise {@code null}.
     */
    Duration retryAfter(Headers headers) {
        Duration wait = null;
        String millis = headers.get("retry-after-ms");
        if (millis != null) {
            wait = parseSeconds(millis.strip(), 1_000);
        }
        String after = headers.get("retry-after");
        if (wait == null && after != null) {
            wait = parseSeconds(after.strip(), 1);
            if (wait == null) {
                wait = parseHttpDate(after.strip());
            }
        }
        if (wait == null || wait.isNegative() || wait.isZero() || wait.compareTo(MAX_RETRY_AFTER) > 0) {
            return null;
        }
        return wait;
    }

    /** Removes the configured key and anything key-shaped from {@code text}. */
    String redact(String text) {
        String result = text;
        if (apiKey != null && !apiKey.isEmpty()) {
            result = result.replace(apiKey, "[redacted]");
        }
        return KEY_LIKE.matcher(result).replaceAll("sk-[redacted]");
    }

    private static Boolean shouldRetry(Headers headers) {
        String value = headers.get("x-should-retry");
        if ("true".equalsIgnoreCase(value)) {
            return Boolean.TRUE;
        }
        if ("false".equalsIgnoreCase(value)) {
            return Boolean.FALSE;
        }
        return null;
    }

    /** {@code value} units per second: 1000 for milliseconds, 1 for seconds. */
    private static Duration parseSeconds(String value, int perSecond) {
        try {
            double number = Double.parseDouble(value);
            if (!Double.isFinite(number)) {
                return null;
            }
            return Duration.ofNanos((long) (number / perSecond * 1e9));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private Duration parseHttpDate(String value) {
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return Duration.between(clock.instant(), at);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private ErrorBody readErrorBody(Response response) {
        String text;
        try {
            text = response.peekBody(MAX_ERROR_BODY_BYTES).string();
        } catch (IOException e) {
            return ErrorBody.EMPTY;
        }
        if (text.isBlank()) {
            return ErrorBody.EMPTY;
        }
        try {
            JsonNode root = json.readTree(text);
            JsonNode error = root == null ? null : root.get("error");
            if (error != null && error.isObject()) {
                return ErrorBody.of(error);
            }
            if (error != null && error.isTextual()) {
                // Some compatible servers (Ollama) answer {"error":"message"}.
                return new ErrorBody(error.asText(), null, null);
            }
            return ErrorBody.EMPTY;
        } catch (IOException e) {
            // Not JSON: a proxy's HTML page or plain text. Keep its start as the message.
            return new ErrorBody(text.strip(), null, null);
        }
    }

    /** The fields of OpenAI's {@code {"error": {...}}} object that decide and explain a failure. */
    private record ErrorBody(String message, String type, String code) {
        static final ErrorBody EMPTY = new ErrorBody(null, null, null);

        static ErrorBody of(JsonNode error) {
            return new ErrorBody(text(error, "message"), text(error, "type"), text(error, "code"));
        }

        private static String text(JsonNode node, String field) {
            JsonNode value = node.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }

        boolean isQuota() {
            return is("insufficient_quota");
        }

        boolean is(String codeOrType) {
            return codeOrType.equals(code) || codeOrType.equals(type);
        }

        String describe(int status) {
            StringBuilder out = new StringBuilder();
            if (status > 0) {
                out.append("HTTP ").append(status);
            }
            String label = code != null ? code : type;
            if (label != null) {
                out.append(out.isEmpty() ? "" : " ").append(label);
            }
            if (message != null && !message.isBlank()) {
                String shortened = message.length() > MAX_PROVIDER_MESSAGE_CHARS
                        ? message.substring(0, MAX_PROVIDER_MESSAGE_CHARS) + "..."
                        : message;
                out.append(out.isEmpty() ? "" : ": ").append(shortened);
            }
            return out.isEmpty() ? "no details" : out.toString();
        }
    }

    /**
     * A mapped failure that also carries the server's {@code x-should-retry} verdict, which overrides the kind's
     * own retryability for this one response (openai-python {@code _should_retry}), so that
     * {@link dev.hotline.core.RetryPolicy} follows it.
     */
    static final class RetryableFailure extends ProviderException {
        private static final long serialVersionUID = 1L;

        private final Boolean shouldRetry;

        RetryableFailure(Kind kind, String message, int httpStatus, Duration retryAfter, Boolean shouldRetry,
                Throwable cause) {
            super(PROVIDER, kind, message, httpStatus, retryAfter, cause);
            this.shouldRetry = shouldRetry;
        }

        /** Whether to send the request again: the server's {@code x-should-retry} if given, else the kind's. */
        @Override
        public boolean retryable() {
            return shouldRetry != null ? shouldRetry : super.retryable();
        }
    }
}
