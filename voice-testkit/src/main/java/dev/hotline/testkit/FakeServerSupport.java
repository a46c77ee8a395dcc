package dev.hotline.testkit;

import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * What the fake servers share: a Javalin server on 127.0.0.1 at a random port on platform threads, a
 * lifetime after which it stops by itself, a bounded request log, and an abrupt connection close.
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
public final class FakeServerSupport implements AutoCloseable {

    /**
     * The most requests a fake remembers unless told otherwise ({@link #rememberAtMost}); later ones are counted in
     * {@link #droppedRequests()} only.
     */
    public static final int MAX_RECORDED_REQUESTS = 10_000;
    /** Requests (and WebSocket sessions) a fake serves at once, at most. */
    public static final int MAX_THREADS = 2_000;
    /** A fake that nobody closes stops after this long, so a forgotten one cannot outlive a test run. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(30);

    private final Javalin app;
    private final Thread reaper;
    private final ConcurrentLinkedQueue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
    private final AtomicLong recorded = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private volatile int maxRecorded = MAX_RECORDED_REQUESTS;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<String, ConcurrentLinkedQueue<Duration>> lateness = new ConcurrentHashMap<>();
    private final AtomicLong latenessSamples = new AtomicLong();

    /**
     * Starts a server with the routes {@code routes} adds.
     *
     * @param lifetime how long the server runs at most before it stops by itself
     */
    public FakeServerSupport(String name, Duration lifetime, Consumer<JavalinConfig> routes) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be > 0, was " + lifetime);
        }
        app = Javalin.create(config -> {
            config.jetty.host = "127.0.0.1";
            config.jetty.port = 0;
            // Platform threads, not virtual ones: a fake shares its JVM with the hotline under test in
            // `hotline bench`, and must keep its promised latencies even when the hotline's virtual threads
            // occupy every carrier thread. Sleeping handlers cost a platform thread each, so the pool is large.
            config.jetty.threadPool = new QueuedThreadPool(MAX_THREADS, 8, (int) Duration.ofMinutes(1).toMillis());
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            routes.accept(config);
        });
        app.start();
        reaper = Thread.ofVirtual().name(name + "-lifetime").start(() -> {
            try {
                Thread.sleep(lifetime);
                close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    /** The port the server listens on. */
    public int port() {
        return app.port();
    }

    /**
     * Remembers at most {@code max} requests from now on (0: none, and their bodies are never copied). A load test
     * sets 0: remembering every upload would grow the heap it shares with the callers by megabytes a second, and the
     * collector's pauses would delay the fakes' answers.
     */
    public void rememberAtMost(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, was " + max);
        }
        maxRecorded = max;
    }

    /**
     * Remembers the request {@code request} builds, unless as many as the limit are remembered already; then it
     * counts it as dropped without building it.
     */
    public void record(Supplier<RecordedRequest> request) {
        if (recorded.incrementAndGet() > maxRecorded) {
            dropped.incrementAndGet();
            return;
        }
        requests.add(request.get());
    }

    /**
     * Notes how late the fake was at {@code stage} (e.g. {@code "stt"}): now minus {@code dueNanos}, the
     * {@link System#nanoTime()} it promised, never below zero. A fake that answers late makes every client look
     * slow; this tells its own delay apart. The first {@link #MAX_RECORDED_REQUESTS} samples are kept.
     */
    public void recordLateness(String stage, long dueNanos) {
        if (latenessSamples.incrementAndGet() <= MAX_RECORDED_REQUESTS) {
            lateness.computeIfAbsent(stage, s -> new ConcurrentLinkedQueue<>())
                    .add(Duration.ofNanos(Math.max(0, System.nanoTime() - dueNanos)));
        }
    }

    /** Every lateness noted so far, by stage. */
    public Map<String, List<Duration>> lateness() {
        Map<String, List<Duration>> copy = new TreeMap<>();
        lateness.forEach((stage, samples) -> copy.put(stage, List.copyOf(samples)));
        return copy;
    }

    /** The requests received so far, oldest first. */
    public List<RecordedRequest> requests() {
        return new ArrayList<>(requests);
    }

    /** Requests received after as many as the limit were remembered. */
    public long droppedRequests() {
        return dropped.get();
    }

    /** Forgets the recorded requests. */
    public void clearRequests() {
        requests.clear();
        recorded.set(0);
        dropped.set(0);
    }

    /**
     * Closes the TCP connection under {@code ctx} at once, without finishing the response: the client sees
     * a reset or an unexpected end of stream.
     */
    public static void dropConnection(Context ctx) {
        ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        request.getConnectionMetaData().getConnection().getEndPoint().close();
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            app.stop();
            if (Thread.currentThread() != reaper) {
                reaper.interrupt();
            }
        }
    }

    /** Parks the calling thread until {@link System#nanoTime()} reaches {@code deadlineNanos}, or it is interrupted. */
    public static void sleepUntil(long deadlineNanos) {
        long left;
        while ((left = deadlineNanos - System.nanoTime()) > 0) {
            LockSupport.parkNanos(left);
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    /** The request's headers, names in lower case, first value of each. */
    public static Map<String, String> headersOf(Context ctx) {
        Map<String, String> headers = new HashMap<>();
        ctx.headerMap().forEach((k, v) -> headers.putIfAbsent(k.toLowerCase(Locale.ROOT), v));
        return headers;
    }

    /** The request's query parameters, first value of each. */
    public static Map<String, String> queryOf(Context ctx) {
        Map<String, String> query = new HashMap<>();
        ctx.queryParamMap().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
        return query;
    }

    /** A WebSocket upgrade request's query parameters, first value of each. */
    public static Map<String, String> queryOfWs(io.javalin.websocket.WsContext ctx) {
        Map<String, String> query = new HashMap<>();
        ctx.queryParamMap().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
        return query;
    }

    /** A random string of ASCII letters and digits, like the ids providers hand out. */
    public static String randomAlphanumeric(int length) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder sb = new StringBuilder(length);
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
