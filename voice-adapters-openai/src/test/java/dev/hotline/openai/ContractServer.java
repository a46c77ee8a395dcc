package dev.hotline.openai;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;

/**
 * A loopback server for the port contract tests, with three personalities by path prefix: {@code /ok/v1}
 * answers {@code okBody}, {@code /hang/v1} accepts the request and never answers until {@link #close()},
 * {@code /refuse/v1} refuses with OpenAI's recorded 401 body.
 */
final class ContractServer implements AutoCloseable {

    private final MockWebServer server = new MockWebServer();
    private final OkHttpClient shared = new OkHttpClient();
    private final CountDownLatch closing = new CountDownLatch(1);

    ContractServer(MockResponse ok) throws IOException {
        String unauthorized = SharedFixtures.openAi("error_401_invalid_api_key.json");
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                String path = request.getUrl().encodedPath();
                if (path.startsWith("/hang/")) {
                    closing.await(30, TimeUnit.SECONDS);
                    return new MockResponse.Builder().code(503).build();
                }
                if (path.startsWith("/refuse/")) {
                    return LoopbackServerTest.json(401, unauthorized);
                }
                return ok;
            }
        });
        server.start();
    }

    /** A client for one personality: {@code "ok"}, {@code "hang"} or {@code "refuse"}. */
    OpenAiClient client(String personality) {
        OpenAiConfig config = OpenAiConfig.forServer(server.url("/" + personality + "/v1").toString(),
                LoopbackServerTest.FAKE_KEY)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60));
        return OpenAiClient.create(config, shared);
    }

    @Override
    public void close() {
        closing.countDown();
        server.close();
        shared.dispatcher().executorService().shutdown();
        shared.connectionPool().evictAll();
    }
}
