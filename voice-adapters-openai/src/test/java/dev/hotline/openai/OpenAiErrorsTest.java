package dev.hotline.openai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import okhttp3.Headers;
import org.junit.jupiter.api.Test;

class OpenAiErrorsTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final String KEY = "sk-proj-RETRYTESTKEY0123456789";

    private final OpenAiErrors errors =
            new OpenAiErrors(new ObjectMapper(), KEY, Clock.fixed(NOW, ZoneOffset.UTC));

    private Duration retryAfter(String... namesAndValues) {
        return errors.retryAfter(Headers.of(namesAndValues));
    }

    @Test
    void givenRetryAfterMs_whenRead_thenItWinsOverRetryAfter() {
        assertThat(retryAfter("retry-after-ms", "250", "retry-after", "30")).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void givenFractionalRetryAfterMs_whenRead_thenSubMillisecondPrecisionIsKept() {
        assertThat(retryAfter("retry-after-ms", "6.5")).isEqualTo(Duration.ofNanos(6_500_000));
    }

    @Test
    void givenRetryAfterSeconds_whenRead_thenSecondsAreUsed() {
        assertThat(retryAfter("retry-after", "2")).isEqualTo(Duration.ofSeconds(2));
        assertThat(retryAfter("retry-after", "0.5")).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void givenRetryAfterHttpDate_whenRead_thenTheWaitUntilThenIsUsed() {
        assertThat(retryAfter("retry-after", "Tue, 24 Nov 2026 10:00:07 GMT")).isEqualTo(Duration.ofSeconds(7));
    }

    @Test
    void givenWaitsOutsideTheHonouredRange_whenRead_thenNoneIsHonoured() {
        assertThat(retryAfter("retry-after", "0")).isNull();
        assertThat(retryAfter("retry-after", "-3")).isNull();
        assertThat(retryAfter("retry-after", "121")).isNull();
        assertThat(retryAfter("retry-after", "Tue, 24 Nov 2026 09:59:00 GMT")).isNull();
        assertThat(retryAfter("retry-after", "soon")).isNull();
        assertThat(retryAfter("retry-after-ms", "NaN")).isNull();
        assertThat(retryAfter()).isNull();
    }

    @Test
    void givenTheLongestHonouredWait_whenRead_thenItIsKept() {
        assertThat(retryAfter("retry-after", "120")).isEqualTo(Duration.ofSeconds(120));
    }

    @Test
    void givenInvalidRetryAfterMs_whenRead_thenRetryAfterIsTheFallback() {
        assertThat(retryAfter("retry-after-ms", "x", "retry-after", "3")).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void givenTextWithTheKeyOrKeyShapedTokens_whenRedacted_thenNeitherRemains() {
        String redacted = errors.redact("key " + KEY + " and Incorrect API key provided: sk-VKMIs****wjh3.");

        assertThat(redacted).doesNotContain(KEY).doesNotContain("VKMIs").doesNotContain("wjh3");
        assertThat(redacted).contains("[redacted]");
    }

    @Test
    void givenCustomKeyNotShapedLikeOpenAis_whenRedacted_thenItIsRemovedToo() {
        OpenAiErrors groq = new OpenAiErrors(new ObjectMapper(), "gsk_CUSTOMSECRET", Clock.systemUTC());

        assertThat(groq.redact("bad key gsk_CUSTOMSECRET")).isEqualTo("bad key [redacted]");
    }
}
