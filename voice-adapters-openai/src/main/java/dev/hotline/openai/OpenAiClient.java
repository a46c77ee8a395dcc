package dev.hotline.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.openai.OpenAiErrors.RetryableFailure;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side shared by {@link OpenAiTranscriber} and {@link OpenAiResponder}: one {@link OkHttpClient}
 * (one connection pool, HTTP/2 when the server offers it over TLS), the configuration, and the retry loop
 * with its error mapping.
 *
 * <p><b>Lifecycle.</b> Create one per application with {@link #create(OpenAiConfig)} (or
 * {@link #create(OpenAiConfig, OkHttpClient)} to share an application-wide OkHttp client with other
 * adapters), hand it to both adapters, and {@link #close()} it at shutdown.
 *
 * <p><b>Threading.</b> Thread-safe. Each request runs synchronously on its caller's (virtual) thread on its
 * own exchange, so OkHttp's dispatcher limits do not apply and one slow call never holds up another.
 *
 * <p><b>Failures.</b> Everything is mapped to {@link ProviderException} here (see {@link OpenAiErrors});
 * retryable failures are retried with jittered exponential backoff or the server's {@code retry-after},
 * bounded by {@link OpenAiConfig#maxRetries()} and {@link OpenAiConfig#retryBudget()}. Cancelling the
 * {@link CancelSignal} cancels the call in flight, or the wait between attempts, at once.
 */
public final class OpenAiClient implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OpenAiClient.class);

    private final OpenAiConfig config;
    private final OkHttpClient http;
    private final boolean ownsHttp;
    private final HttpUrl baseUrl;
    private final ObjectMapper json = new ObjectMapper();
    private final OpenAiErrors errors;
    private final Sleeper sleeper;
    private final DoubleSupplier random;

    private OpenAiClient(OpenAiConfig config, OkHttpClient base, boolean ownsHttp, Sleeper sleeper,
            DoubleSupplier random) {
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
        this.sleeper = sleeper;
        this.random = random;
    }

    /** A client with its own connection pool, closed by {@link #close()}. */
    public static OpenAiClient create(OpenAiConfig config) {
        return new OpenAiClient(config, new OkHttpClient(), true, OpenAiClient::sleep,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * A client that shares {@code shared}'s connection pool and dispatcher (OkHttp's
     * {@link OkHttpClient#newBuilder()}), with this configuration's timeouts. {@link #close()} leaves
     * {@code shared} open: its owner closes it.
     */
    public static OpenAiClient create(OpenAiConfig config, OkHttpClient shared) {
        return new OpenAiClient(config, Objects.requireNonNull(shared, "shared"), false, OpenAiClient::sleep,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /** For tests: waits and jitter under the test's control. */
    static OpenAiClient create(OpenAiConfig config, OkHttpClient shared, Sleeper sleeper, DoubleSupplier random) {
        return new OpenAiClient(config, shared, false, sleeper, random);
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
     * Sends {@code request} until it succeeds, fails permanently, or the retry limits are reached.
     *
     * @param operation a short name for log lines, e.g. {@code "chat"}
     * @param settingHint the setting(s) named when the server refuses the request
     * @param retryAllowed asked before each retry; false once something was delivered to the caller
     * @param reader reads a 2xx response; its {@link ProviderException}s are final or retried like any other
     */
    <T> T execute(String operation, String settingHint, Request request, CancelSignal cancel,
            BooleanSupplier retryAllowed, BodyReader<T> reader) throws IOException {
        long started = System.nanoTime();
        long deadline = started + config.retryBudget().toNanos();
        for (int attempt = 1; ; attempt++) {
            cancel.throwIfCancelled();
            log.debug("openai {}: {} {} (attempt {})", operation, request.method(), request.url(), attempt);
            RetryableFailure failure;
            try {
                return attempt(settingHint, request, cancel, reader);
            } catch (CancelledException e) {
                throw e;
            } catch (RetryableFailure e) {
                throwIfCancelled(cancel);
                failure = e;
            } catch (IOException e) {
                throwIfCancelled(cancel);
                if (Thread.currentThread().isInterrupted()) {
                    // The thread's owner is shutting it down: a cancellation, not a provider failure.
                    throw new CancelledException("interrupted");
                }
                failure = errors.fromIoException(e, config);
            }
            if (!failure.worthRetrying() || !retryAllowed.getAsBoolean()) {
                throw failure;
            }
            if (attempt > config.maxRetries()) {
                throw failure.withNote("gave up after " + attempt + " attempts (" + OpenAiConfig.ENV_MAX_RETRIES
                        + "=" + config.maxRetries() + ")");
            }
            Duration wait = failure.retryAfter().isPresent() ? failure.retryAfter().get() : backoff(attempt);
            long elapsed = System.nanoTime() - started;
            if (System.nanoTime() + wait.toNanos() > deadline) {
                throw failure.withNote("gave up after " + attempt + " attempts in " + elapsed / 1_000_000
                        + " ms: waiting " + wait.toMillis() + " ms more would exceed the retry budget of "
                        + config.retryBudget().toMillis() + " ms (" + OpenAiConfig.ENV_RETRY_BUDGET_MS + ")");
            }
            log.info("openai {}: {} ({}); retry {} of {} in {} ms", operation, failure.kind(),
                    failure.getMessage(), attempt, config.maxRetries(), wait.toMillis());
            sleeper.sleep(wait, cancel);
        }
    }

    /**
     * The computed wait before retry number {@code retry} (1-based): initialBackoff * 2^(retry-1), capped at
     * maxBackoff, minus up to 25% jitter so that many clients do not retry in step (openai-python
     * {@code _calculate_retry_timeout}).
     */
    Duration backoff(int retry) {
        double base = config.initialBackoff().toNanos() * Math.pow(2, retry - 1);
        double capped = Math.min(base, config.maxBackoff().toNanos());
        double jittered = capped * (1 - 0.25 * random.getAsDouble());
        return Duration.ofNanos((long) jittered);
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

    /** Waits between attempts; returns early, throwing {@link CancelledException}, when cancelled. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration wait, CancelSignal cancel) throws CancelledException;
    }

    private static void sleep(Duration wait, CancelSignal cancel) throws CancelledException {
        CountDownLatch cancelled = new CountDownLatch(1);
        try (CancelSignal.Registration ignored = cancel.onCancel(cancelled::countDown)) {
            if (cancelled.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new CancelledException(cancel.reason());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("interrupted");
        }
    }
}
