package dev.hotline.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.CallTransport;
import dev.hotline.server.CallHandler;
import dev.hotline.server.HotlineServer;
import dev.hotline.server.InMemoryCallLimiter;
import dev.hotline.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The browser routes as the server carries them: beside the phone's routes, or absent when switched off. */
class BrowserCallsOnHotlineServerTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private HotlineServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown();
        }
    }

    @Test
    void givenBrowserCallsOn_whenTheServerRuns_thenThePageIsServedBesideThePhoneRoutes() throws Exception {
        start(Map.of("PORT", "0"));

        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<h1 id=\"persona\">Synthetic Jason</h1>");
        assertThat(get("/browser/app.js").statusCode()).isEqualTo(200);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void givenBrowserCallsOff_whenTheServerRuns_thenThePageIsNotFoundAndThePhoneRoutesStay() throws Exception {
        start(Map.of("PORT", "0", "BROWSER_CALLS_ENABLED", "false"));

        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(get("/browser/app.js").statusCode()).isEqualTo(404);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    private void start(Map<String, String> env) throws Exception {
        ServerConfig config = ServerConfig.fromEnvironment(env);
        BrowserCalls browser = BrowserCalls.fromEnvironment(env, config.persona());
        CallHandler calls = new IdleHandler();
        InMemoryCallLimiter limiter = new InMemoryCallLimiter(config.limits(), Clock.systemUTC(), Duration.ofHours(1));
        server = new HotlineServer(config, calls, limiter, null, browser.routes(calls, limiter)).start();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Takes no calls: these tests only fetch pages. */
    private static final class IdleHandler implements CallHandler {
        @Override
        public boolean ready() {
            return true;
        }

        @Override
        public void startCall(CallTransport transport) {
            throw new AssertionError("no call expected");
        }

        @Override
        public void refuseCall(CallTransport transport, String message) {
            throw new AssertionError("no call expected");
        }

        @Override
        public int activeCalls() {
            return 0;
        }

        @Override
        public void shutdown(Duration drain) {
        }
    }
}
