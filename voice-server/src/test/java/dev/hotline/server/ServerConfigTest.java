package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.CallSettings;
import dev.hotline.core.Persona;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    @Test
    void given_an_empty_environment_then_the_documented_defaults() throws Exception {
        ServerConfig config = ServerConfig.fromEnvironment(Map.of());

        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.publicBaseUrl()).isNull();
        assertThat(config.checksSignatures()).isFalse();
        assertThat(config.hangsUpThroughRest()).isFalse();
        assertThat(config.trustProxy()).isFalse();
        assertThat(config.limits()).isEqualTo(CallLimiter.Limits.defaults());
        assertThat(config.limits().callsPerCallerPerHour()).isEqualTo(10);
        assertThat(config.persona()).isEqualTo(Persona.syntheticJason());
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.accessPin()).isNull();
        assertThat(config.endOfTurnSilence()).isNull();
        assertThat(config.vadBatchDelay()).isEqualTo(Duration.ofMillis(2));
    }

    @Test
    void given_every_setting_then_each_is_read() throws Exception {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "9090");
        env.put("PUBLIC_BASE_URL", "https://hotline.example.org/");
        env.put("TWILIO_AUTH_TOKEN", "tok");
        env.put("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef");
        env.put("TRUST_PROXY", "true");
        env.put("CALLS_PER_CALLER_PER_HOUR", "3");
        env.put("MAX_CONCURRENT_CALLS", "7");
        env.put("CALLER_ALLOWLIST", "+15550001111, +15550002222");
        env.put("CALLER_BLOCKLIST", "+15550003333");
        env.put("ACCESS_PIN", "4321");
        env.put("END_OF_TURN_SILENCE_MS", "700");
        env.put("BARGE_IN_MS", "300");
        env.put("EARLY_TRANSCRIPT_MS", "350");
        env.put("VAD_THRESHOLD", "0.6");
        env.put("MAX_CALL_SECONDS", "600");
        env.put("DRAIN_TIMEOUT_SECONDS", "5");
        env.put("VAD_BATCH_MS", "0");

        ServerConfig config = ServerConfig.fromEnvironment(env);

        assertThat(config.port()).isEqualTo(9090);
        assertThat(config.publicBaseUrl()).isEqualTo(URI.create("https://hotline.example.org"));
        assertThat(config.hangsUpThroughRest()).isTrue();
        assertThat(config.limits()).isEqualTo(new CallLimiter.Limits(3, 7,
                Set.of("+15550001111", "+15550002222"), Set.of("+15550003333")));
        assertThat(config.accessPin()).isEqualTo("4321");
        assertThat(config.endOfTurnSilence()).isEqualTo(Duration.ofMillis(700));
        assertThat(config.bargeIn()).isEqualTo(Duration.ofMillis(300));
        assertThat(config.speechThreshold()).isEqualTo(0.6);
        assertThat(config.maxCallLength()).isEqualTo(Duration.ofMinutes(10));
        assertThat(config.drainTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.vadBatchDelay()).isZero();
        assertThat(config.toString()).doesNotContain("tok,").contains("twilioAuthToken=set").doesNotContain("4321");
        assertThat(Bootstrap.settings(config).accessPin()).isEqualTo("4321");
        assertThat(Bootstrap.settings(config).endOfTurnSilence()).isEqualTo(Duration.ofMillis(700));
        assertThat(Bootstrap.settings(config).earlyTranscript()).isEqualTo(Duration.ofMillis(350));
    }

    @Test
    void given_no_early_transcript_then_the_engine_default_and_one_as_long_as_the_end_of_turn_silence_is_refused()
            throws Exception {
        assertThat(Bootstrap.settings(ServerConfig.fromEnvironment(Map.of())).earlyTranscript())
                .isEqualTo(CallSettings.defaults().earlyTranscript()).isEqualTo(Duration.ofMillis(350));
        assertThat(Bootstrap.settings(ServerConfig.fromEnvironment(Map.of("EARLY_TRANSCRIPT_MS", "0")))
                .earlyTranscript()).as("0 turns it off").isZero();
        assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("EARLY_TRANSCRIPT_MS", "700")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("EARLY_TRANSCRIPT_MS (700) must be less than the end-of-turn silence (700 ms)");
        assertThat(Bootstrap.settings(ServerConfig.fromEnvironment(Map.of("EARLY_TRANSCRIPT_MS", "700",
                "END_OF_TURN_SILENCE_MS", "1000"))).earlyTranscript()).isEqualTo(Duration.ofMillis(700));
    }

    @Test
    void given_many_bad_settings_then_one_message_names_every_problem() {
        Map<String, String> env = new HashMap<>();
        env.put("PORT", "eighty");
        env.put("PUBLIC_BASE_URL", "hotline.example.org/voice");
        env.put("TWILIO_ACCOUNT_SID", "not-a-sid");
        env.put("TRUST_PROXY", "maybe");
        env.put("CALLS_PER_CALLER_PER_HOUR", "0");
        env.put("MAX_CONCURRENT_CALLS", "-1");
        env.put("CALLER_ALLOWLIST", "5550001111");
        env.put("ACCESS_PIN", "12ab");
        env.put("VAD_THRESHOLD", "1.5");
        env.put("END_OF_TURN_SILENCE_MS", "soon");
        env.put("DRAIN_TIMEOUT_SECONDS", "-3");
        env.put("VAD_BATCH_MS", "50");
        env.put("PERSONA_FILE", "/nonexistent/persona.yaml");

        assertThatThrownBy(() -> ServerConfig.fromEnvironment(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.problems()).hasSize(14);
                    assertThat(e.getMessage()).startsWith("Hotline cannot start: fix these 14 settings:")
                            .contains("PORT").contains("PUBLIC_BASE_URL").contains("TWILIO_ACCOUNT_SID must be")
                            .contains("TWILIO_ACCOUNT_SID is set but TWILIO_AUTH_TOKEN is not")
                            .contains("TRUST_PROXY").contains("CALLS_PER_CALLER_PER_HOUR")
                            .contains("MAX_CONCURRENT_CALLS").contains("CALLER_ALLOWLIST").contains("ACCESS_PIN")
                            .contains("VAD_THRESHOLD").contains("END_OF_TURN_SILENCE_MS")
                            .contains("DRAIN_TIMEOUT_SECONDS").contains("VAD_BATCH_MS").contains("PERSONA_FILE");
                });
    }

    @Test
    void given_a_token_without_a_public_url_then_refused_unless_behind_a_trusted_proxy() throws Exception {
        assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("TWILIO_AUTH_TOKEN", "tok")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("PUBLIC_BASE_URL");
        assertThat(ServerConfig.fromEnvironment(Map.of("TWILIO_AUTH_TOKEN", "tok", "TRUST_PROXY", "yes"))
                .checksSignatures()).isTrue();
    }

    @Test
    void given_a_persona_file_then_its_lines_with_defaults_for_the_optional_ones(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("persona.yaml");
        Files.writeString(file, """
                name: Nova
                greeting: "Hi, this is Nova."
                systemPrompt: "You are Nova. Be brief."
                idlePrompts:
                  - "Still there?"
                language: de
                """);

        Persona persona = ServerConfig.fromEnvironment(Map.of("PERSONA_FILE", file.toString())).persona();

        assertThat(persona.name()).isEqualTo("Nova");
        assertThat(persona.greeting()).isEqualTo("Hi, this is Nova.");
        assertThat(persona.idlePrompts()).containsExactly("Still there?");
        assertThat(persona.language()).isEqualTo("de");
        assertThat(persona.goodbye()).isNotBlank();
    }

    @Test
    void given_a_persona_file_without_a_greeting_or_not_yaml_then_the_problem_is_named(@TempDir Path dir)
            throws Exception {
        Path missing = dir.resolve("missing.yaml");
        Files.writeString(missing, "name: Nova\nsystemPrompt: x\n");
        Path broken = dir.resolve("broken.yaml");
        Files.writeString(broken, "name: [unclosed\n");

        assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("PERSONA_FILE", missing.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'greeting' is required");
        assertThatThrownBy(() -> ServerConfig.fromEnvironment(Map.of("PERSONA_FILE", broken.toString())))
                .isInstanceOf(ConfigException.class).hasMessageContaining("is not a valid persona");
    }

    @Test
    void given_bad_server_and_provider_settings_then_bootstrap_lists_them_together() {
        Map<String, String> env = Map.of("PORT", "x", "OPENAI_BASE_URL", "not a url", "OPENAI_API_KEY", "k",
                "ELEVENLABS_API_KEY", "k");

        assertThatThrownBy(() -> Bootstrap.fromEnvironment(env))
                .isInstanceOfSatisfying(ConfigException.class, e -> {
                    assertThat(e.getMessage()).contains("PORT").contains("OPENAI_BASE_URL")
                            .contains("ELEVENLABS_VOICE_ID").doesNotContain("=k");
                    assertThat(e.problems()).hasSizeGreaterThanOrEqualTo(3);
                });
    }
}
