package dev.hotline.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.CallEvent;
import dev.hotline.core.Persona;
import dev.hotline.server.ConfigException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BrowserCallsTest {

    @Test
    void givenMalformedSettings_whenRead_thenAConfigExceptionNamesTheVariable() {
        assertThatThrownBy(() -> BrowserCalls.fromEnvironment(Map.of("BROWSER_CALLS_ENABLED", "maybe"),
                Persona.syntheticJason()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("BROWSER_CALLS_ENABLED must be true or false, was 'maybe'");
    }

    @Test
    void givenSettings_whenDescribed_thenTheBannerLineSaysWhatIsServed() throws ConfigException {
        assertThat(BrowserCalls.fromEnvironment(Map.of(), Persona.syntheticJason()).describe())
                .isEqualTo("on at / and /browser-stream, same-origin only");
        assertThat(BrowserCalls.fromEnvironment(Map.of("BROWSER_ALLOWED_ORIGINS", "https://b.example,https://a.example"),
                Persona.syntheticJason()).describe())
                .isEqualTo("on at / and /browser-stream, origins https://a.example, https://b.example");
        assertThat(BrowserCalls.fromEnvironment(Map.of("BROWSER_CALLS_ENABLED", "false"), Persona.syntheticJason())
                .describe()).isEqualTo("off (BROWSER_CALLS_ENABLED=false)");
    }

    @Test
    void givenAnObserver_whenComposedWithTheRelay_thenItStillSeesEveryEvent() throws ConfigException {
        List<CallEvent> seen = new ArrayList<>();
        BrowserCalls browser = BrowserCalls.fromEnvironment(Map.of(), Persona.syntheticJason());
        CallEvent event = new CallEvent.StateChanged("CA1", Instant.EPOCH, "LISTENING", "THINKING");

        browser.observing(seen::add).onEvent(event);

        assertThat(seen).containsExactly(event);
    }
}
