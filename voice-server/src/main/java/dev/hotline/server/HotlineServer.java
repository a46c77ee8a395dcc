package dev.hotline.server;

import dev.hotline.core.CallInfo;
import dev.hotline.core.ProviderException;
import dev.hotline.server.browser.BrowserRoutes;
import dev.hotline.twilio.MediaStreamCodec;
import dev.hotline.twilio.TextFrameSender;
import dev.hotline.twilio.TwilioCallControl;
import dev.hotline.twilio.TwilioCallTransport;
import dev.hotline.twilio.TwilioSignatures;
import dev.hotline.twilio.TwimlBuilder;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HttpStatus;
import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsCloseContext;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsErrorContext;
import io.javalin.websocket.WsMessageContext;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.websocket.api.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The HTTP and WebSocket server a Twilio number points at (Javalin on virtual threads).
 *
 * <pre>
 * POST /voice          Twilio's voice webhook: signature, limits, then TwiML that connects the Media Stream
 * POST /voice-status   Twilio's status callback: frees the call's slot when it ends; 204
 * WS   /voice-stream   the Media Stream: signature on upgrade, then one TwilioCallTransport per socket
 * GET  /healthz        alive
 * GET  /readyz         ready to take calls (not while draining)
 * GET  /, WS /browser-stream   browser calls, when {@link BrowserRoutes} are given (see docs/browser.md)
 * </pre>
 *
 * <p><b>Lifecycle.</b> {@link #start} binds the port; {@link #shutdown} stops taking calls, lets running ones
 * finish up to the drain timeout and stops. Per-call state (the open streams) is removed when a call ends and
 * swept every {@link #SWEEP_EVERY} in case an end was missed.
 *
 * <p><b>Failures.</b> A forged or missing signature gets 403 (on the upgrade: no socket) and one log line. Bad
 * input on a socket never reaches another call: the transport drops it and logs it once.
 */
public final class HotlineServer {

    /** How often per-call state and the limiter are swept for entries whose end was missed. */
    static final Duration SWEEP_EVERY = Duration.ofSeconds(30);
    /** What a refused caller hears; the reason goes to the log only. */
    static final String REFUSAL = "Sorry, this hotline can't take your call right now. Please try again later. Goodbye!";
    /** What a caller hears while the server shuts down. */
    static final String DRAINING = "Sorry, the hotline is restarting. Please call again in a minute. Goodbye!";
    /** Frames larger than this are refused by Jetty, which closes the socket (1009); smaller ones reach the codec. */
    static final int MAX_SOCKET_MESSAGE_BYTES = 1024 * 1024;
    /** What Jetty reads at once and first reserves for a text message; larger messages grow past it. */
    static final int SOCKET_INPUT_BUFFER_BYTES = 1024;
    /** A socket silent for this long is closed; Twilio sends a frame every 20 ms while a call is up. */
    static final Duration SOCKET_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** The most time one outbound frame may take to be written before the socket counts as dead. */
    static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);
    /** How often the sockets are checked for a write older than {@link #WRITE_TIMEOUT}. */
    static final Duration WRITE_CHECK_EVERY = Duration.ofSeconds(1);
    /** Media frames a call may have waiting to be written: 2 s of 20 ms chunks. */
    static final int MAX_QUEUED_MEDIA = 100;
    private static final Set<String> FINAL_CALL_STATUSES = Set.of("completed", "busy", "failed", "no-answer", "canceled");

    private static final Logger LOG = LoggerFactory.getLogger(HotlineServer.class);

    private final ServerConfig config;
    private final CallHandler calls;
    private final CallLimiter limiter;
    private final TwilioCallControl callControl;
    private final TwilioSignatures signatures;
    private final MediaStreamCodec codec = new MediaStreamCodec();
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("hotline-sweeper").factory());
    private final Javalin app;
    private volatile boolean draining;

    /** A server for phone calls only (no browser call page). */
    public HotlineServer(ServerConfig config, CallHandler calls, CallLimiter limiter, TwilioCallControl callControl) {
        this(config, calls, limiter, callControl, null);
    }

    /**
     * @param config the settings
     * @param calls where calls go
     * @param limiter the abuse limits
     * @param callControl hangs calls up through Twilio's REST API, or {@code null} to only close the socket
     * @param browser the browser call page and socket, or {@code null} to serve none
     */
    public HotlineServer(ServerConfig config, CallHandler calls, CallLimiter limiter, TwilioCallControl callControl,
            BrowserRoutes browser) {
        this.config = Objects.requireNonNull(config, "config");
        this.calls = Objects.requireNonNull(calls, "calls");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.callControl = callControl;
        this.signatures = config.checksSignatures() ? new TwilioSignatures(config.twilioAuthToken()) : null;
        this.app = Javalin.create(javalin -> {
            javalin.concurrency.useVirtualThreads = true;
            javalin.startup.showJavalinBanner = false;
            javalin.jetty.modifyWebSocketServletFactory(factory -> {
                factory.setMaxTextMessageSize(MAX_SOCKET_MESSAGE_BYTES);
                factory.setMaxBinaryMessageSize(MAX_SOCKET_MESSAGE_BYTES);
                factory.setIdleTimeout(SOCKET_IDLE_TIMEOUT);
                // Jetty sizes both its read buffer and each text message's first buffer by this; its default
                // (4 kB) for ~330-byte media messages was a fifth of the hotline's allocation at 200 calls.
                factory.setInputBufferSize(SOCKET_INPUT_BUFFER_BYTES);
                // Audio in base64 barely compresses, and deflating every 20 ms frame took about 5 % of the
                // server's CPU at 100 calls (docs/benchmarks.md): never negotiate it, on any socket.
                factory.getAvailableExtensionNames().remove("permessage-deflate");
            });
            javalin.routes.get("/healthz", this::health);
            javalin.routes.get("/readyz", this::readiness);
            javalin.routes.post("/voice", this::voiceWebhook);
            javalin.routes.post("/voice-status", this::statusCallback);
            javalin.routes.wsBeforeUpgrade(TwimlBuilder.STREAM_PATH, this::checkUpgradeSignature);
            javalin.routes.ws(TwimlBuilder.STREAM_PATH, this::mediaStream);
            if (browser != null) {
                browser.addTo(javalin.routes);
            }
        });
    }

    /** Binds the configured port (0: a free one) and starts sweeping. */
    public HotlineServer start() {
        app.start(config.port());
        sweeper.scheduleAtFixedRate(this::sweep, SWEEP_EVERY.toMillis(), SWEEP_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        sweeper.scheduleWithFixedDelay(this::checkWrites, WRITE_CHECK_EVERY.toMillis(), WRITE_CHECK_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return this;
    }

    /** The port bound. */
    public int port() {
        return app.port();
    }

    /** Whether the server is shutting down (it refuses new calls then). */
    public boolean draining() {
        return draining;
    }

    /** Media streams open now. */
    public int openStreams() {
        return streams.size();
    }

    /**
     * Stops taking calls, lets running calls finish for up to the drain timeout, closes what is left and stops
     * the server. Blocks until done; calling it again does nothing.
     */
    public synchronized void shutdown() {
        if (draining) {
            return;
        }
        draining = true;
        LOG.info("shutting down: {} call(s) running, draining for up to {} s", calls.activeCalls(),
                config.drainTimeout().toSeconds());
        calls.shutdown(config.drainTimeout());
        streams.values().forEach(stream -> stream.sender().close(1001, "server shutting down"));
        sweeper.shutdownNow();
        app.stop();
        LOG.info("stopped");
    }

    // ---- HTTP routes ----

    private void health(Context ctx) {
        ctx.result("ok");
    }

    private void readiness(Context ctx) {
        if (draining) {
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result("draining");
        } else if (!calls.ready()) {
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result("no call handler");
        } else {
            ctx.result("ready");
        }
    }

    private void voiceWebhook(Context ctx) {
        requireWebhookSignature(ctx);
        String callSid = ctx.formParam("CallSid");
        String from = ctx.formParam("From");
        ctx.contentType("text/xml");
        try (MDC.MDCCloseable mdc = MDC.putCloseable("callSid", callSid == null ? "unknown" : callSid)) {
            if (callSid == null || callSid.isBlank()) {
                LOG.warn("voice webhook without CallSid: refused");
                ctx.status(HttpStatus.BAD_REQUEST).result(TwimlBuilder.refuse(REFUSAL));
                return;
            }
            if (draining || !calls.ready()) {
                LOG.info("call refused: {}", draining ? "draining" : "no call handler");
                ctx.result(TwimlBuilder.refuse(draining ? DRAINING : REFUSAL));
                return;
            }
            CallLimiter.Decision decision = limiter.admit(callSid, from);
            if (!decision.admitted()) {
                LOG.info("call refused: {}", decision.reason());
                ctx.result(TwimlBuilder.refuse(REFUSAL));
                return;
            }
            Map<String, String> parameters = new LinkedHashMap<>();
            parameters.put("From", from);
            parameters.put("To", ctx.formParam("To"));
            parameters.put("CallSid", callSid);
            LOG.info("call admitted from {}", from);
            ctx.result(new TwimlBuilder(publicOrigin(ctx)).connectStream(parameters));
        }
    }

    private void statusCallback(Context ctx) {
        requireWebhookSignature(ctx);
        String callSid = ctx.formParam("CallSid");
        String status = ctx.formParam("CallStatus");
        try (MDC.MDCCloseable mdc = MDC.putCloseable("callSid", callSid == null ? "unknown" : callSid)) {
            LOG.info("call status {} (duration {} s)", status, ctx.formParam("CallDuration"));
            if (callSid != null && status != null && FINAL_CALL_STATUSES.contains(status.toLowerCase(Locale.ROOT))) {
                limiter.release(callSid);
            }
        }
        ctx.status(HttpStatus.NO_CONTENT);
    }

    private void requireWebhookSignature(Context ctx) {
        if (signatures == null) {
            return;
        }
        String url = origin(ctx) + ctx.path() + (ctx.queryString() == null ? "" : "?" + ctx.queryString());
        String signature = ctx.header(TwilioSignatures.HEADER);
        if (!signatures.validWebhook(url, ctx.formParamMap(), signature)) {
            LOG.warn("rejected {} {} from {}: {} X-Twilio-Signature", ctx.method(), ctx.path(), ctx.ip(),
                    signature == null ? "missing" : "invalid");
            throw new ForbiddenResponse("invalid signature");
        }
    }

    // ---- the Media Stream socket ----

    private void checkUpgradeSignature(Context ctx) {
        if (signatures == null) {
            return;
        }
        String url = TwimlBuilder.streamUrl(publicOrigin(ctx));
        String signature = ctx.header(TwilioSignatures.HEADER.toLowerCase(Locale.ROOT));
        if (!signatures.validWebSocketUpgrade(url, signature)) {
            LOG.warn("rejected the media stream upgrade from {}: {} x-twilio-signature", ctx.ip(),
                    signature == null ? "missing" : "invalid");
            throw new ForbiddenResponse("invalid signature");
        }
    }

    private void mediaStream(WsConfig ws) {
        ws.onConnect(this::streamOpened);
        ws.onMessage(this::streamText);
        ws.onBinaryMessage(this::streamBinary);
        ws.onClose(this::streamClosed);
        ws.onError(this::streamFailed);
    }

    private void streamOpened(WsConnectContext ctx) {
        String id = ctx.sessionId();
        JettySender sender = new JettySender(ctx);
        TwilioCallTransport transport = new TwilioCallTransport(sender, codec, MAX_QUEUED_MEDIA, new StreamHooks(id));
        streams.put(id, new Stream(transport, sender));
        try {
            if (draining || !calls.ready()) {
                calls.refuseCall(transport, DRAINING);
            } else {
                calls.startCall(transport);
            }
        } catch (RuntimeException e) {
            // The handler could not take the call at all: end it cleanly rather than leave a silent line.
            LOG.error("the call handler could not take the call: {}", e.toString());
            transport.hangUp();
        }
    }

    private void streamText(WsMessageContext ctx) {
        Stream stream = streams.get(ctx.sessionId());
        if (stream != null) {
            withCallMdc(stream.transport(), () -> stream.transport().onText(ctx.message()));
        }
    }

    private void streamBinary(WsBinaryMessageContext ctx) {
        Stream stream = streams.get(ctx.sessionId());
        if (stream != null) {
            withCallMdc(stream.transport(), () -> stream.transport().onBinary(ctx.data().remaining()));
        }
    }

    private void streamClosed(WsCloseContext ctx) {
        Stream stream = streams.remove(ctx.sessionId());
        if (stream != null) {
            withCallMdc(stream.transport(), () -> stream.transport().onClosed(ctx.status(), ctx.reason()));
        }
    }

    private void streamFailed(WsErrorContext ctx) {
        Stream stream = streams.get(ctx.sessionId());
        Throwable error = ctx.error();
        Runnable log = () -> LOG.warn("media stream socket error: {}", error == null ? "unknown" : error.toString());
        if (stream != null) {
            withCallMdc(stream.transport(), log);
        } else {
            log.run();
        }
    }

    private void checkWrites() {
        for (Stream stream : streams.values()) {
            // The transport's own log line carries the call's ids, so no MDC is set around it here.
            stream.transport().endIfWriteStalled(WRITE_TIMEOUT);
        }
    }

    private void sweep() {
        limiter.sweep();
        streams.entrySet().removeIf(entry -> {
            if (entry.getValue().sender().isOpen()) {
                return false;
            }
            entry.getValue().transport().onClosed(1006, "swept");
            return true;
        });
    }

    private void hangUpThroughRest(String callSid) {
        try (MDC.MDCCloseable mdc = MDC.putCloseable("callSid", callSid)) {
            try {
                boolean ended = callControl.hangUp(callSid);
                LOG.info(ended ? "hung up through the REST API" : "hang-up: the call had already ended");
            } catch (ProviderException e) {
                LOG.warn("hang-up through the REST API failed ({}): {}", e.kind(), e.getMessage());
            }
        }
    }

    /** The origin Twilio called: PUBLIC_BASE_URL, else the forwarded headers when trusted, else the Host header. */
    private String origin(Context ctx) {
        if (config.publicBaseUrl() != null) {
            return config.publicBaseUrl().toString();
        }
        String scheme = ctx.scheme();
        String host = ctx.host();
        if (config.trustProxy()) {
            scheme = firstValue(ctx.header("X-Forwarded-Proto"), scheme);
            host = firstValue(ctx.header("X-Forwarded-Host"), host);
        }
        return scheme + "://" + host;
    }

    /** {@link #origin} as a URI; a Host header that makes no URL is the client's error (400), never ours. */
    private URI publicOrigin(Context ctx) {
        String origin = origin(ctx);
        try {
            URI uri = new URI(origin);
            if (uri.getHost() != null) {
                return uri;
            }
        } catch (URISyntaxException e) {
            // reported below
        }
        LOG.warn("refused {} {}: the request names no usable host", ctx.method(), ctx.path());
        throw new BadRequestResponse("unusable Host header");
    }

    private static String firstValue(String header, String fallback) {
        if (header == null || header.isBlank()) {
            return fallback;
        }
        return header.split(",")[0].strip();
    }

    private static void withCallMdc(TwilioCallTransport transport, Runnable action) {
        withCallMdc(transport.call(), action);
    }

    /** Runs {@code action} with the call's ids in the MDC, then restores what the thread had. */
    private static void withCallMdc(CallInfo call, Runnable action) {
        if (call == null) {
            action.run();
        } else {
            CallMdc.run(call.callId(), call.streamId(), action);
        }
    }

    private record Stream(TwilioCallTransport transport, JettySender sender) {
    }

    /** Per-socket hooks: the limiter's slot, REST hang-up and removal of the call's state. */
    private final class StreamHooks implements TwilioCallTransport.Hooks {
        private final String sessionId;

        StreamHooks(String sessionId) {
            this.sessionId = sessionId;
        }

        @Override
        public void callStarted(CallInfo call) {
            limiter.connected(call.callId());
            withCallMdc(call, () -> LOG.info("media stream started"));
        }

        @Override
        public void hangUp(String callSid) {
            if (callControl != null) {
                Thread.ofVirtual().name("hotline-hangup").start(() -> hangUpThroughRest(callSid));
            }
        }

        @Override
        public void callEnded(CallInfo call, String reason) {
            streams.remove(sessionId);
            if (call != null) {
                limiter.release(call.callId());
            }
            withCallMdc(call, () -> LOG.info("media stream ended: {}", reason));
        }
    }

    /** Jetty's session as a {@link TextFrameSender}: its asynchronous send, its callback told on. */
    private static final class JettySender implements TextFrameSender {
        private final WsContext ctx;

        JettySender(WsContext ctx) {
            this.ctx = ctx;
        }

        boolean isOpen() {
            return ctx.session.isOpen();
        }

        @Override
        public void sendText(String frame, Written done) {
            ctx.session.sendText(frame, Callback.from(done::written, done::failed));
        }

        @Override
        public void close(int statusCode, String reason) {
            if (ctx.session.isOpen()) {
                ctx.closeSession(statusCode, reason);
            }
        }
    }
}
