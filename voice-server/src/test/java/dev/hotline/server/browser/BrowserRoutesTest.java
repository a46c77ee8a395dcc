package dev.hotline.server.browser;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallTransport;
import dev.hotline.core.Persona;
import dev.hotline.server.CallHandler;
import dev.hotline.server.CallLimiter;
import dev.hotline.server.InMemoryCallLimiter;
import io.javalin.Javalin;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BrowserRoutesTest {

    private static final Persona PERSONA = new Persona("Jason <the> \"Synth\"", "Hey! Thanks for calling.",
            "Be brief.", "Bye!", java.util.List.of("Still there?"), "Sorry?", "Oops.", null, "en");

    private final HttpClient http = HttpClient.newHttpClient();
    private final FakeEngine engine = new FakeEngine();
    private final BrowserCallRelay relay = new BrowserCallRelay(PERSONA);
    /** The server's real limiter: one call at a time. */
    private final InMemoryCallLimiter limiter = new InMemoryCallLimiter(
            new CallLimiter.Limits(10, 1, Set.of(), Set.of()), Clock.systemUTC(), Duration.ofHours(1));
    private Javalin app;

    @AfterEach
    void stopServer() {
        if (app != null) {
            app.stop();
        }
    }

    @Test
    void givenBrowserCallsOn_whenThePageIsFetched_thenItNamesThePersonaEscapedAndForbidsForeignScripts()
            throws Exception {
        start(BrowserSettings.defaults());
        HttpResponse<String> page = get("/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.body()).contains("<h1 id=\"persona\">Jason &lt;the&gt; &quot;Synth&quot;</h1>")
                .doesNotContain("{{personaName}}");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                v -> assertThat(v).contains("default-src 'self'"));

        HttpResponse<String> script = get("/browser/capture-worklet.js");
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.headers().firstValue("Content-Type")).hasValueSatisfying(
                v -> assertThat(v).startsWith("text/javascript"));
        assertThat(script.body()).contains("registerProcessor('pcm16-capture'");
        assertThat(get("/browser/../pom.xml").statusCode()).isEqualTo(404);
        assertThat(get("/browser/secret.js").statusCode()).isEqualTo(404);
    }

    @Test
    void givenBrowserCallsOff_whenPageOrSocketIsRequested_thenBothAreNotFound() throws Exception {
        start(new BrowserSettings(false, Set.of()));

        assertThat(get("/").statusCode()).isEqualTo(404);
        assertThat(refusedHandshakeStatus(sameOrigin())).isEqualTo(404);
        assertThat(engine.calls.get()).isZero();
    }

    @Test
    void givenForeignOrigin_whenSocketOpens_thenTheUpgradeIsRefusedAndNoCallStarts() throws Exception {
        start(BrowserSettings.defaults());

        assertThat(refusedHandshakeStatus("https://evil.example")).isEqualTo(403);
        assertThat(engine.calls.get()).isZero();
        assertThat(limiter.activeCalls()).isZero();
    }

    @Test
    void givenAllowListedOrigin_whenSocketOpens_thenTheCallStarts() throws Exception {
        start(new BrowserSettings(true, Set.of("https://app.example.com")));
        ClientSocket client = new ClientSocket();
        WebSocket socket = connect("https://app.example.com", client);
        socket.sendText("{\"type\":\"start\"}", true).join();

        assertThat(engine.next()).isEqualTo("start:127.0.0.1");
    }

    @Test
    void givenAdmittedCall_whenItRuns_thenAudioMarksCaptionsAndStopFlowBothWays() throws Exception {
        start(BrowserSettings.defaults());
        ClientSocket client = new ClientSocket();
        WebSocket socket = connect(sameOrigin(), client);

        socket.sendText("{\"type\":\"start\",\"persona\":\"Jason\"}", true).join();
        assertThat(engine.next()).isEqualTo("start:127.0.0.1");
        assertThat(engine.info.parameters()).containsEntry("persona", "Jason").containsEntry("origin", sameOrigin());
        assertThat(client.next()).isEqualTo("binary:640");
        assertThat(client.next()).isEqualTo("{\"type\":\"mark\",\"name\":\"greeting-1\"}");

        socket.sendBinary(ByteBuffer.wrap(new byte[640]), true).join();
        socket.sendText("{\"type\":\"mark\",\"name\":\"greeting-1\"}", true).join();
        assertThat(engine.next()).isEqualTo("audio:640");
        assertThat(engine.next()).isEqualTo("mark:greeting-1");

        String callId = engine.info.callId();
        relay.onEvent(new CallEvent.CallStarted(callId, Instant.now(), engine.info));
        relay.onEvent(new CallEvent.TurnCompleted(callId, Instant.now(), 1, "Hello?", "Hi, glad you called.",
                new CallEvent.TurnTimings(null, null, null, null, Duration.ofMillis(742), null), false));
        relay.onEvent(new CallEvent.CallStarted("CA-some-phone-call", Instant.now(), engine.info));
        assertThat(client.next()).isEqualTo("{\"type\":\"caption\",\"who\":\"persona\",\"text\":\"Hey! Thanks for calling.\"}");
        assertThat(client.next()).isEqualTo("{\"type\":\"caption\",\"who\":\"caller\",\"text\":\"Hello?\"}");
        assertThat(client.next()).isEqualTo("{\"type\":\"caption\",\"who\":\"persona\",\"text\":\"Hi, glad you called.\"}");
        assertThat(client.next()).isEqualTo("{\"type\":\"turn\",\"latencyMs\":742}");

        socket.sendText("{\"type\":\"stop\"}", true).join();
        assertThat(engine.next()).isEqualTo("stop");
        assertThat(client.next()).isEqualTo("close:1000:caller hung up");
        awaitReleased();
        assertThat(relay.registeredCalls()).isZero();
    }

    @Test
    void givenEngineHangsUp_whenCallIsOn_thenPageGetsHangupAndTheSocketCloses() throws Exception {
        start(BrowserSettings.defaults());
        ClientSocket client = new ClientSocket();
        WebSocket socket = connect(sameOrigin(), client);
        socket.sendText("{\"type\":\"start\"}", true).join();
        engine.next();
        client.next();
        client.next();

        engine.transport.hangUp();

        assertThat(client.next()).isEqualTo("{\"type\":\"hangup\"}");
        assertThat(client.next()).isEqualTo("close:1000:hangup");
        assertThat(engine.next()).isEqualTo("stop");
        awaitReleased();
    }

    @Test
    void givenCallerOverTheLimit_whenSocketOpens_thenItClosesWith1013AndAReason() throws Exception {
        start(BrowserSettings.defaults());
        WebSocket first = connect(sameOrigin(), new ClientSocket());
        first.sendText("{\"type\":\"start\"}", true).join();
        assertThat(engine.next()).startsWith("start:");

        ClientSocket second = new ClientSocket();
        connect(sameOrigin(), second);

        assertThat(second.next()).isEqualTo("close:1013:" + BrowserRoutes.NOT_TAKING_CALLS);
        assertThat(engine.calls.get()).isEqualTo(1);
        assertThat(limiter.activeCalls()).isEqualTo(1);
    }

    @Test
    void givenEngineNotReady_whenSocketOpens_thenItClosesWith1013AndTakesNoPlace() throws Exception {
        engine.ready = false;
        start(BrowserSettings.defaults());
        ClientSocket client = new ClientSocket();
        connect(sameOrigin(), client);

        assertThat(client.next()).isEqualTo("close:1013:" + BrowserRoutes.NOT_TAKING_CALLS);
        assertThat(engine.calls.get()).isZero();
        assertThat(limiter.activeCalls()).isZero();
    }

    @Test
    void givenEngineShutsDownAsTheSocketOpens_whenItRefusesTheCall_thenItClosesWith1013AndThePlaceIsGivenBack()
            throws Exception {
        engine.refuse = true;
        start(BrowserSettings.defaults());
        ClientSocket client = new ClientSocket();
        connect(sameOrigin(), client);

        assertThat(client.next()).isEqualTo("close:1013:" + BrowserRoutes.NOT_TAKING_CALLS);
        awaitReleased();
    }

    private void start(BrowserSettings settings) {
        BrowserRoutes routes = new BrowserRoutes(settings, PERSONA, engine, relay, limiter);
        app = Javalin.create(config -> routes.addTo(config.routes)).start("127.0.0.1", 0);
    }

    private String sameOrigin() {
        return "http://127.0.0.1:" + app.port();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(sameOrigin() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private WebSocket connect(String origin, ClientSocket client) {
        try {
            return http.newWebSocketBuilder().header("Origin", origin)
                    .buildAsync(URI.create("ws://127.0.0.1:" + app.port() + BrowserRoutes.SOCKET_PATH), client)
                    .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new CompletionException(e);
        }
    }

    /** Opens the socket expecting the server to refuse the upgrade; returns the HTTP status it answered. */
    private int refusedHandshakeStatus(String origin) {
        Throwable failure = org.assertj.core.api.Assertions.catchThrowable(() -> connect(origin, new ClientSocket()));
        Throwable cause = failure;
        while (cause != null && !(cause instanceof WebSocketHandshakeException)) {
            cause = cause.getCause();
        }
        assertThat(cause).as("the handshake was refused").isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) cause).getResponse().statusCode();
    }

    private void awaitReleased() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (limiter.activeCalls() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(limiter.activeCalls()).as("places given back to the limiter").isZero();
    }

    /** Takes calls like the engine does: starts the transport; greets with 20 ms of audio and a mark. */
    private static final class FakeEngine implements CallHandler {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final AtomicInteger calls = new AtomicInteger();
        volatile CallTransport transport;
        volatile CallInfo info;
        volatile boolean refuse;
        volatile boolean ready = true;

        @Override
        public boolean ready() {
            return ready;
        }

        @Override
        public void refuseCall(CallTransport transport, String message) {
            throw new AssertionError("browser calls are never refused through the engine");
        }

        @Override
        public int activeCalls() {
            return calls.get();
        }

        @Override
        public void shutdown(Duration drain) {
            ready = false;
        }

        @Override
        public void startCall(CallTransport call) {
            if (refuse) {
                throw new IllegalStateException("the engine is shut down and takes no more calls");
            }
            calls.incrementAndGet();
            transport = call;
            call.start(new CallTransport.Listener() {
                @Override
                public void onStart(CallInfo started) {
                    info = started;
                    events.add("start:" + started.from());
                    call.sendAudio(new byte[640]);
                    call.sendMark("greeting-1");
                }

                @Override
                public void onAudio(byte[] frame) {
                    events.add("audio:" + frame.length);
                }

                @Override
                public void onDtmf(char digit) {
                    events.add("dtmf:" + digit);
                }

                @Override
                public void onMark(String name) {
                    events.add("mark:" + name);
                }

                @Override
                public void onStop() {
                    events.add("stop");
                }
            });
        }

        String next() throws InterruptedException {
            String event = events.poll(5, TimeUnit.SECONDS);
            assertThat(event).as("an event reached the engine").isNotNull();
            return event;
        }
    }

    /** The page's side of the socket: records frames as text, in order. */
    private static final class ClientSocket implements WebSocket.Listener {
        private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        private final StringBuilder text = new StringBuilder();

        String next() throws InterruptedException {
            String frame = received.poll(5, TimeUnit.SECONDS);
            assertThat(frame).as("a frame reached the page").isNotNull();
            return frame;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            text.append(data);
            if (last) {
                received.add(text.toString());
                text.setLength(0);
            }
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            received.add("binary:" + data.remaining());
            webSocket.request(1);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            received.add("close:" + statusCode + ":" + reason);
            return CompletableFuture.completedFuture(null);
        }
    }
}
