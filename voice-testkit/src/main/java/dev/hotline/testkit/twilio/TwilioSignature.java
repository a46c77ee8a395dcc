package dev.hotline.testkit.twilio;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes {@code X-Twilio-Signature} the way Twilio signs its requests: Base64 of HMAC-SHA1, keyed with
 * the auth token, over the full URL followed by every POST parameter's name and value, names in ordinal
 * (case-sensitive) order. A WebSocket handshake has no parameters, so it signs the {@code wss://} URL alone.
 *
 * <p>Stateless and thread-safe. The auth token never appears in an exception message.
 */
public final class TwilioSignature {

    private static final String HMAC_SHA1 = "HmacSHA1";

    private TwilioSignature() {
    }

    /**
     * Signs {@code url} and single-valued {@code params}; a null value counts as an empty string.
     *
     * @throws IllegalArgumentException if the token is empty
     */
    public static String compute(String authToken, String url, Map<String, String> params) {
        Map<String, List<String>> multi = new TreeMap<>();
        params.forEach((name, value) -> multi.put(name, List.of(value == null ? "" : value)));
        return computeMulti(authToken, url, multi);
    }

    /**
     * Signs {@code url} and parameters that may repeat: names in ordinal order, each name's distinct values
     * in ordinal order, each appended as name + value (what twilio-python does with repeated form fields).
     */
    public static String computeMulti(String authToken, String url, Map<String, List<String>> params) {
        if (authToken == null || authToken.isEmpty()) {
            throw new IllegalArgumentException("authToken must not be empty");
        }
        StringBuilder data = new StringBuilder(url);
        for (Map.Entry<String, List<String>> entry : new TreeMap<>(params).entrySet()) {
            for (String value : new TreeSet<>(entry.getValue())) {
                data.append(entry.getKey()).append(value);
            }
        }
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(authToken.getBytes(StandardCharsets.UTF_8), HMAC_SHA1));
            return Base64.getEncoder().encodeToString(mac.doFinal(data.toString().getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA1 is unavailable in this JDK", e);
        }
    }

    /** Signs a WebSocket handshake to {@code wssUrl}: the URL alone, no parameters. */
    public static String forHandshake(String authToken, String wssUrl) {
        return compute(authToken, wssUrl, Map.of());
    }
}
