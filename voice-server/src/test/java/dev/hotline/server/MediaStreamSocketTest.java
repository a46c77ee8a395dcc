package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.twilio.TwilioCallControl;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The Media Stream socket of the real server, driven by a fake Twilio over a real WebSocket. */
class MediaStreamSocketTest {

    private static final String TOKEN = "socket-token";
    private static final String ORIGIN = "https://hotline.example.org";
    private static final byte[] FRAME = new byte[160];

    private final TestCalls calls = new TestCalls();
    private HotlineServer server;
    private LocalTwilioRest twilioRest;

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutdown();
        }
        if (twilioRest != null) {
            twilioRest.close();
        }
    }

    private FakeTwilio start(Map<String, String> extraEnv, String signWith, TwilioCallControl control)
            throws Exception {
        Map<String, String> env = new HashMap<>(Map.of("PORT", "0", "PUBLIC_BASE_URL", ORIGIN));
        env.putAll(extraEnv);
        ServerConfig config = ServerConfig.fromEnvironment(env);
        server = new HotlineServer(config, calls,
                new InMemoryCallLimiter(config.limits(), Clock.systemUTC(), Duration.ofHours(4)), control).start();
        return new FakeTwilio(server.port(), signWith, ORIGIN);
    }

    @Test
    void given_a_token_when_the_upgrade_is_unsigned_or_forged_then_403_and_no_socket() throws Exception {
        FakeTwilio twilio = start(Map.of("TWILIO_AUTH_TOKEN", TOKEN), TOKEN, null);

        for (String signature : new String[] {null, "forged",
                FakeTwilio.sign("wrong-token", "wss://hotline.example.org/voice-stream", Map.of()),
                FakeTwilio.sign(TOKEN, "wss://evil.example.org/voice-stream", Map.of())}) {
            assertThatThrownBy(() -> twilio.openStream(signature))
                    .isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOfSatisfying(WebSocketHandshakeException.class,
                            e -> assertThat(e.getResponse().statusCode()).isEqualTo(403));
        }
        assertThat(calls.started).isEmpty();
    }

    @Test
    void given_a_client_offering_permessage_deflate_then_the_socket_opens_uncompressed() throws Exception {
        start(Map.of(), null, null);
        OkHttpClient client = new OkHttpClient();
        CompletableFuture<Response> opened = new CompletableFuture<>();
        // OkHttp offers permessage-deflate on every upgrade (checked below on the request it sent).
        Request upgrade = new Request.Builder().url("ws://127.0.0.1:" + server.port() + "/voice-stream").build();

        WebSocket socket = client.newWebSocket(upgrade, new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                opened.complete(response);
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                opened.completeExceptionally(t);
            }
        });

        try {
            Response response = opened.get(10, TimeUnit.SECONDS);
            assertThat(response.code()).isEqualTo(101);
            assertThat(response.request().header("Sec-WebSocket-Extensions")).contains("permessage-deflate");
            // Compressing base64 audio costs CPU on both ends for a few percent of bytes: never negotiated.
            assertThat(response.header("Sec-WebSocket-Extensions")).isNull();
        } finally {
            socket.close(1000, "done");
            client.dispatcher().executorService().shutdown();
        }
    }

    @Test
    void given_a_signed_upgrade_with_or_without_a_trailing_slash_then_the_call_reaches_the_engine() throws Exception {
        FakeTwilio twilio = start(Map.of("TWILIO_AUTH_TOKEN", TOKEN), TOKEN, null);

        FakeTwilio.Stream plain = twilio.openStream();
        FakeTwilio.Stream slashed = twilio.openStream(
                FakeTwilio.sign(TOKEN, "wss://hotline.example.org/voice-stream/", Map.of()));

        assertThat(calls.nextCall()).isNotNull();
        assertThat(calls.nextCall()).isNotNull();
        plain.socket.sendClose(1000, "done");
        slashed.socket.sendClose(1000, "done");
    }

    @Test
    void given_every_kind_of_bad_input_then_the_call_goes_on_and_another_call_is_untouched() throws Exception {
        FakeTwilio twilio = start(Map.of(), null, null);
        FakeTwilio.Stream bad = twilio.openStream();
        TestCalls.Call badCall = calls.nextCall();
        FakeTwilio.Stream good = twilio.openStream();
        TestCalls.Call goodCall = calls.nextCall();
        good.send(FakeTwilio.start("MZgood", "CAgood", "+15550002222"));

        bad.send(FakeTwilio.media("MZbad", 1, FRAME));
        bad.send(FakeTwilio.start("MZbad", "CAbad", "+15550001111"));
        bad.send("this is not JSON");
        bad.send("{\"event\":\"transfer\",\"streamSid\":\"MZbad\"}");
        bad.send("{\"event\":\"media\",\"sequenceNumber\":\"3\",\"streamSid\":\"MZbad\",\"media\":{\"chunk\":\"1\","
                + "\"timestamp\":\"20\",\"payload\":\"***not base64***\"}}");
        bad.send(FakeTwilio.media("MZsomeoneelse", 2, FRAME));
        bad.sendBinary(FRAME);
        bad.send("{\"event\":\"media\",\"pad\":\"" + "x".repeat(200_000) + "\"}");
        bad.send(FakeTwilio.media("MZbad", 3, FRAME));
        good.send(FakeTwilio.media("MZgood", 1, FRAME));

        assertThat(badCall.nextEvent()).isEqualTo("start");
        assertThat(goodCall.nextEvent()).isEqualTo("start");
        awaitFrames(badCall, 1);
        awaitFrames(goodCall, 1);
        assertThat(badCall.frames.get()).as("only the well-formed media of the right stream").isEqualTo(1);
        assertThat(badCall.stopped()).isFalse();

        bad.send(FakeTwilio.stop("MZbad", "CAbad"));
        bad.send(FakeTwilio.media("MZbad", 4, FRAME));
        assertThat(badCall.nextEvent()).isEqualTo("stop");
        good.send(FakeTwilio.media("MZgood", 2, FRAME));
        awaitFrames(goodCall, 2);
        assertThat(goodCall.stopped()).isFalse();
        assertThat(badCall.frames.get()).isEqualTo(1);
    }

    @Test
    void given_a_message_beyond_the_socket_limit_then_the_socket_closes_and_the_call_ends_cleanly()
            throws Exception {
        FakeTwilio twilio = start(Map.of(), null, null);
        FakeTwilio.Stream stream = twilio.openStream();
        TestCalls.Call call = calls.nextCall();
        stream.send(FakeTwilio.start("MZ1", "CA1", "+15550001111"));
        assertThat(call.nextEvent()).isEqualTo("start");

        stream.socket.sendText("x".repeat(HotlineServer.MAX_SOCKET_MESSAGE_BYTES + 1), true);

        assertThat(stream.awaitClose()).isEqualTo(1009);
        assertThat(call.nextEvent()).isEqualTo("stop");
        awaitNoStreams();
    }

    @Test
    void given_engine_audio_marks_and_clear_then_twilio_gets_text_frames_and_mark_echoes_reach_the_engine()
            throws Exception {
        FakeTwilio twilio = start(Map.of(), null, null);
        FakeTwilio.Stream stream = twilio.openStream();
        TestCalls.Call call = calls.nextCall();
        stream.send(FakeTwilio.start("MZ1", "CA1", "+15550001111"));
        assertThat(call.nextEvent()).isEqualTo("start");
        assertThat(call.info.from()).isEqualTo("+15550001111");

        assertThat(call.transport.sendAudio(new byte[] {(byte) 0xFF, (byte) 0xFF})).isTrue();
        assertThat(stream.receive()).isEqualTo("{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"//8=\"}}");
        call.transport.sendMark("chunk-1");
        assertThat(stream.receive()).isEqualTo("{\"event\":\"mark\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"chunk-1\"}}");
        stream.send(FakeTwilio.mark("MZ1", "chunk-1"));
        assertThat(call.nextEvent()).isEqualTo("mark chunk-1");
        call.transport.clear();
        assertThat(stream.receive()).isEqualTo("{\"event\":\"clear\",\"streamSid\":\"MZ1\"}");
        stream.send("{\"event\":\"dtmf\",\"sequenceNumber\":\"7\",\"streamSid\":\"MZ1\",\"dtmf\":{\"track\":\"inbound_track\",\"digit\":\"5\"}}");
        assertThat(call.nextEvent()).isEqualTo("dtmf 5");
    }

    @Test
    void given_the_engine_hangs_up_with_rest_credentials_then_twilio_rest_is_called_and_the_socket_closes()
            throws Exception {
        twilioRest = new LocalTwilioRest();
        TwilioCallControl control = twilioRest.callControl();
        FakeTwilio twilio = start(Map.of(), null, control);
        FakeTwilio.Stream stream = twilio.openStream();
        TestCalls.Call call = calls.nextCall();
        stream.send(FakeTwilio.start("MZ1", "CA1", "+15550001111"));
        assertThat(call.nextEvent()).isEqualTo("start");

        call.transport.hangUp();

        assertThat(stream.awaitClose()).isEqualTo(1000);
        assertThat(call.nextEvent()).isEqualTo("stop");
        assertThat(twilioRest.awaitRequests(Duration.ofSeconds(10))).containsExactly(
                "POST /2010-04-01/Accounts/" + LocalTwilioRest.ACCOUNT + "/Calls/CA1.json Status=completed");
        awaitNoStreams();
    }

    @Test
    void given_draining_when_a_socket_connects_then_the_handler_refuses_the_call() throws Exception {
        FakeTwilio twilio = start(Map.of(), null, null);
        calls.ready = false;

        FakeTwilio.Stream stream = twilio.openStream();

        assertThat(stream.awaitClose()).isEqualTo(1000);
        assertThat(calls.refusals).containsExactly(HotlineServer.DRAINING);
    }

    @Test
    void given_the_real_capture_when_streamed_at_real_time_then_every_frame_reaches_the_engine() throws Exception {
        String shared = System.getProperty("hotline.shared.dir");
        assumeTrue(shared != null, "hotline.shared.dir is not set; run through Maven");
        Path capture = Path.of(shared, "fixtures", "twilio", "stream1_recorded.jsonl");
        assumeTrue(Files.exists(capture), "the shared capture is absent at " + capture);
        List<String> lines = Files.readAllLines(capture, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank()).toList();
        FakeTwilio twilio = start(Map.of(), null, null);
        FakeTwilio.Stream stream = twilio.openStream();
        TestCalls.Call call = calls.nextCall();

        long begin = System.nanoTime();
        int media = 0;
        for (String line : lines) {
            if (line.startsWith("{\"event\":\"media\"")) {
                long due = begin + media * 20_000_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                media++;
            }
            stream.send(line);
        }

        assertThat(call.nextEvent()).isEqualTo("start");
        assertThat(call.info.callId()).isEqualTo("CA3ae75ffe1c5d8847e478556c07d07103");
        assertThat(call.nextEvent()).isEqualTo("stop");
        assertThat(call.frames.get()).isEqualTo(616);
        assertThat(call.audioBytes.get()).isEqualTo(616 * 160);
        awaitNoStreams();
    }

    private void awaitFrames(TestCalls.Call call, int frames) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (call.frames.get() < frames && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(call.frames.get()).isGreaterThanOrEqualTo(frames);
    }

    private void awaitNoStreams() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.openStreams() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(server.openStreams()).as("per-call state removed").isZero();
    }
}
