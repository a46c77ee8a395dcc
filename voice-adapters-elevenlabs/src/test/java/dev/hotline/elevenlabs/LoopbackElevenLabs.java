package dev.hotline.elevenlabs;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import okhttp3.mockwebserver.Dispatcher;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okhttp3.mockwebserver.RecordedRequest;
import okio.Buffer;

/**
 * A loopback ElevenLabs that answers any number of requests the same way, for the port contract tests:
 * HTTP {@code /stream} and WebSocket {@code /stream-input} alike.
 */
final class LoopbackElevenLabs implements AutoCloseable {

    /** How the fake answers. */
    enum Answer {
        /** Real speech audio, streamed in uneven chunks. */
        AUDIO,
        /** Accepts the request (or WebSocket) and never answers. */
        HANG,
        /** 401 with the recorded invalid_api_key body. */
        REFUSE
    }

    private final MockWebServer server = new MockWebServer();

    LoopbackElevenLabs(Answer answer) throws IOException {
        byte[] audio = TestData.phonePrompt();
        String refusal = TestData.errorBody("error_401_invalid_api_key.json");
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                boolean webSocket = request.getPath().contains("/stream-input");
                return switch (answer) {
                    case REFUSE -> new MockResponse().setResponseCode(401)
                            .setHeader("Content-Type", "application/json").setBody(refusal);
                    case HANG -> webSocket
                            ? new MockResponse().withWebSocketUpgrade(fakeSocket(
                                    FakeStreamInputServer.Behaviour.SILENT, audio))
                            : new MockResponse().setBody("x").setHeadersDelay(60, TimeUnit.SECONDS);
                    case AUDIO -> webSocket
                            ? new MockResponse().withWebSocketUpgrade(fakeSocket(
                                    FakeStreamInputServer.Behaviour.NORMAL, audio))
                            : new MockResponse().setChunkedBody(new Buffer().write(audio), 1001)
                                    .throttleBody(1001, 1, TimeUnit.MILLISECONDS);
                };
            }
        });
        server.start();
    }

    private static FakeStreamInputServer fakeSocket(FakeStreamInputServer.Behaviour behaviour, byte[] audio) {
        try {
            return new FakeStreamInputServer(behaviour, audio, 5);
        } catch (IOException e) {
            throw new IllegalStateException("fixtures became unreadable", e);
        }
    }

    /** A configuration pointing at this fake, with timeouts long enough that only cancellation ends a hang. */
    ElevenLabsConfig config(ElevenLabsConfig.Mode mode) {
        return ElevenLabsConfig.of("sk_contract_test_key", "JBFqnCBsd6RMkjVDRZzb")
                .withBaseUrl(server.url("/").toString())
                .withMode(mode)
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(60));
    }

    @Override
    public void close() throws IOException {
        server.shutdown();
    }
}
