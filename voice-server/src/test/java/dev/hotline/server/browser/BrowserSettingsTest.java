package dev.hotline.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BrowserSettingsTest {

    @Test
    void givenNoVariables_whenRead_thenBrowserCallsAreOnAndSameOriginOnly() {
        BrowserSettings settings = BrowserSettings.fromEnvironment(Map.of());
        assertThat(settings.enabled()).isTrue();
        assertThat(settings.allowedOrigins()).isEmpty();
    }

    @Test
    void givenSwitchOff_whenRead_thenDisabled() {
        assertThat(BrowserSettings.fromEnvironment(Map.of("BROWSER_CALLS_ENABLED", "false")).enabled()).isFalse();
        assertThat(BrowserSettings.fromEnvironment(Map.of("BROWSER_CALLS_ENABLED", " TRUE ")).enabled()).isTrue();
    }

    @Test
    void givenOriginList_whenRead_thenOriginsAreNormalized() {
        BrowserSettings settings = BrowserSettings.fromEnvironment(Map.of("BROWSER_ALLOWED_ORIGINS",
                "https://Hotline.Example.com:443, http://localhost:8080,,"));
        assertThat(settings.allowedOrigins())
                .isEqualTo(Set.of("https://hotline.example.com", "http://localhost:8080"));
    }

    @Test
    void givenMalformedValues_whenRead_thenOneErrorNamesEveryProblem() {
        assertThatThrownBy(() -> BrowserSettings.fromEnvironment(Map.of(
                "BROWSER_CALLS_ENABLED", "yes",
                "BROWSER_ALLOWED_ORIGINS", "hotline.example.com,https://a.example/path")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("BROWSER_CALLS_ENABLED must be true or false, was 'yes'")
                .hasMessageContaining("origin must start with http:// or https://, was 'hotline.example.com'")
                .hasMessageContaining("origin must be scheme://host[:port] only, was 'https://a.example/path'");
    }

    @Test
    void givenSameOriginDefault_whenOriginMatchesHost_thenAllowed() {
        BrowserSettings settings = BrowserSettings.defaults();
        assertThat(settings.allowsOrigin("http://127.0.0.1:7070", "127.0.0.1:7070")).isTrue();
        assertThat(settings.allowsOrigin("https://hotline.example.com", "hotline.example.com")).isTrue();
        assertThat(settings.allowsOrigin("https://hotline.example.com", "hotline.example.com:443")).isTrue();
        assertThat(settings.allowsOrigin("HTTP://LOCALHOST:80", "localhost")).isTrue();
    }

    @Test
    void givenSameOriginDefault_whenOriginDiffers_thenRefused() {
        BrowserSettings settings = BrowserSettings.defaults();
        assertThat(settings.allowsOrigin("https://evil.example", "hotline.example.com")).isFalse();
        assertThat(settings.allowsOrigin("http://127.0.0.1:7071", "127.0.0.1:7070")).isFalse();
        assertThat(settings.allowsOrigin(null, "127.0.0.1:7070")).isFalse();
        assertThat(settings.allowsOrigin("null", "127.0.0.1:7070")).isFalse();
        assertThat(settings.allowsOrigin("http://127.0.0.1:7070", null)).isFalse();
        assertThat(settings.allowsOrigin("not an origin", "127.0.0.1:7070")).isFalse();
    }

    @Test
    void givenAllowList_whenChecked_thenOnlyListedOriginsPassEvenIfSameHost() {
        BrowserSettings settings = new BrowserSettings(true, Set.of("https://app.example.com"));
        assertThat(settings.allowsOrigin("https://app.example.com", "api.example.com")).isTrue();
        assertThat(settings.allowsOrigin("https://api.example.com", "api.example.com")).isFalse();
        assertThat(settings.allowsOrigin("http://app.example.com", "api.example.com")).isFalse();
    }

    @Test
    void givenUnnormalizedOriginInConstructor_whenBuilt_thenIllegalArgument() {
        assertThatThrownBy(() -> new BrowserSettings(true, Set.of("https://App.example.com:443")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be normalized");
    }
}
