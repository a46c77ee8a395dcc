package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's promise: with no keys the server starts on embedded providers and takes calls. */
class BootstrapTest {

    @Test
    void given_no_keys_then_every_role_is_embedded_and_the_server_takes_calls() throws Exception {
        Bootstrap bootstrap = Bootstrap.fromEnvironment(Map.of("PORT", "0"));
        HotlineServer server = bootstrap.server().start();
        try {
            String banner = bootstrap.banner(server.port());
            assertThat(banner).contains("sphinx4").contains("scripted").contains("freetts").contains("silero")
                    .contains("taken by the engine").contains("NOT checked: set TWILIO_AUTH_TOKEN")
                    .contains("on: open http://localhost:" + server.port() + "/");
            FakeTwilio twilio = new FakeTwilio(server.port(), null, "http://127.0.0.1:" + server.port());

            assertThat(twilio.get("/healthz").body()).isEqualTo("ok");
            assertThat(twilio.get("/readyz").statusCode()).isEqualTo(200);
            HttpResponse<String> page = twilio.get("/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).containsIgnoringCase("<html");
            assertThat(twilio.webhook("/voice", Map.of("CallSid", "CA1", "From", "+15550001111")).body())
                    .contains("<Connect><Stream url=\"wss://127.0.0.1:" + server.port() + "/voice-stream\">");
        } finally {
            server.shutdown();
        }
    }

    @Test
    void given_a_vosk_folder_that_is_not_a_model_then_the_start_stops_naming_it() {
        assertThatThrownBy(() -> Bootstrap.fromEnvironment(
                        Map.of(Bootstrap.VOSK_MODEL_VARIABLE, "/nonexistent/vosk-model")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(Bootstrap.VOSK_MODEL_VARIABLE);
    }
}
