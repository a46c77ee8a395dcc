package dev.hotline.elevenlabs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.ProviderException;
import dev.hotline.core.ProviderException.Kind;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Maps ElevenLabs' error answers to {@link ProviderException}s (PROTOCOLS.md 5.3). Bodies are
 * {@code {"detail":{"status":code,"message":text}}}, or for 422 {@code {"detail":[{"loc","msg","type"}]}};
 * WebSocket error frames are {@code {"message":text,"error":code,"code":closeCode}}.
 *
 * <p>Every message is scrubbed of the API key, in case a provider or proxy ever echoes it.
 */
final class ElevenLabsErrors {

    /** Provider name on every exception. */
    static final String PROVIDER = "elevenlabs";
    /** Longest provider text quoted in a message, in characters. */
    private static final int MAX_QUOTED = 300;

    private final ObjectMapper json;
    private final String apiKey;

    ElevenLabsErrors(ObjectMapper json, String apiKey) {
        this.json = json;
        this.apiKey = apiKey;
    }

    /** The exception for an HTTP answer other than 2xx (also a refused WebSocket handshake). */
    ProviderException fromHttp(int status, String body, String retryAfterHeader) {
        Detail detail = parse(body);
        Duration retryAfter = parseRetryAfter(retryAfterHeader);
        String said = detail.text();
        if ("quota_exceeded".equals(detail.code())) {
            return exception(Kind.QUOTA_EXCEEDED, status, retryAfter,
                    "HTTP " + status + " quota_exceeded: the account is out of credits (" + said + ")");
        }
        if ("voice_not_found".equals(detail.code())) {
            return exception(Kind.INVALID_REQUEST, status, retryAfter,
                    "HTTP " + status + " voice_not_found (" + said + "): check ELEVENLABS_VOICE_ID");
        }
        if ("max_character_limit_exceeded".equals(detail.code())) {
            return exception(Kind.INVALID_REQUEST, status, retryAfter,
                    "HTTP " + status + " max_character_limit_exceeded (" + said + "): send shorter pieces");
        }
        return switch (status) {
            case 401, 403 -> exception(Kind.AUTHENTICATION, status, retryAfter, "HTTP " + status + " "
                    + (detail.code() == null ? "" : detail.code() + " ") + "(" + said + "): check ELEVENLABS_API_KEY");
            case 429 -> exception(Kind.RATE_LIMITED, status, retryAfter, "HTTP 429 "
                    + (detail.code() == null ? "" : detail.code() + " ") + "(" + said + ")");
            case 404 -> exception(Kind.INVALID_REQUEST, status, retryAfter,
                    "HTTP 404 (" + said + "): check ELEVENLABS_VOICE_ID and ELEVENLABS_MODEL");
            case 408, 409 -> exception(Kind.UNAVAILABLE, status, retryAfter, "HTTP " + status + " (" + said + ")");
            default -> {
                if (status >= 500) {
                    yield exception(Kind.UNAVAILABLE, status, retryAfter, "HTTP " + status + " (" + said + ")");
                }
                yield exception(Kind.INVALID_REQUEST, status, retryAfter, "HTTP " + status + " invalid request ("
                        + said + ")");
            }
        };
    }

    /** The exception for a WebSocket error frame, or {@code null} if {@code frame} is not one. */
    ProviderException fromErrorFrame(JsonNode frame) {
        JsonNode error = frame.get("error");
        if (error == null || error.isNull()) {
            return null;
        }
        String code = error.isTextual() ? error.asText() : error.toString();
        String message = frame.path("message").asText("");
        int closeCode = frame.path("code").asInt(0);
        String lower = code.toLowerCase(Locale.ROOT);
        Kind kind;
        String hint = "";
        if (lower.contains("quota")) {
            kind = Kind.QUOTA_EXCEEDED;
        } else if (lower.contains("api_key") || lower.contains("auth")) {
            kind = Kind.AUTHENTICATION;
            hint = ": check ELEVENLABS_API_KEY";
        } else if (lower.contains("timeout")) {
            kind = Kind.TIMEOUT;
        } else if (lower.contains("concurrent") || lower.contains("busy") || lower.contains("rate")) {
            kind = Kind.RATE_LIMITED;
        } else if (lower.contains("invalid") || lower.contains("not_found")) {
            kind = Kind.INVALID_REQUEST;
        } else {
            kind = Kind.UNAVAILABLE;
        }
        return exception(kind, 0, null, "stream-input error " + code
                + (closeCode == 0 ? "" : " (close " + closeCode + ")") + ": " + quote(message) + hint);
    }

    /** An exception of {@code kind} with a scrubbed {@code message}. */
    ProviderException exception(Kind kind, String message, Throwable cause) {
        return new ProviderException(PROVIDER, kind, scrub(message), 0, null, cause);
    }

    private ProviderException exception(Kind kind, int status, Duration retryAfter, String message) {
        return new ProviderException(PROVIDER, kind, scrub(message), status, retryAfter, null);
    }

    String scrub(String text) {
        if (text == null || apiKey == null || apiKey.isEmpty()) {
            return text;
        }
        return text.replace(apiKey, "***");
    }

    private Detail parse(String body) {
        if (body == null || body.isBlank()) {
            return new Detail(null, "empty body");
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            return new Detail(null, quote(body));
        }
        JsonNode detail = root.path("detail");
        if (detail.isObject()) {
            String code = textOrNull(detail.get("status"));
            if (code == null) {
                code = textOrNull(detail.get("code"));
            }
            String message = textOrNull(detail.get("message"));
            return new Detail(code, message == null ? quote(detail.toString()) : quote(message));
        }
        if (detail.isArray()) {
            List<String> problems = new ArrayList<>();
            for (JsonNode item : detail) {
                List<String> loc = new ArrayList<>();
                item.path("loc").forEach(part -> loc.add(part.asText()));
                problems.add(String.join(".", loc) + ": " + item.path("msg").asText("?")
                        + (item.hasNonNull("type") ? " (" + item.get("type").asText() + ")" : ""));
            }
            return new Detail(null, quote(String.join("; ", problems)));
        }
        if (detail.isTextual()) {
            return new Detail(null, quote(detail.asText()));
        }
        return new Detail(null, quote(body));
    }

    private static String textOrNull(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }

    private static String quote(String text) {
        String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= MAX_QUOTED ? oneLine : oneLine.substring(0, MAX_QUOTED) + "...";
    }

    private static Duration parseRetryAfter(String header) {
        if (header == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(header.strip());
            return seconds >= 0 ? Duration.ofSeconds(seconds) : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** What an error body said: the provider's code (e.g. {@code quota_exceeded}) if any, and its text. */
    private record Detail(String code, String text) {
    }
}
