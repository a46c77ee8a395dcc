package dev.hotline.server;

import com.sun.net.httpserver.HttpServer;
import com.twilio.http.NetworkHttpClient;
import com.twilio.http.TwilioRestClient;
import dev.hotline.twilio.TwilioCallControl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.HttpHost;

/**
 * Twilio's REST API as far as hanging up goes, on loopback: answers every request like a successful Call
 * update and records it. {@link #callControl} is the real SDK stack with its route pointed here.
 */
final class LocalTwilioRest implements AutoCloseable {

    static final String ACCOUNT = "AC00000000000000000000000000000001";

    private final HttpServer server;
    final List<String> requests = new CopyOnWriteArrayList<>();

    LocalTwilioRest() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath() + " "
                    + new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = "{\"sid\":\"CA1\",\"status\":\"completed\"}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    TwilioCallControl callControl() {
        HttpHost local = new HttpHost("http", "127.0.0.1", server.getAddress().getPort());
        return new TwilioCallControl(new TwilioRestClient.Builder(ACCOUNT, "rest-token")
                .httpClient(new NetworkHttpClient(HttpClientBuilder.create()
                        .setRoutePlanner((target, context) -> new HttpRoute(local))))
                .build());
    }

    /** Waits up to {@code timeout} for at least one request. */
    List<String> awaitRequests(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (requests.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
