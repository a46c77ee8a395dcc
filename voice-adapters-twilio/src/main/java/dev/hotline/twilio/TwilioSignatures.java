package dev.hotline.twilio;

import com.twilio.security.RequestValidator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Checks {@code X-Twilio-Signature} with the Twilio SDK's {@link RequestValidator}: HMAC-SHA1 over the URL
 * Twilio requested plus the sorted form parameters, keyed with the account's auth token.
 *
 * <p>Webhooks ({@link #validWebhook}): the URL as Twilio called it, with its query string, and every form
 * parameter received; the SDK also tries the URL with and without the scheme's default port.
 *
 * <p>The Media Stream WebSocket upgrade ({@link #validWebSocketUpgrade}): a GET with no form body, signed over
 * the {@code wss://} URL alone (the header arrives lowercase, {@code x-twilio-signature}). Twilio's docs advise
 * trying the URL with a trailing {@code /} as well, so both forms are accepted.
 *
 * <p>Immutable and thread-safe. The token is never exposed or logged.
 */
public final class TwilioSignatures {

    /** The header Twilio signs requests with; on the WebSocket upgrade it arrives in lowercase. */
    public static final String HEADER = "X-Twilio-Signature";

    private final RequestValidator validator;

    /** @param authToken the account's (primary) auth token; must not be blank */
    public TwilioSignatures(String authToken) {
        Objects.requireNonNull(authToken, "authToken");
        if (authToken.isBlank()) {
            throw new IllegalArgumentException("authToken must not be blank");
        }
        this.validator = new RequestValidator(authToken);
    }

    /**
     * Whether {@code signature} signs a webhook request.
     *
     * @param url the full URL Twilio requested, with its query string
     * @param formParameters every form parameter of the body; a name may carry several values
     * @param signature the header's value, or {@code null} if it was missing (never valid)
     */
    public boolean validWebhook(String url, Map<String, List<String>> formParameters, String signature) {
        Objects.requireNonNull(url, "url");
        if (signature == null || signature.isBlank()) {
            return false;
        }
        return validator.validate(url, singleValued(formParameters), signature);
    }

    /**
     * Whether {@code signature} signs the Media Stream WebSocket upgrade.
     *
     * @param wssUrl the socket's public URL, {@code wss://host/voice-stream}
     * @param signature the {@code x-twilio-signature} header's value, or {@code null} if missing
     */
    public boolean validWebSocketUpgrade(String wssUrl, String signature) {
        Objects.requireNonNull(wssUrl, "wssUrl");
        if (signature == null || signature.isBlank()) {
            return false;
        }
        String other = wssUrl.endsWith("/") ? wssUrl.substring(0, wssUrl.length() - 1) : wssUrl + "/";
        return validator.validate(wssUrl, Map.of(), signature) || validator.validate(other, Map.of(), signature);
    }

    /**
     * The SDK signs {@code name + value} for each name in sorted order, one value per name. For a name with
     * several values, Twilio's other SDKs sign {@code name + value} for each distinct value in sorted order;
     * folding the later pairs into the first value ({@code v1 + name + v2 + ...}) yields exactly that string.
     */
    private static Map<String, String> singleValued(Map<String, List<String>> parameters) {
        Map<String, String> single = new TreeMap<>();
        parameters.forEach((name, values) -> {
            TreeSet<String> distinct = new TreeSet<>();
            for (String value : values) {
                distinct.add(value == null ? "" : value);
            }
            single.put(name, distinct.isEmpty() ? "" : String.join(name, distinct));
        });
        return single;
    }
}
