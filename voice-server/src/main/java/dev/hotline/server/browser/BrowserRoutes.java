package dev.hotline.server.browser;

import dev.hotline.core.Persona;
import dev.hotline.server.CallHandler;
import dev.hotline.server.CallLimiter;
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
 * (403 when not allowed). Once it is open, the call must be admitted by the server's {@link CallLimiter}, the
 * same limits as phone calls, with {@code browser:<remote IP address>} as the caller; a refused socket, like
 * one opened while the {@link CallHandler} takes no calls, is closed with code 1013 and a reason the page
 * shows. An admitted call gets a {@link BrowserCallTransport}, registered with the {@link BrowserCallRelay} and handed
 * to the call handler; its place in the limiter is released when its socket closes.
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

    /** The close reason a refused page shows; the log says why. */
    static final String NOT_TAKING_CALLS = "the hotline can't take your call right now, please try again later";

    /** A browser caller's key in the limiter: this prefix and its IP address, never mistaken for a number. */
    static final String CALLER_PREFIX = "browser:";

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
    private final CallHandler calls;
    private final BrowserCallRelay relay;
    private final CallLimiter limiter;
    private final ThreadFactory writerThreads = Thread.ofVirtual().name("browser-call-writer-", 0).factory();
    private final String page;
    private final Map<String, byte[]> assets;
    private final Map<String, BrowserCallTransport> open = new ConcurrentHashMap<>();

    /**
     * @param settings whether browser calls are on and which origins may open the socket
     * @param persona the persona the engine speaks as; its name heads the page
     * @param calls takes each admitted call (the engine)
     * @param relay forwards the engine's events to the pages; must be among the engine's observers
     * @param limiter the server's call limits; a browser caller is known by its IP address
     * @throws IllegalStateException if the page's resources are missing from the jar
     */
    public BrowserRoutes(BrowserSettings settings, Persona persona, CallHandler calls, BrowserCallRelay relay,
            CallLimiter limiter) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(persona, "persona");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.relay = Objects.requireNonNull(relay, "relay");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
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
        return open.size();
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
        ws.onMessage(ctx -> withCall(ctx, transport -> transport.onText(ctx.message())));
        ws.onBinaryMessage(this::onBinary);
        ws.onClose(this::onClosed);
        ws.onError(ctx -> {
            log.info("browser socket {} failed: {}", ctx.sessionId(), String.valueOf(ctx.error()));
            onClosed(ctx);
        });
    }

    private void onConnect(WsContext ctx) {
        String address = remoteAddress(ctx.session.getRemoteSocketAddress());
        if (!calls.ready()) {
            log.info("browser call from {} refused: the hotline takes no calls now", address);
            ctx.closeSession(BrowserCallTransport.CLOSE_TRY_AGAIN_LATER, NOT_TAKING_CALLS);
            return;
        }
        String callId = "browser-" + UUID.randomUUID();
        CallLimiter.Decision decision = limiter.admit(callId, CALLER_PREFIX + address);
        if (!decision.admitted()) {
            log.info("browser call from {} refused: {}", address, decision.reason());
            ctx.closeSession(BrowserCallTransport.CLOSE_TRY_AGAIN_LATER, NOT_TAKING_CALLS);
            return;
        }
        limiter.connected(callId);
        String origin = ctx.header("Origin");
        BrowserCallTransport transport = new BrowserCallTransport(callId, address,
                origin == null ? Map.of() : Map.of("origin", origin), new JettyBrowserSocket(ctx.session),
                writerThreads);
        open.put(ctx.sessionId(), transport);
        relay.register(transport);
        try {
            calls.startCall(transport);
        } catch (IllegalStateException e) {
            log.info("browser call from {} refused: {}", address, e.getMessage());
            onClosed(ctx);
            ctx.closeSession(BrowserCallTransport.CLOSE_TRY_AGAIN_LATER, NOT_TAKING_CALLS);
        }
    }

    private void onBinary(WsBinaryMessageContext ctx) {
        ByteBuffer data = ctx.data();
        byte[] frame = new byte[data.remaining()];
        data.get(frame);
        withCall(ctx, transport -> transport.onBinary(frame));
    }

    private void onClosed(WsContext ctx) {
        BrowserCallTransport transport = open.remove(ctx.sessionId());
        if (transport == null) {
            return;
        }
        try {
            transport.onClosed();
        } finally {
            relay.unregister(transport.callId());
            limiter.release(transport.callId());
        }
    }

    private void withCall(WsContext ctx, Consumer<BrowserCallTransport> action) {
        BrowserCallTransport transport = open.get(ctx.sessionId());
        if (transport != null) {
            action.accept(transport);
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
}
