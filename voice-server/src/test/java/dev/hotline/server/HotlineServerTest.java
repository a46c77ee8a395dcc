package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** The real server on a random port, called over loopback HTTP as Twilio calls it. */
class HotlineServerTest {

    private static final String TOKEN = "test-auth-token";
    private static final String ORIGIN = "https://hotline.example.org";

    private final TestCalls calls = new TestCalls();
    private HotlineServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown();
        }
    }

    private FakeTwilio start(Map<String, String> extraEnv, String signWith) throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("PORT", "0", "PUBLIC_BASE_URL", ORIGIN));
        env.putAll(extraEnv);
        ServerConfig config = ServerConfig.fromEnvironment(env);
        server = new HotlineServer(config, calls,
                new InMemoryCallLimiter(config.limits(), Clock.systemUTC(), Duration.ofHours(4)), null).start();
        return new FakeTwilio(server.port(), signWith, ORIGIN);
    }

    private static Map<String, String> voiceForm(String callSid, String from) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("AccountSid", "AC00000000000000000000000000000001");
        form.put("ApiVersion", "2010-04-01");
        form.put("CallSid", callSid);
        form.put("CallStatus", "ringing");
        form.put("Direction", "inbound");
        form.put("From", from);
        form.put("To", "+15550009999");
        return form;
    }

    @Test
    void given_a_running_server_then_healthz_is_ok_and_readyz_follows_the_handler() throws Exception {
        FakeTwilio twilio = start(Map.of(), null);
        assertThat(twilio.get("/healthz").statusCode()).isEqualTo(200);
        assertThat(twilio.get("/readyz").statusCode()).isEqualTo(200);

        calls.ready = false;

        assertThat(twilio.get("/readyz").statusCode()).isEqualTo(503);
        assertThat(twilio.get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void given_a_voice_webhook_then_twiml_connects_the_stream_with_the_caller_as_parameters() throws Exception {
        FakeTwilio twilio = start(Map.of(), null);

        HttpResponse<String> response = twilio.webhook("/voice", voiceForm("CA100", "+15550001111"));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/xml"));
        Element stream = (Element) parse(response.body()).getElementsByTagName("Stream").item(0);
        assertThat(stream.getAttribute("url")).isEqualTo("wss://hotline.example.org/voice-stream");
        assertThat(stream.getParentNode().getNodeName()).isEqualTo("Connect");
        assertThat(response.body()).contains("<Parameter name=\"From\" value=\"+15550001111\"/>")
                .contains("<Parameter name=\"To\" value=\"+15550009999\"/>")
                .contains("<Parameter name=\"CallSid\" value=\"CA100\"/>");
    }

    @Test
    void given_no_public_base_url_then_the_stream_url_comes_from_the_host_header() throws Exception {
        ServerConfig config = ServerConfig.fromEnvironment(Map.of("PORT", "0"));
        server = new HotlineServer(config, calls,
                new InMemoryCallLimiter(config.limits(), Clock.systemUTC(), Duration.ofHours(4)), null).start();
        FakeTwilio twilio = new FakeTwilio(server.port(), null, ORIGIN);

        String body = twilio.webhook("/voice", voiceForm("CA101", "+15550001111")).body();

        assertThat(body).contains("url=\"wss://127.0.0.1:" + server.port() + "/voice-stream\"");
    }

    @Test
    void given_a_trusted_proxy_then_forwarded_headers_name_the_public_url_and_sign_it() throws Exception {
        ServerConfig config = ServerConfig.fromEnvironment(Map.of("PORT", "0", "TRUST_PROXY", "true",
                "TWILIO_AUTH_TOKEN", TOKEN));
        server = new HotlineServer(config, calls,
                new InMemoryCallLimiter(config.limits(), Clock.systemUTC(), Duration.ofHours(4)), null).start();
        Map<String, String> form = voiceForm("CA102", "+15550001111");
        String signature = FakeTwilio.sign(TOKEN, "https://proxied.example.net/voice", form);
        var http = java.net.http.HttpClient.newHttpClient();
        String body = form.entrySet().stream().map(e -> e.getKey() + "="
                + java.net.URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));

        HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + server.port() + "/voice"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "proxied.example.net")
                .header("X-Twilio-Signature", signature)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("url=\"wss://proxied.example.net/voice-stream\"");
    }

    @Test
    void given_a_token_then_signed_webhooks_pass_and_forged_or_missing_signatures_get_403() throws Exception {
        FakeTwilio twilio = start(Map.of("TWILIO_AUTH_TOKEN", TOKEN), TOKEN);
        Map<String, String> form = voiceForm("CA200", "+15550001111");

        assertThat(twilio.webhook("/voice", form).statusCode()).isEqualTo(200);
        assertThat(twilio.webhook("/voice", form, null).statusCode()).isEqualTo(403);
        assertThat(twilio.webhook("/voice", form, FakeTwilio.sign("other-token", ORIGIN + "/voice", form))
                .statusCode()).isEqualTo(403);
        Map<String, String> tampered = new LinkedHashMap<>(form);
        tampered.put("From", "+15550006666");
        assertThat(twilio.webhook("/voice", tampered, FakeTwilio.sign(TOKEN, ORIGIN + "/voice", form))
                .statusCode()).isEqualTo(403);
        assertThat(twilio.webhook("/voice-status", Map.of("CallSid", "CA200", "CallStatus", "completed"), "forged")
                .statusCode()).isEqualTo(403);
    }

    @Test
    void given_one_caller_when_the_hourly_limit_is_reached_then_the_next_call_hears_a_refusal() throws Exception {
        FakeTwilio twilio = start(Map.of("CALLS_PER_CALLER_PER_HOUR", "2"), null);
        assertThat(twilio.webhook("/voice", voiceForm("CA1", "+15550001111")).body()).contains("<Connect>");
        twilio.webhook("/voice-status", Map.of("CallSid", "CA1", "CallStatus", "completed"));
        assertThat(twilio.webhook("/voice", voiceForm("CA2", "+15550001111")).body()).contains("<Connect>");

        String third = twilio.webhook("/voice", voiceForm("CA3", "+15550001111")).body();

        Element refusal = parse(third);
        assertThat(refusal.getElementsByTagName("Say").item(0).getTextContent()).isEqualTo(HotlineServer.REFUSAL);
        assertThat(refusal.getElementsByTagName("Hangup").getLength()).isEqualTo(1);
        assertThat(refusal.getElementsByTagName("Connect").getLength()).isZero();
        assertThat(twilio.webhook("/voice", voiceForm("CA4", "+15550002222")).body()).contains("<Connect>");
    }

    @Test
    void given_the_concurrency_cap_then_calls_beyond_it_are_refused_until_one_ends() throws Exception {
        FakeTwilio twilio = start(Map.of("MAX_CONCURRENT_CALLS", "1"), null);
        assertThat(twilio.webhook("/voice", voiceForm("CA1", "+15550001111")).body()).contains("<Connect>");
        assertThat(twilio.webhook("/voice", voiceForm("CA2", "+15550002222")).body()).contains("<Hangup/>");

        HttpResponse<String> status = twilio.webhook("/voice-status",
                Map.of("CallSid", "CA1", "CallStatus", "completed", "CallDuration", "12"));

        assertThat(status.statusCode()).isEqualTo(204);
        assertThat(twilio.webhook("/voice", voiceForm("CA3", "+15550002222")).body()).contains("<Connect>");
    }

    @Test
    void given_allow_and_block_lists_then_only_allowed_unblocked_callers_connect() throws Exception {
        FakeTwilio twilio = start(Map.of("CALLER_ALLOWLIST", "+15550001111,+15550002222",
                "CALLER_BLOCKLIST", "+15550002222"), null);

        assertThat(twilio.webhook("/voice", voiceForm("CA1", "+15550001111")).body()).contains("<Connect>");
        assertThat(twilio.webhook("/voice", voiceForm("CA2", "+15550002222")).body()).contains("<Hangup/>");
        assertThat(twilio.webhook("/voice", voiceForm("CA3", "+15550003333")).body()).contains("<Hangup/>");
        assertThat(twilio.webhook("/voice", voiceForm("CA4", "anonymous")).body()).contains("<Hangup/>");
    }

    @Test
    void given_no_public_base_url_and_a_host_header_that_is_no_host_then_400_not_a_server_error() throws Exception {
        ServerConfig config = ServerConfig.fromEnvironment(Map.of("PORT", "0"));
        server = new HotlineServer(config, calls,
                new InMemoryCallLimiter(config.limits(), Clock.systemUTC(), Duration.ofHours(4)), null).start();
        String body = "CallSid=CA1&From=%2B15550001111";
        try (var socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("POST /voice HTTP/1.1\r\nHost: a_b\r\n"
                    + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: " + body.length()
                    + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
            String status = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                    .lines().findFirst().orElse("");
            assertThat(status).startsWith("HTTP/1.1 400");
        }
    }

    @Test
    void given_a_webhook_without_call_sid_then_400() throws Exception {
        FakeTwilio twilio = start(Map.of(), null);
        assertThat(twilio.webhook("/voice", Map.of("From", "+15550001111")).statusCode()).isEqualTo(400);
    }

    @Test
    void given_shutdown_then_the_handler_drains_with_the_configured_timeout_and_readyz_says_no() throws Exception {
        FakeTwilio twilio = start(Map.of("DRAIN_TIMEOUT_SECONDS", "7"), null);
        Thread shutdown = Thread.ofVirtual().start(server::shutdown);
        shutdown.join(Duration.ofSeconds(10));

        assertThat(server.draining()).isTrue();
        assertThat(calls.drainedWith).isEqualTo(Duration.ofSeconds(7));
        server = null;
        assertThat(catchFailure(() -> twilio.get("/healthz"))).as("the port is closed after shutdown").isTrue();
    }

    private static boolean catchFailure(java.util.concurrent.Callable<?> action) {
        try {
            action.call();
            return false;
        } catch (Exception e) {
            return true;
        }
    }

    private static Element parse(String xml) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
    }
}
