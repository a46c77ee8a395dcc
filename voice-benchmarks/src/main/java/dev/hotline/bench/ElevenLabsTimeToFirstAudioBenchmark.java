package dev.hotline.bench;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.StreamingSynthesizer.SpeechStream;
import dev.hotline.core.Synthesizer.Request;
import dev.hotline.core.cache.CachingSynthesizer;
import dev.hotline.elevenlabs.ElevenLabsConfig;
import dev.hotline.elevenlabs.ElevenLabsSynthesizer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ServerSocketFactory;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.Buffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time from asking ElevenLabsSynthesizer for speech to the first audio chunk, in each way the engine can ask,
 * against a loopback fake with ElevenLabs flash v2.5's latency profile: the first audio leaves the fake
 * {@value #FIRST_BYTE_MILLIS} ms after the request (HTTP) or the flush (WebSocket). Everything above that is
 * the client's own cost (connection, handshake, JSON, base64, sample alignment).
 *
 * <p>The fake answers with one 20 ms chunk of mu-law, so each HTTP call ends at its first audio.
 * Loopback hides network round trips: on a real network the cold WebSocket pays TCP + TLS + upgrade round
 * trips that pooled HTTP connections do not.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(1)
public class ElevenLabsTimeToFirstAudioBenchmark {

    /** ElevenLabs' published time to first byte for eleven_flash_v2_5 (models page: "~75ms"). */
    static final long FIRST_BYTE_MILLIS = 75;
    /** 20 ms of mu-law at 8 kHz. */
    private static final byte[] AUDIO = new byte[160];
    private static final String SENTENCE = "Hey! This is Synthetic Jason, what's on your mind? ";
    private static final String GREETING = "Hey! This is Synthetic Jason.";

    private MockWebServer server;
    private ScheduledExecutorService fakeClock;
    private ElevenLabsSynthesizer http;
    private ElevenLabsSynthesizer webSocket;
    private CachingSynthesizer cached;

    @Setup(Level.Trial)
    public void start() throws IOException {
        fakeClock = Executors.newSingleThreadScheduledExecutor();
        server = new MockWebServer();
        server.setServerSocketFactory(new NoDelayServerSocketFactory());
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getTarget().contains("/stream-input")) {
                    return new MockResponse.Builder().webSocketUpgrade(new FakeStreamInput()).build();
                }
                return new MockResponse.Builder().headersDelay(FIRST_BYTE_MILLIS, TimeUnit.MILLISECONDS)
                        .body(new Buffer().write(AUDIO)).build();
            }
        });
        server.start();
        ElevenLabsConfig config = ElevenLabsConfig.of("sk_benchmark", "JBFqnCBsd6RMkjVDRZzb")
                .withBaseUrl(server.url("/").toString());
        http = new ElevenLabsSynthesizer(config);
        webSocket = new ElevenLabsSynthesizer(config.withMode(ElevenLabsConfig.Mode.WEBSOCKET));
        cached = new CachingSynthesizer(http, http.cacheKeyPrefix(), Set.of(GREETING), 1 << 20, null);
        cached.synthesize(Request.of(GREETING, AudioFormat.ULAW_8K), chunk -> { }, new CancelSignal());
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        http.close();
        webSocket.close();
        server.close();
        fakeClock.shutdownNow();
    }

    /** One HTTP streaming request per sentence (the default mode). */
    @Benchmark
    public int httpStream() throws IOException {
        FirstAudio first = new FirstAudio();
        http.synthesize(Request.of(SENTENCE, AudioFormat.ULAW_8K), first, new CancelSignal());
        return first.bytes;
    }

    /** A WebSocket opened for this reply: handshake, init, text, flush, first audio. */
    @Benchmark
    public int webSocketOpenedPerReply() throws Exception {
        FirstAudio first = new FirstAudio();
        try (SpeechStream stream = webSocket.open(AudioFormat.ULAW_8K, first, new CancelSignal())) {
            stream.append(SENTENCE);
            stream.flush();
            first.await();
        }
        return first.bytes;
    }

    /** A WebSocket already open (e.g. opened while the caller was still speaking): text, flush, first audio. */
    @Benchmark
    public int webSocketAlreadyOpen(OpenStream open) throws Exception {
        open.stream.append(SENTENCE);
        open.stream.flush();
        open.first.await();
        return open.first.bytes;
    }

    /** An allowlisted phrase already in the phrase cache. */
    @Benchmark
    public int phraseCacheHit() throws IOException {
        FirstAudio first = new FirstAudio();
        cached.synthesize(Request.of(GREETING, AudioFormat.ULAW_8K), first, new CancelSignal());
        return first.bytes;
    }

    /** A stream opened before each measured call and closed after it. */
    @State(Scope.Thread)
    public static class OpenStream {
        SpeechStream stream;
        FirstAudio first;

        @Setup(Level.Invocation)
        public void open(ElevenLabsTimeToFirstAudioBenchmark benchmark) throws IOException {
            first = new FirstAudio();
            stream = benchmark.webSocket.open(AudioFormat.ULAW_8K, first, new CancelSignal());
        }

        @TearDown(Level.Invocation)
        public void close() {
            stream.close();
        }
    }

    /**
     * Accepted sockets with Nagle's algorithm off, as production servers set them (asyncio, which serves
     * ElevenLabs' uvicorn, does by default); otherwise the fake's headers-then-body writes would wait for the
     * client's delayed ACK and add ~40 ms that the real service does not.
     */
    private static final class NoDelayServerSocketFactory extends ServerSocketFactory {
        @Override
        public ServerSocket createServerSocket() throws IOException {
            return new NoDelayServerSocket();
        }

        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            ServerSocket socket = new NoDelayServerSocket();
            socket.bind(new InetSocketAddress(port));
            return socket;
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog) throws IOException {
            ServerSocket socket = new NoDelayServerSocket();
            socket.bind(new InetSocketAddress(port), backlog);
            return socket;
        }

        @Override
        public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
            ServerSocket socket = new NoDelayServerSocket();
            socket.bind(new InetSocketAddress(address, port), backlog);
            return socket;
        }
    }

    private static final class NoDelayServerSocket extends ServerSocket {
        NoDelayServerSocket() throws IOException {
            super();
        }

        @Override
        public Socket accept() throws IOException {
            Socket socket = super.accept();
            socket.setTcpNoDelay(true);
            return socket;
        }
    }

    /** Records the first chunk and wakes whoever waits for it. */
    static final class FirstAudio implements dev.hotline.core.Synthesizer.AudioSink {
        private final CountDownLatch arrived = new CountDownLatch(1);
        volatile int bytes;

        @Override
        public void onAudio(byte[] chunk) {
            if (bytes == 0) {
                bytes = chunk.length;
            }
            arrived.countDown();
        }

        void await() throws InterruptedException {
            if (!arrived.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("no audio within 10 s");
            }
        }
    }

    /** Server side of stream-input: audio {@value #FIRST_BYTE_MILLIS} ms after each flush or end of input. */
    private final class FakeStreamInput extends WebSocketListener {
        private final String audioFrame = "{\"audio\":\"" + Base64.getEncoder().encodeToString(AUDIO)
                + "\",\"isFinal\":null,\"normalizedAlignment\":null,\"alignment\":null}";

        @Override
        public void onMessage(WebSocket socket, String text) {
            boolean flush = text.contains("\"flush\":true");
            boolean end = text.equals("{\"text\":\"\"}");
            if (flush || end) {
                fakeClock.schedule(() -> {
                    socket.send(audioFrame);
                    if (end) {
                        socket.send("{\"isFinal\":true}");
                        socket.close(1000, null);
                    }
                }, FIRST_BYTE_MILLIS, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void onClosing(WebSocket socket, int code, String reason) {
            socket.close(1000, null);
        }
    }
}
