package dev.hotline.elevenlabs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ElevenLabsConfigTest {

    @Test
    void givenOnlyKeyAndVoice_whenReadingTheEnvironment_thenDefaultsApply() {
        ElevenLabsConfig config = ElevenLabsConfig.fromEnvironment(Map.of(
                "ELEVENLABS_API_KEY", "sk_abc", "ELEVENLABS_VOICE_ID", "JBFqnCBsd6RMkjVDRZzb"));

        assertThat(config.modelId()).isEqualTo("eleven_flash_v2_5");
        assertThat(config.baseUrl()).isEqualTo("https://api.elevenlabs.io");
        assertThat(config.mode()).isEqualTo(ElevenLabsConfig.Mode.HTTP);
        assertThat(config.voiceSettings().isEmpty()).isTrue();
        assertThat(config.chunkLengthSchedule()).containsExactly(120, 160, 250, 290);
        assertThat(config.keepAliveInterval()).isLessThan(ElevenLabsConfig.PROVIDER_IDLE_LIMIT);
    }

    @Test
    void givenEverySetting_whenReadingTheEnvironment_thenAllAreUsed() {
        ElevenLabsConfig config = ElevenLabsConfig.fromEnvironment(Map.ofEntries(
                Map.entry("ELEVENLABS_API_KEY", "sk_abc"),
                Map.entry("ELEVENLABS_VOICE_ID", "voice-1"),
                Map.entry("ELEVENLABS_MODEL", "eleven_turbo_v2_5"),
                Map.entry("ELEVENLABS_BASE_URL", "https://api.us.elevenlabs.io/"),
                Map.entry("ELEVENLABS_MODE", "WebSocket"),
                Map.entry("ELEVENLABS_STABILITY", "0.4"),
                Map.entry("ELEVENLABS_SIMILARITY_BOOST", "0.75"),
                Map.entry("ELEVENLABS_STYLE", "0"),
                Map.entry("ELEVENLABS_SPEAKER_BOOST", "true"),
                Map.entry("ELEVENLABS_SPEED", "1.05"),
                Map.entry("ELEVENLABS_CHUNK_LENGTH_SCHEDULE", "50, 120,200"),
                Map.entry("ELEVENLABS_READ_TIMEOUT_MS", "3000")));

        assertThat(config.modelId()).isEqualTo("eleven_turbo_v2_5");
        assertThat(config.baseUrl()).isEqualTo("https://api.us.elevenlabs.io");
        assertThat(config.mode()).isEqualTo(ElevenLabsConfig.Mode.WEBSOCKET);
        assertThat(config.voiceSettings()).isEqualTo(new VoiceSettings(0.4, 0.75, 0.0, true, 1.05));
        assertThat(config.chunkLengthSchedule()).containsExactly(50, 120, 200);
        assertThat(config.readTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void givenSeveralProblems_whenReadingTheEnvironment_thenAllAreReportedAtOnce() {
        assertThatThrownBy(() -> ElevenLabsConfig.fromEnvironment(Map.of(
                "ELEVENLABS_BASE_URL", "ftp://example.com",
                "ELEVENLABS_MODE", "carrier-pigeon",
                "ELEVENLABS_STABILITY", "1.5",
                "ELEVENLABS_SPEED", "fast",
                "ELEVENLABS_SPEAKER_BOOST", "yes",
                "ELEVENLABS_CHUNK_LENGTH_SCHEDULE", "10,20",
                "ELEVENLABS_READ_TIMEOUT_MS", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ELEVENLABS_API_KEY is not set")
                .hasMessageContaining("ELEVENLABS_VOICE_ID is not set")
                .hasMessageContaining("ELEVENLABS_BASE_URL")
                .hasMessageContaining("ELEVENLABS_MODE must be 'http' or 'websocket', was 'carrier-pigeon'")
                .hasMessageContaining("ELEVENLABS_STABILITY must be between 0.0 and 1.0, was 1.5")
                .hasMessageContaining("ELEVENLABS_SPEED must be a number, was 'fast'")
                .hasMessageContaining("ELEVENLABS_SPEAKER_BOOST must be 'true' or 'false', was 'yes'")
                .hasMessageContaining("ELEVENLABS_CHUNK_LENGTH_SCHEDULE entries must be 50..500, was 10")
                .hasMessageContaining("ELEVENLABS_READ_TIMEOUT_MS must be between 1 and 120000, was 0");
    }

    @Test
    void givenAKey_whenPrinted_thenTheKeyIsHidden() {
        ElevenLabsConfig config = ElevenLabsConfig.of("sk_very_secret_value", "voice");

        assertThat(config.toString()).doesNotContain("sk_very_secret_value").contains("apiKey=***");
        assertThat(ElevenLabsConfig.isConfigured(Map.of("ELEVENLABS_API_KEY", "x"))).isTrue();
        assertThat(ElevenLabsConfig.isConfigured(Map.of("ELEVENLABS_API_KEY", " "))).isFalse();
    }

    @Test
    void givenInvalidValues_whenConstructing_thenClearErrors() {
        ElevenLabsConfig config = ElevenLabsConfig.of("k", "voice");

        assertThatThrownBy(() -> config.withStreaming(Duration.ofSeconds(20), List.of(120)))
                .hasMessageContaining("keepAliveInterval must be below the provider's 20 s idle limit");
        assertThatThrownBy(() -> ElevenLabsConfig.of("k", "../etc")).hasMessageContaining("voiceId");
        assertThatThrownBy(() -> new VoiceSettings(null, null, null, null, 2.0))
                .hasMessage("speed must be between 0.7 and 1.2, was 2.0");
        assertThatThrownBy(() -> new VoiceSettings(-0.1, null, null, null, null))
                .hasMessage("stability must be between 0 and 1, was -0.1");
    }
}
