package dev.hotline.testkit.twilio;

import static dev.hotline.testkit.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TwilioSignatureTest {

    @Test
    void givenEveryPublishedVector_whenSigning_thenTheSignatureMatches() throws IOException {
        JsonNode vectors = new ObjectMapper().readTree(fixture("twilio/signature_vectors.json").toFile()).path("vectors");
        assertThat(vectors.size()).isGreaterThanOrEqualTo(20);
        for (JsonNode vector : vectors) {
            String token = vector.path("authToken").asText();
            String url = vector.path("url").asText();
            String signature;
            if (vector.has("paramsMulti")) {
                List<Map.Entry<String, String>> pairs = new ArrayList<>();
                vector.path("paramsMulti").forEach(pair -> pairs.add(
                        new AbstractMap.SimpleEntry<>(pair.get(0).asText(), pair.get(1).asText())));
                signature = TwilioSignature.computeMulti(token, url, group(pairs));
            } else {
                Map<String, String> params = new LinkedHashMap<>();
                vector.path("params").properties().forEach(e ->
                        params.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
                signature = TwilioSignature.compute(token, url, params);
            }
            assertThat(signature).as(vector.path("name").asText()).isEqualTo(vector.path("expectedSignature").asText());
        }
    }

    @Test
    void givenAWebSocketUrl_whenSigningTheHandshake_thenOnlyTheUrlIsSigned() {
        assertThat(TwilioSignature.forHandshake("12345", "wss://example.com/twilio-media"))
                .isEqualTo(TwilioSignature.compute("12345", "wss://example.com/twilio-media", Map.of()))
                .isNotEqualTo(TwilioSignature.forHandshake("12345", "wss://example.com/twilio-media/"));
    }

    @Test
    void givenAnEmptyToken_whenSigning_thenTheErrorSaysSoWithoutEchoingSecrets() {
        assertThatThrownBy(() -> TwilioSignature.forHandshake("", "wss://x/y"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("authToken must not be empty");
    }

    private static Map<String, List<String>> group(List<Map.Entry<String, String>> pairs) {
        Map<String, List<String>> grouped = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs) {
            grouped.computeIfAbsent(pair.getKey(), k -> new ArrayList<>()).add(pair.getValue());
        }
        return grouped;
    }
}
