package dev.hotline.openai;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.ProviderException;
import dev.hotline.core.RetryPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Base of the tests that talk HTTP to a real MockWebServer on 127.0.0.1: sockets, timeouts and cancellation
 * are real. The adapters never retry; retry tests run them under the engine's {@link RetryPolicy} with short
 * waits, as the engine does.
 */
abstract class LoopbackServerTest {

    static final String FAKE_KEY = "sk-test-HOTLINEFAKEKEY-9f8e7d6c5b4a";

    final MockWebServer server = new MockWebServer();
    final OkHttpClient shared = new OkHttpClient();
    /** Up to two retries, 5 ms backoff, 5 s of waits in all: the engine's policy with short waits. */
    final RetryPolicy retry = new RetryPolicy(2, Duration.ofSeconds(5), Duration.ofMillis(5));
    /** Every failure {@link #retry} retried, in order. */
    final List<ProviderException> retried = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startServer() throws IOException {
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
        shared.dispatcher().executorService().shutdown();
        shared.connectionPool().evictAll();
    }

    /** A compatible-server configuration pointing at the loopback server, with short limits. */
    OpenAiConfig config(String apiKey) {
        return OpenAiConfig.forServer(server.url("/v1").toString(), apiKey)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    OpenAiClient client(OpenAiConfig config) {
        return OpenAiClient.create(config, shared);
    }

    /** Runs {@code attempt} under {@link #retry}, recording each retried failure in {@link #retried}. */
    <T> T retrying(RetryPolicy.Attempt<T> attempt, BooleanSupplier mayRetry) throws IOException {
        return retry.call(new CancelSignal(), attempt, mayRetry, retried::add);
    }

    RecordedRequest takeRequest() throws InterruptedException {
        RecordedRequest request = server.takeRequest(5, TimeUnit.SECONDS);
        if (request == null) {
            throw new AssertionError("the server received no request");
        }
        return request;
    }

    static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).setHeader("content-type", "application/json").body(body)
                .build();
    }

    static MockResponse.Builder eventStream(String body) {
        return new MockResponse.Builder().code(200).setHeader("content-type", "text/event-stream").body(body);
    }

    static MockResponse.Builder eventStream(MockResponseBody body) {
        return new MockResponse.Builder().code(200).setHeader("content-type", "text/event-stream").body(body);
    }

    /** One chat-completion chunk event carrying {@code content}, shaped like the 2025 capture. */
    static String contentEvent(String content) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"logprobs\":null,"
                + "\"finish_reason\":null}],\"usage\":null,\"obfuscation\":\"abc\"}\n\n";
    }

    static String finishEvent(String reason) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":\"" + reason
                + "\"}],\"usage\":null}\n\n";
    }

    static String usageEvent(long prompt, long completion) {
        return "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion
                + ",\"total_tokens\":" + (prompt + completion) + "}}\n\n";
    }

    static final String DONE_EVENT = "data: [DONE]\n\n";

    /** A body written one byte per flush, so the client sees every possible split of the stream. */
    static MockResponseBody oneByteAtATime(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return new MockResponseBody() {
            @Override
            public long getContentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                for (byte b : bytes) {
                    sink.writeByte(b);
                    sink.flush();
                }
            }
        };
    }

    /**
     * A body that sends {@code first}, then holds the stream open until {@code release} opens (or 10 s pass),
     * then sends {@code rest}.
     */
    static MockResponseBody pausedBody(String first, CountDownLatch release, String rest) {
        return new MockResponseBody() {
            @Override
            public long getContentLength() {
                return -1;
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.writeUtf8(first);
                sink.flush();
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                sink.writeUtf8(rest);
                sink.flush();
            }
        };
    }
}
