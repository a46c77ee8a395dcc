package dev.hotline.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import com.twilio.http.NetworkHttpClient;
import com.twilio.http.TwilioRestClient;
import dev.hotline.core.ProviderException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real SDK stack (CallUpdater, TwilioRestClient, NetworkHttpClient, Apache HttpClient) against a local HTTP
 * server: the only change is the route, which sends api.twilio.com's requests to 127.0.0.1 in plain HTTP.
 */
class TwilioCallControlTest {

    private static final String ACCOUNT = "AC00000000000000000000000000000001";
    private static final String CALL = "CA00000000000000000000000000000002";

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String body = "";

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + URLDecoder.decode(form, StandardCharsets.UTF_8) + " "
                    + exchange.getRequestHeaders().getFirst("Authorization"));
            byte[] answer = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length == 0 ? -1 : answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private TwilioCallControl control() {
        HttpHost local = new HttpHost("http", "127.0.0.1", server.getAddress().getPort());
        HttpClientBuilder apache = HttpClientBuilder.create()
                .setRoutePlanner((target, context) -> new HttpRoute(local));
        TwilioRestClient client = new TwilioRestClient.Builder(ACCOUNT, "secret-token")
                .httpClient(new NetworkHttpClient(apache))
                .build();
        return new TwilioCallControl(client);
    }

    @Test
    void given_a_live_call_when_hung_up_then_the_sdk_posts_status_completed_with_basic_auth() throws Exception {
        body = """
                {"sid": "%s", "account_sid": "%s", "status": "completed", "direction": "inbound"}
                """.formatted(CALL, ACCOUNT);

        assertThat(control().hangUp(CALL)).isTrue();

        String auth = "Basic " + Base64.getEncoder().encodeToString((ACCOUNT + ":secret-token").getBytes(StandardCharsets.UTF_8));
        assertThat(requests).containsExactly("POST /2010-04-01/Accounts/" + ACCOUNT + "/Calls/" + CALL + ".json"
                + " Status=completed " + auth);
    }

    @Test
    void given_a_call_that_already_ended_when_hung_up_then_404_20404_counts_as_success() throws Exception {
        status = 404;
        body = """
                {"code": 20404, "message": "The requested resource /2010-04-01/Accounts/%s/Calls/%s.json was not found",
                 "more_info": "https://www.twilio.com/docs/errors/20404", "status": 404}
                """.formatted(ACCOUNT, CALL);

        assertThat(control().hangUp(CALL)).isFalse();
    }

    @Test
    void given_refused_credentials_then_an_authentication_failure_without_the_token() {
        status = 401;
        body = """
                {"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}
                """;

        assertThatThrownBy(() -> control().hangUp(CALL))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.AUTHENTICATION);
                    assertThat(e.getMessage()).contains("401").contains("20003").doesNotContain("secret-token");
                });
    }

    @Test
    void given_a_server_error_then_unavailable_after_the_sdk_retries() {
        status = 503;
        body = """
                {"code": 20503, "message": "Service unavailable", "status": 503}
                """;

        assertThatThrownBy(() -> control().hangUp(CALL))
                .isInstanceOfSatisfying(ProviderException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.UNAVAILABLE));
        assertThat(requests).hasSizeGreaterThanOrEqualTo(1);
    }

    @Test
    void given_a_dead_server_then_a_network_failure() {
        TwilioCallControl control = control();
        server.stop(0);
        assertThatThrownBy(() -> control.hangUp(CALL))
                .isInstanceOfSatisfying(ProviderException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.NETWORK));
    }

    @Test
    void given_blank_arguments_then_refused() {
        assertThatThrownBy(() -> TwilioCallControl.create(" ", "t")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("accountSid");
        assertThatThrownBy(() -> control().hangUp("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("callSid");
    }
}
