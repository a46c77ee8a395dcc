package dev.hotline.server.browser;

import dev.hotline.core.CallTransport;
import dev.hotline.core.Persona;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.NotFoundResponse;
import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The browser call routes: {@code GET /} serves the call page (and {@code GET /browser/<file>} its scripts
 * and style, from the jar), {@code WS /browser-stream} takes the page's call.
 *
 * <p>Before the socket upgrade, the {@code Origin} header is checked against {@link BrowserSettings}
 * (403 when not allowed). Once it is open, the caller (keyed by remote IP address) must be admitted by the
 * {@link CallerLimit}, the same limits as phone callers; a refused socket is closed with code 1013 and a
 * reason the page shows. An admitted call gets a {@link BrowserCallTransport}, registered with the
 * {@link BrowserCallRelay} and handed to the engine.
 *
 * <p>When browser calls are switched off ({@link BrowserSettings#enabled()} false), {@link #addTo} registers
 * nothing, so both paths answer 404.
 *
 * <p>Thread-safe: Jetty calls the socket handlers of different calls concurrently, of one call in order.
 */
public final class BrowserRoutes {

    /** Where the call page is served. */
    public static final String PAGE_PATH = "/";
    /** Where the page's socket connects. */
    public static final String SOCKET_PATH = "/browser-stream";
    /** Where the page's scripts and style are served. */
    public static final String ASSET_PATH = "/browser/{file}";

    private static final Logger log = LoggerFactory.getLogger(BrowserRoutes.class);
    private static final String RESOURCE_DIR = "/public/browser/";
    private static final Map<String, String> ASSET_TYPES = Map.of(
            "app.js", "text/javascript; charset=utf-8",
            "capture-worklet.js", "text/javascript; charset=utf-8",
            "playback-worklet.js", "text/javascript; charset=utf-8",
            "style.css", "text/css; charset=utf-8");
    /** Scripts, style and the socket come from this server only; nothing inline runs. */
    private static final String CONTENT_SECURITY_POLICY =
            "default-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    private final BrowserSettings settings;
    private final Consumer<CallTransport> engine;
    private final BrowserCallRelay relay;
    private final CallerLimit limit;
    private final ThreadFactory writerThreads = Thread.ofVirtual().name("browser-call-writer-", 0).factory();
    private final String page;
    private final Map<String, byte[]> assets;
    private final Map<String, Call> calls = new ConcurrentHashMap<>();

    /**
     * @param settings whether browser calls are on and which origins may open the socket
     * @param persona the persona the engine speaks as; its name heads the page
     * @param engine takes each admitted call (e.g. {@code engine::startCall}); may throw
     *     {@code IllegalStateException} when it takes no more calls, and the socket is then closed with 1013
     * @param relay forwards the engine's events to the pages; must be among the engine's observers
     * @param limit per-caller limits, keyed by remote IP address
     * @throws IllegalStateException if the page's resources are missing from the jar
     */
    public BrowserRoutes(BrowserSettings settings, Persona persona, Consumer<CallTransport> engine,
            BrowserCallRelay relay, CallerLimit limit) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(persona, "persona");
        this.engine = Objects.requireNonNull(engine, "engine");
        this.relay = Objects.requireNonNull(relay, "relay");
        this.limit = Objects.requireNonNull(limit, "limit");
        this.page = new String(resource("index.html"), StandardCharsets.UTF_8)
                .replace("{{personaName}}", escapeHtml(persona.name()));
        Map<String, byte[]> loaded = new ConcurrentHashMap<>();
        for (String name : ASSET_TYPES.keySet()) {
            loaded.put(name, resource(name));
        }
        this.assets = Map.copyOf(loaded);
    }

    /** Registers the page, its assets and the socket, or nothing when browser calls are switched off. */
    public void addTo(RoutesConfig routes) {
        if (!settings.enabled()) {
            log.info("browser calls are off ({}=false): {} and {} are not served",
                    BrowserSettings.ENABLED_VARIABLE, PAGE_PATH, SOCKET_PATH);
            return;
        }
        routes.get(PAGE_PATH, this::servePage);
        routes.get(ASSET_PATH, this::serveAsset);
        routes.wsBeforeUpgrade(SOCKET_PATH, this::checkOrigin);
        routes.ws(SOCKET_PATH, this::socket);
    }

    /** Browser calls whose sockets are open. */
    int openCalls() {
        return calls.size();
    }

    private void servePage(Context ctx) {
        securityHeaders(ctx);
        ctx.contentType("text/html; charset=utf-8").result(page);
    }

    private void serveAsset(Context ctx) {
        String name = ctx.pathParam("file");
        byte[] body = assets.get(name);
        String type = ASSET_TYPES.get(name);
        if (body == null || type == null) {
            throw new NotFoundResponse("no such file: " + name);
        }
        securityHeaders(ctx);
        ctx.contentType(type).result(body);
    }

    private void checkOrigin(Context ctx) {
        String origin = ctx.header("Origin");
        if (!settings.allowsOrigin(origin, ctx.header("Host"))) {
            log.info("browser socket refused: origin {} is not allowed", origin);
            throw new ForbiddenResponse("origin not allowed: " + origin);
        }
    }

    private void socket(WsConfig ws) {
        ws.onConnect(this::onConnect);
        ws.onMessage(ctx -> withCall(ctx, call -> call.transport().onText(ctx.message())));
        ws.onBinaryMessage(this::onBinary);
        ws.onClose(this::onClosed);
        ws.onError(ctx -> {
            log.info("browser socket {} failed: {}", ctx.sessionId(), String.valueOf(ctx.error()));
            onClosed(ctx);
        });
    }

    private void onConnect(WsContext ctx) {
        String address = remoteAddress(ctx.session.getRemoteSocketAddress());
        CallerLimit.Admission admission = limit.tryAdmit(address).orElse(null);
        if (admission == null) {
            log.info("browser call from {} refused: over the per-caller limit", address);
            ctx.closeSession(BrowserCallTransport.CLOSE_TRY_AGAIN_LATER, "too many calls from your address");
            return;
        }
        String origin = ctx.header("Origin");
        BrowserCallTransport transport = new BrowserCallTransport("browser-" + UUID.randomUUID(), address,
                origin == null ? Map.of() : Map.of("origin", origin), new JettyBrowserSocket(ctx.session),
                writerThreads);
        calls.put(ctx.sessionId(), new Call(transport, admission));
        relay.register(transport);
        try {
            engine.accept(transport);
        } catch (IllegalStateException e) {
            log.info("browser call from {} refused: {}", address, e.getMessage());
            onClosed(ctx);
            ctx.closeSession(BrowserCallTransport.CLOSE_TRY_AGAIN_LATER, "the hotline is not taking calls");
        }
    }

    private void onBinary(WsBinaryMessageContext ctx) {
        ByteBuffer data = ctx.data();
        byte[] frame = new byte[data.remaining()];
        data.get(frame);
        withCall(ctx, call -> call.transport().onBinary(frame));
    }

    private void onClosed(WsContext ctx) {
        Call call = calls.remove(ctx.sessionId());
        if (call == null) {
            return;
        }
        try {
            call.transport().onClosed();
        } finally {
            relay.unregister(call.transport().callId());
            call.admission().close();
        }
    }

    private void withCall(WsContext ctx, Consumer<Call> action) {
        Call call = calls.get(ctx.sessionId());
        if (call != null) {
            action.accept(call);
        }
    }

    private static void securityHeaders(Context ctx) {
        ctx.header("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Cache-Control", "no-cache");
    }

    private static String remoteAddress(SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() != null) {
            return inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }

    private static byte[] resource(String name) {
        try (InputStream in = BrowserRoutes.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("the browser page's resource " + RESOURCE_DIR + name
                        + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE_DIR + name, e);
        }
    }

    static String escapeHtml(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** An open browser call: its transport and the limiter's admission to give back at the end. */
    private record Call(BrowserCallTransport transport, CallerLimit.Admission admission) {
    }
}
