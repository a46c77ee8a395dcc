package dev.hotline.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpenAiConfigTest {

    private static final String FAKE_KEY = "sk-test-CONFIGKEY-0123456789abcdef";

    @Test
    void givenEmptyEnvironmentWithKey_whenRead_thenOpenAiDefaultsApply() {
        OpenAiConfig config = OpenAiConfig.fromEnvironment(Map.of("OPENAI_API_KEY", FAKE_KEY));

        assertThat(config.baseUrl()).isEqualTo("https://api.openai.com/v1");
        assertThat(config.isOpenAi()).isTrue();
        assertThat(config.apiKey()).isEqualTo(FAKE_KEY);
        assertThat(config.chatModel()).isEqualTo("gpt-4o-mini");
        assertThat(config.transcribeModel()).isEqualTo("whisper-1");
        assertThat(config.maxTokens()).isZero();
        assertThat(config.temperature()).isNull();
        assertThat(config.callTimeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void givenEveryVariable_whenRead_thenEachIsApplied() {
        OpenAiConfig config = OpenAiConfig.fromEnvironment(Map.ofEntries(
                Map.entry("OPENAI_BASE_URL", "http://localhost:11434/v1/"),
                Map.entry("OPENAI_CHAT_MODEL", "llama3.2"),
                Map.entry("OPENAI_TRANSCRIBE_MODEL", "gpt-4o-mini-transcribe"),
                Map.entry("OPENAI_MAX_TOKENS", "150"),
                Map.entry("OPENAI_TEMPERATURE", "0.7"),
                Map.entry("OPENAI_TRANSCRIBE_TEMPERATURE", "0.2"),
                Map.entry("OPENAI_CONNECT_TIMEOUT_MS", "1000"),
                Map.entry("OPENAI_READ_TIMEOUT_MS", "2000"),
                Map.entry("OPENAI_CALL_TIMEOUT_MS", "3000")));

        assertThat(config.baseUrl()).isEqualTo("http://localhost:11434/v1");
        assertThat(config.apiKey()).isNull();
        assertThat(config.isOpenAi()).isFalse();
        assertThat(config.chatModel()).isEqualTo("llama3.2");
        assertThat(config.transcribeModel()).isEqualTo("gpt-4o-mini-transcribe");
        assertThat(config.maxTokens()).isEqualTo(150);
        assertThat(config.temperature()).isEqualTo(0.7);
        assertThat(config.transcribeTemperature()).isEqualTo(0.2);
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.readTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(config.callTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void givenKeyOrBaseUrl_whenAskedIfConfigured_thenEitherOneCounts() {
        assertThat(OpenAiConfig.isConfigured(Map.of())).isFalse();
        assertThat(OpenAiConfig.isConfigured(Map.of("OPENAI_API_KEY", " "))).isFalse();
        assertThat(OpenAiConfig.isConfigured(Map.of("OPENAI_API_KEY", FAKE_KEY))).isTrue();
        assertThat(OpenAiConfig.isConfigured(Map.of("OPENAI_BASE_URL", "http://localhost:11434/v1"))).isTrue();
    }

    @Test
    void givenOpenAiWithoutKey_whenRead_thenTheProblemNamesOpenAiApiKey() {
        assertThatThrownBy(() -> OpenAiConfig.fromEnvironment(Map.of()))
                .isInstanceOf(OpenAiConfig.InvalidConfigException.class)
                .hasMessageContaining("OPENAI_API_KEY");
    }

    @Test
    void givenCompatibleServerWithoutKey_whenConstructed_thenNoKeyIsNeeded() {
        OpenAiConfig config = OpenAiConfig.forServer("http://127.0.0.1:8080/v1", null);

        assertThat(config.hasApiKey()).isFalse();
        assertThat(config.isOpenAi()).isFalse();
    }

    @Test
    void givenBlankKey_whenConstructed_thenItCountsAsNone() {
        assertThat(OpenAiConfig.forServer("https://api.groq.com/openai/v1", "  ").apiKey()).isNull();
        assertThatThrownBy(() -> OpenAiConfig.openAi(" "))
                .hasMessageContaining("OPENAI_API_KEY");
    }

    @Test
    void givenManyBadVariables_whenRead_thenEveryProblemIsReportedAtOnce() {
        OpenAiConfig.InvalidConfigException e = catchThrowableOfType(OpenAiConfig.InvalidConfigException.class,
                () -> OpenAiConfig.fromEnvironment(Map.of(
                        "OPENAI_BASE_URL", "ftp://example.com",
                        "OPENAI_MAX_TOKENS", "lots",
                        "OPENAI_TEMPERATURE", "3",
                        "OPENAI_TRANSCRIBE_TEMPERATURE", "warm",
                        "OPENAI_READ_TIMEOUT_MS", "-5",
                        "OPENAI_CALL_TIMEOUT_MS", "1.5s")));

        assertThat(e.problems()).hasSize(6);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("OPENAI_BASE_URL").contains("http"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("OPENAI_MAX_TOKENS").contains("lots"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("OPENAI_TEMPERATURE").contains("0 and 2"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("OPENAI_TRANSCRIBE_TEMPERATURE"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("OPENAI_READ_TIMEOUT_MS"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("OPENAI_CALL_TIMEOUT_MS").contains("1.5s"));
        assertThat(e.getMessage()).contains(e.problems());
    }

    @Test
    void givenUrlWithCredentialsOrQuery_whenConstructed_thenItIsRefused() {
        assertThatThrownBy(() -> OpenAiConfig.forServer("http://user:pw@localhost/v1", null))
                .hasMessageContaining("credentials")
                .hasMessageNotContaining("pw@");
        assertThatThrownBy(() -> OpenAiConfig.forServer("http://localhost/v1?key=1", null))
                .hasMessageContaining("query");
        assertThatThrownBy(() -> OpenAiConfig.forServer("not a url", null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenKeyWithWhitespaceInside_whenConstructed_thenTheProblemDoesNotRepeatTheKey() {
        String badKey = "sk-test bad-key-value";

        assertThatThrownBy(() -> OpenAiConfig.openAi(badKey))
                .hasMessageContaining("OPENAI_API_KEY")
                .hasMessageNotContaining("bad-key-value");
    }

    @Test
    void givenConfigWithKey_whenPrinted_thenTheKeyIsHidden() {
        OpenAiConfig config = OpenAiConfig.openAi(FAKE_KEY);

        assertThat(config.toString()).doesNotContain(FAKE_KEY).doesNotContain("CONFIGKEY").contains("apiKey=***");
    }

    @Test
    void givenCopies_whenChanged_thenOnlyTheNamedSettingsChange() {
        OpenAiConfig base = OpenAiConfig.openAi(FAKE_KEY);

        OpenAiConfig changed = base.withModels("gpt-4o", "gpt-4o-transcribe")
                .withTimeouts(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(300))
                .withGeneration(99, 0.5, 0.1);

        assertThat(changed.chatModel()).isEqualTo("gpt-4o");
        assertThat(changed.transcribeModel()).isEqualTo("gpt-4o-transcribe");
        assertThat(changed.callTimeout()).isEqualTo(Duration.ofMillis(300));
        assertThat(changed.maxTokens()).isEqualTo(99);
        assertThat(changed.apiKey()).isEqualTo(base.apiKey());
        assertThat(changed.baseUrl()).isEqualTo(base.baseUrl());
    }

    @Test
    void givenInvalidDurationsInCode_whenConstructed_thenAllAreListed() {
        OpenAiConfig.InvalidConfigException e = catchThrowableOfType(OpenAiConfig.InvalidConfigException.class,
                () -> OpenAiConfig.forServer("http://localhost/v1", null)
                        .withTimeouts(Duration.ZERO, null, Duration.ofSeconds(-1)));

        assertThat(e.problems()).containsExactly("connectTimeout must be > 0, was PT0S",
                "readTimeout must be > 0, was null", "callTimeout must be > 0, was PT-1S");
    }
}
