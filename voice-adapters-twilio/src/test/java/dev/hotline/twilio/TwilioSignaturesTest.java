package dev.hotline.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TwilioSignaturesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<Arguments> publishedVectors() throws Exception {
        JsonNode root = JSON.readTree(SharedFixtures.read("signature_vectors.json"));
        List<Arguments> vectors = new ArrayList<>();
        for (JsonNode vector : root.get("vectors")) {
            vectors.add(Arguments.of(vector.get("name").asText(), vector));
        }
        return vectors.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("publishedVectors")
    void given_a_published_vector_when_validated_then_accepted_and_a_tampered_copy_rejected(String name,
            JsonNode vector) {
        var signatures = new TwilioSignatures(vector.get("authToken").asText());
        String url = vector.get("url").asText();
        String signature = vector.get("expectedSignature").asText();
        Map<String, List<String>> params = params(vector);

        assertThat(signatures.validWebhook(url, params, signature)).as(name).isTrue();

        assertThat(signatures.validWebhook(url + "x", params, signature)).as("tampered URL").isFalse();
        Map<String, List<String>> extra = new LinkedHashMap<>(params);
        extra.put("Injected", List.of("1"));
        assertThat(signatures.validWebhook(url, extra, signature)).as("added parameter").isFalse();
        assertThat(new TwilioSignatures("54321").validWebhook(url, params, signature)).as("other token").isFalse();
    }

    @Test
    void given_the_ports_rules_then_the_sdk_accepts_the_url_with_or_without_the_default_port() throws Exception {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (JsonNode vector : JSON.readTree(SharedFixtures.read("signature_vectors.json")).get("vectors")) {
            byName.put(vector.get("name").asText(), vector);
        }
        var signatures = new TwilioSignatures("12345");
        JsonNode with443 = byName.get("https_with_explicit_443");
        assertThat(signatures.validWebhook("https://mycompany.com/myapp.php?foo=1&bar=2", params(with443),
                with443.get("expectedSignature").asText())).isTrue();
        JsonNode with80 = byName.get("http_with_explicit_80");
        assertThat(signatures.validWebhook("http://mycompany.com/myapp.php?foo=1&bar=2", params(with80),
                with80.get("expectedSignature").asText())).isTrue();
    }

    @Test
    void given_the_websocket_upgrade_then_the_wss_url_is_accepted_with_and_without_a_trailing_slash()
            throws Exception {
        var signatures = new TwilioSignatures("12345");
        String bare = sign("12345", "wss://hotline.example.org/voice-stream");
        String slashed = sign("12345", "wss://hotline.example.org/voice-stream/");

        assertThat(signatures.validWebSocketUpgrade("wss://hotline.example.org/voice-stream", bare)).isTrue();
        assertThat(signatures.validWebSocketUpgrade("wss://hotline.example.org/voice-stream", slashed)).isTrue();
        assertThat(signatures.validWebSocketUpgrade("wss://hotline.example.org/voice-stream/", bare)).isTrue();
    }

    @Test
    void given_forged_websocket_signatures_then_rejected() throws Exception {
        var signatures = new TwilioSignatures("12345");
        String url = "wss://hotline.example.org/voice-stream";
        assertThat(signatures.validWebSocketUpgrade(url, sign("wrong-token", url))).isFalse();
        assertThat(signatures.validWebSocketUpgrade(url, sign("12345", "wss://evil.example.org/voice-stream")))
                .isFalse();
        assertThat(signatures.validWebSocketUpgrade(url, sign("12345", "https://hotline.example.org/voice-stream")))
                .isFalse();
        assertThat(signatures.validWebSocketUpgrade(url, null)).isFalse();
        assertThat(signatures.validWebSocketUpgrade(url, "")).isFalse();
        assertThat(signatures.validWebSocketUpgrade(url, "not base64 at all")).isFalse();
    }

    @Test
    void given_the_computed_wss_fixture_then_accepted() throws Exception {
        for (JsonNode vector : JSON.readTree(SharedFixtures.read("signature_vectors.json")).get("vectors")) {
            if (vector.get("url").asText().startsWith("wss://")) {
                assertThat(new TwilioSignatures(vector.get("authToken").asText())
                        .validWebSocketUpgrade(vector.get("url").asText(), vector.get("expectedSignature").asText()))
                        .isTrue();
            }
        }
    }

    @Test
    void given_a_missing_webhook_signature_then_rejected() {
        var signatures = new TwilioSignatures("12345");
        assertThat(signatures.validWebhook("https://example.com/voice", Map.of(), null)).isFalse();
    }

    @Test
    void given_a_blank_token_then_refused() {
        assertThatThrownBy(() -> new TwilioSignatures(" ")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("authToken");
    }

    private static Map<String, List<String>> params(JsonNode vector) {
        Map<String, List<String>> params = new LinkedHashMap<>();
        JsonNode single = vector.get("params");
        if (single != null && single.isObject()) {
            single.properties().forEach(e -> {
                List<String> values = new ArrayList<>();
                values.add(e.getValue().isNull() ? null : e.getValue().asText());
                params.put(e.getKey(), values);
            });
        }
        JsonNode multi = vector.get("paramsMulti");
        if (multi != null && multi.isArray()) {
            for (JsonNode pair : multi) {
                params.computeIfAbsent(pair.get(0).asText(), k -> new ArrayList<>()).add(pair.get(1).asText());
            }
        }
        return params;
    }

    /** Self-made signatures for URLs no published vector covers, computed as Twilio documents it. */
    private static String sign(String token, String url) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        return Base64.getEncoder().encodeToString(mac.doFinal(url.getBytes(StandardCharsets.UTF_8)));
    }
}
