package dev.hotline.elevenlabs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** The phrase cache's key prefix tells apart everything that changes the audio, and holds no secret. */
class ElevenLabsCacheKeyPrefixTest {

    @Test
    void givenAnotherVoiceSettingOrModel_whenKeyed_thenThePrefixesDifferAndHoldNoKey() {
        ElevenLabsConfig base = ElevenLabsConfig.of("sk_secret_never_in_a_key", "voiceA");
        try (ElevenLabsSynthesizer a = new ElevenLabsSynthesizer(base);
                ElevenLabsSynthesizer b = new ElevenLabsSynthesizer(base.withVoiceSettings(
                        new VoiceSettings(0.3, null, null, null, null)));
                ElevenLabsSynthesizer c = new ElevenLabsSynthesizer(base.withModel("eleven_turbo_v2_5"))) {

            assertThat(Set.of(a.cacheKeyPrefix(), b.cacheKeyPrefix(), c.cacheKeyPrefix())).hasSize(3);
            assertThat(a.cacheKeyPrefix()).doesNotContain("sk_secret_never_in_a_key").contains("voiceA");
        }
    }
}
