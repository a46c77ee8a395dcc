package dev.hotline.openai;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import java.io.IOException;
import java.time.Clock;
import java.util.Objects;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side shared by {@link OpenAiTranscriber} and {@link OpenAiResponder}: one {@link OkHttpClient}
 * (one connection pool, HTTP/2 when the server offers it over TLS), the configuration, and the error mapping.
 *
 * <p><b>Lifecycle.</b> Create one per application with {@link #create(OpenAiConfig)} (or
 * {@link #create(OpenAiConfig, OkHttpClient)} to share an application-wide OkHttp client with other
 * adapters), hand it to both adapters, and {@link #close()} it at shutdown.
 *
 * <p><b>Threading.</b> Thread-safe. Each request runs synchronously on its caller's (virtual) thread on its
 * own exchange, so OkHttp's dispatcher limits do not apply and one slow call never holds up another.
 *
 * <p><b>Failures.</b> Everything is mapped to {@link ProviderException} here (see {@link OpenAiErrors}):
 * its {@link ProviderException#kind() kind}, the server's wait from {@code retry-after-ms} / {@code retry-after}
 * (capped) as {@link ProviderException#retryAfter()}, and the server's {@code x-should-retry} verdict as
 * {@link ProviderException#retryable()}. Cancelling the {@link CancelSignal} cancels the call in flight at once.
 *
 * <p><b>Retries.</b> This client does not retry: each request is sent exactly once. Wrap calls in
 * {@link dev.hotline.core.RetryPolicy} (the engine does), which honours the kind, the server's wait and the
 * caller's latency budget in one place, so attempts never multiply.
 */
public final class OpenAiClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpenAiClient.class);

    private final OpenAiConfig config;
    private final OkHttpClient http;
    private final boolean ownsHttp;
    private final HttpUrl baseUrl;
    /**
     * Parse and write buffers from a pool all threads share: Jackson's default pool is per thread, and every
     * request runs on its own virtual thread, so each allocated fresh buffers and kept them alive for the
     * whole stream (copied by the young collections in between).
     */
    private final ObjectMapper json = new ObjectMapper(
            JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build());
    private final OpenAiErrors errors;

    private OpenAiClient(OpenAiConfig config, OkHttpClient base, boolean ownsHttp) {
        this.config = Objects.requireNonNull(config, "config");
        this.http = base.newBuilder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .writeTimeout(config.readTimeout())
                .callTimeout(config.callTimeout())
                .build();
        this.ownsHttp = ownsHttp;
        this.baseUrl = HttpUrl.get(config.baseUrl());
        this.errors = new OpenAiErrors(json, config.apiKey(), Clock.systemUTC());
    }

    /** A client with its own connection pool, closed by {@link #close()}. */
    public static OpenAiClient create(OpenAiConfig config) {
        return new OpenAiClient(config, new OkHttpClient(), true);
    }

    /**
     * A client that shares {@code shared}'s connection pool and dispatcher (OkHttp's
     * {@link OkHttpClient#newBuilder()}), with this configuration's timeouts. {@link #close()} leaves
     * {@code shared} open: its owner closes it.
     */
    public static OpenAiClient create(OpenAiConfig config, OkHttpClient shared) {
        return new OpenAiClient(config, Objects.requireNonNull(shared, "shared"), false);
    }

    /** The configuration this client was made with. */
    public OpenAiConfig config() {
        return config;
    }

    /** Releases the connection pool and threads, if this client owns them. Calls in flight are not cancelled. */
    @Override
    public void close() {
        if (ownsHttp) {
            http.dispatcher().executorService().shutdown();
            http.connectionPool().evictAll();
        }
    }

    ObjectMapper json() {
        return json;
    }

    OpenAiErrors errors() {
        return errors;
    }

    /** A request to {@code path} under the base URL, with the bearer token when one is configured. */
    Request.Builder newRequest(String path) {
        HttpUrl url = baseUrl.newBuilder().addPathSegments(path).build();
        Request.Builder builder = new Request.Builder().url(url);
        if (config.apiKey() != null) {
            builder.header("Authorization", "Bearer " + config.apiKey());
        }
        return builder;
    }

    /** Reads a successful response. */
    @FunctionalInterface
    interface BodyReader<T> {
        T read(Response response) throws IOException;
    }

    /**
     * Sends {@code request} once and reads the answer; every failure leaves as a {@link ProviderException}
     * (or {@link CancelledException} when {@code cancel} fired or the thread was interrupted).
     *
     * @param operation a short name for log lines, e.g. {@code "chat"}
     * @param settingHint the setting(s) named when the server refuses the request
     * @param reader reads a 2xx response; may throw {@link ProviderException}s of its own
     */
    <T> T execute(String operation, String settingHint, Request request, CancelSignal cancel, BodyReader<T> reader)
            throws IOException {
        cancel.throwIfCancelled();
        log.debug("openai {}: {} {}", operation, request.method(), request.url());
        try {
            return attempt(settingHint, request, cancel, reader);
        } catch (CancelledException | ProviderException e) {
            throwIfCancelled(cancel);
            throw e;
        } catch (IOException e) {
            throwIfCancelled(cancel);
            if (Thread.currentThread().isInterrupted()) {
                // The thread's owner is shutting it down: a cancellation, not a provider failure.
                throw new CancelledException("interrupted");
            }
            throw errors.fromIoException(e, config);
        }
    }

    private <T> T attempt(String settingHint, Request request, CancelSignal cancel, BodyReader<T> reader)
            throws IOException {
        Call call = http.newCall(request);
        try (CancelSignal.Registration ignored = cancel.onCancel(call::cancel);
                Response response = call.execute()) {
            if (!response.isSuccessful()) {
                throw errors.fromResponse(response, settingHint);
            }
            return reader.read(response);
        }
    }

    private static void throwIfCancelled(CancelSignal cancel) throws CancelledException {
        if (cancel.isCancelled()) {
            throw new CancelledException(cancel.reason());
        }
    }
}
