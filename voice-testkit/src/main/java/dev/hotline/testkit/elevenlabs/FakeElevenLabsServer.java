package dev.hotline.testkit.elevenlabs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotline.testkit.Fault;
import dev.hotline.testkit.FakeServerSupport;
import dev.hotline.testkit.RecordedRequest;
import dev.hotline.testkit.SpeechLikeAudio;
import dev.hotline.audio.G711;
import dev.hotline.audio.Pcm16;
import io.javalin.http.Context;
import io.javalin.websocket.WsConfig;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local server that speaks ElevenLabs' text-to-speech wire formats (PROTOCOLS.md section 5):
 * {@code POST /v1/text-to-speech/{voice}/stream?output_format=...} answering with a chunked audio stream,
 * and the WebSocket {@code /v1/text-to-speech/{voice}/stream-input} (init {@code " "}, text chunks,
 * {@code flush}, {@code {"text":""}} to finish, answered by audio messages with alignment and then
 * {@code {"isFinal":true}}).
 *
 * <p><b>Audio.</b> {@link SpeechLikeAudio}: a voiced hum, {@link #millisPerCharacter} per character, in the
 * requested {@code output_format}: {@code ulaw_8000}, {@code alaw_8000} or {@code pcm_<rate>}. MP3 and Opus
 * are not produced; asking for them is a 422 naming the formats the fake has. Rendered audio is kept (up to
 * {@link #MAX_CACHED_AUDIO_BYTES}, least recently used dropped first), so a text asked for again costs only
 * its sending: a benchmark's load generator stays cheap.
 *
 * <p><b>Timing.</b> The first audio leaves {@code firstByte} after the request (HTTP) or the generation
 * trigger (WebSocket); after that audio is produced at {@code realTimeFactor} wall-clock seconds per second
 * of audio (0 sends it all at once, 0.25 four times faster than real time).
 *
 * <p><b>Failures</b> are queued with {@link #failNext}; error bodies are the recorded ones
 * ({@link #invalidApiKey}, {@link #quotaExceeded}, {@link #tooManyConcurrentRequests}, {@link #systemBusy}).
 * On the WebSocket an HTTP error becomes an error message in the observed
 * {@code {"message","error","code":1008}} shape followed by close code 1008 (an inference: the close code for
 * auth errors is not documented). A WebSocket that hears nothing for {@code inactivity_timeout} seconds
 * (default 20) gets the observed {@code input_timeout_exceeded} message and is closed.
 *
 * <p><b>Lifecycle and threading.</b> {@link #start()} binds 127.0.0.1 at a random port; {@link #close()}
 * stops it, and it stops by itself after its lifetime. Every method is thread-safe. Each HTTP request and each
 * WebSocket session runs on its own platform thread (see {@link FakeServerSupport}); a session's messages are
 * handled in order.
 */
public final class FakeElevenLabsServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Bytes of audio per HTTP chunk: 100 ms, so pacing stays smooth. */
    private static final int HTTP_CHUNK_MILLIS = 100;
    /** Audio per WebSocket message, at least: about a word or two, like the real service. */
    private static final int WS_MESSAGE_MILLIS = 250;
    /** Texts longer than this are refused, like the real models' 40,000-character limit. */
    private static final int MAX_TEXT = 40_000;
    /** Queued messages per WebSocket session before it is closed for flooding. */
    private static final int MAX_SESSION_QUEUE = 10_000;
    /** The documented default chunk_length_schedule: characters buffered before each generation starts. */
    private static final int[] DEFAULT_SCHEDULE = {120, 160, 250, 290};
    /** Encoded audio the fake keeps for texts it is asked to speak again, at most (bytes). */
    static final long MAX_CACHED_AUDIO_BYTES = 16L << 20;

    private final FakeServerSupport server;
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final AtomicInteger active = new AtomicInteger();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final AudioCache audioCache = new AudioCache(MAX_CACHED_AUDIO_BYTES);
    private volatile Duration firstByte = Duration.ZERO;
    private volatile double realTimeFactor = 0;
    private volatile int millisPerCharacter = 60;
    private volatile int maxConcurrentRequests = Integer.MAX_VALUE;
    private volatile String apiKey;

    private FakeElevenLabsServer(Duration lifetime) {
        server = new FakeServerSupport("fake-elevenlabs", lifetime, config -> {
            config.routes.post("/v1/text-to-speech/{voice}/stream", this::stream);
            config.routes.ws("/v1/text-to-speech/{voice}/stream-input", this::streamInput);
        });
    }

    /** Starts a fake on 127.0.0.1 at a random port that stops by itself after 30 minutes. */
    public static FakeElevenLabsServer start() {
        return new FakeElevenLabsServer(FakeServerSupport.DEFAULT_LIFETIME);
    }

    /** Starts a fake that stops by itself after {@code lifetime}. */
    public static FakeElevenLabsServer start(Duration lifetime) {
        return new FakeElevenLabsServer(lifetime);
    }

    /** The HTTP base URL, e.g. {@code http://127.0.0.1:41234} (paths start with {@code /v1}). */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port();
    }

    /** The WebSocket base URL, e.g. {@code ws://127.0.0.1:41234}. */
    public String webSocketBaseUrl() {
        return "ws://127.0.0.1:" + server.port();
    }

    /** Requires {@code xi-api-key} (header, or {@code xi_api_key} in the WebSocket's first message). */
    public FakeElevenLabsServer requireApiKey(String key) {
        this.apiKey = key;
        return this;
    }

    /** Audio timing: see the class comment. */
    public FakeElevenLabsServer latency(Duration firstByte, double realTimeFactor) {
        if (firstByte.isNegative() || firstByte.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("firstByte must be between 0 and 5 minutes, was " + firstByte);
        }
        if (!(realTimeFactor >= 0) || realTimeFactor > 100) {
            throw new IllegalArgumentException("realTimeFactor must be in [0, 100], was " + realTimeFactor);
        }
        this.firstByte = firstByte;
        this.realTimeFactor = realTimeFactor;
        return this;
    }

    /** How long each character of text plays (punctuation: three times as long). */
    public FakeElevenLabsServer millisPerCharacter(int millis) {
        if (millis < 1 || millis > 1_000) {
            throw new IllegalArgumentException("millisPerCharacter must be in [1, 1000], was " + millis);
        }
        this.millisPerCharacter = millis;
        return this;
    }

    /** More HTTP streams than this at once get 429 {@code too_many_concurrent_requests}. */
    public FakeElevenLabsServer maxConcurrentRequests(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("maxConcurrentRequests must be >= 1, was " + max);
        }
        this.maxConcurrentRequests = max;
        return this;
    }

    /** The next request (HTTP stream or WebSocket session) fails this way; faults queue up. */
    public FakeElevenLabsServer failNext(Fault fault) {
        faults.add(Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /** The current first-byte latency. */
    public Duration firstByte() {
        return firstByte;
    }

    /** How long the audio for {@code text} plays. */
    public Duration audioDuration(String text) {
        long millis = 0;
        for (int i = 0; i < text.length(); i++) {
            millis += ".,;:!?".indexOf(text.charAt(i)) >= 0 ? 3L * millisPerCharacter : millisPerCharacter;
        }
        return Duration.ofMillis(millis);
    }

    /** How late the fake sent the first chunk of HTTP audio ({@code "tts first chunk"}) compared with its settings. */
    public Map<String, List<Duration>> lateness() {
        return server.lateness();
    }

    /**
     * Remembers at most {@code max} requests from now on; 0 remembers none, as a load test wants (the bodies would
     * grow the heap the fake shares with the callers, and the collector's pauses would make the fake late).
     */
    public FakeElevenLabsServer rememberAtMost(int max) {
        server.rememberAtMost(max);
        return this;
    }

    /** Requests received after as many as the limit were remembered: counted, not kept. */
    public long droppedRequests() {
        return server.droppedRequests();
    }

    /** HTTP requests and WebSocket messages received so far (WebSocket ones have method {@code WS}). */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /** WebSocket sessions open right now. */
    public int openSessions() {
        return sessions.size();
    }

    @Override
    public void close() {
        server.close();
    }

    // ---------------------------------------------------------------- recorded error bodies (fixtures/elevenlabs)

    /** 401, body as in {@code error_401_invalid_api_key.json}. */
    public static Fault invalidApiKey() {
        return error(401, "invalid_api_key", "Invalid API key");
    }

    /** 401 (quota is 401, not 429), body as in {@code error_401_quota_exceeded.json}. */
    public static Fault quotaExceeded() {
        return error(401, "quota_exceeded", "This request exceeds your quota of 10000. You have 0 credits remaining, "
                + "while 91 credits are required for this request.");
    }

    /** 429, body as in {@code error_429_too_many_concurrent_requests.json}; no Retry-After, like the real one. */
    public static Fault tooManyConcurrentRequests() {
        return error(429, "too_many_concurrent_requests", "Too many concurrent requests. Your current subscription is "
                + "associated with a maximum of 2 concurrent requests (running in parallel). This is done such that a "
                + "single user does not overwhelm our systems and affect other users negatively. Please upgrade your "
                + "subscription or contact sales if you want to increase this limit.");
    }

    /** 429, body as in {@code error_429_system_busy.json}. */
    public static Fault systemBusy() {
        return error(429, "system_busy", "Our services are experiencing high traffic");
    }

    /** 500 in the same {@code detail} shape. */
    public static Fault serverError() {
        return error(500, "internal_error", "An internal error occurred");
    }

    private static Fault.HttpError error(int status, String code, String message) {
        ObjectNode detail = JSON.createObjectNode();
        detail.put("status", code);
        detail.put("message", message);
        ObjectNode body = JSON.createObjectNode();
        body.set("detail", detail);
        return new Fault.HttpError(status, Map.of(), body.toString());
    }

    private static Fault.HttpError validationError(String field, String message, String type) {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode item = body.putArray("detail").addObject();
        item.putArray("loc").add("body").add(field);
        item.put("msg", message);
        item.put("type", type);
        return new Fault.HttpError(422, Map.of(), body.toString());
    }

    // ---------------------------------------------------------------- HTTP stream

    private void stream(Context ctx) throws IOException {
        long arrived = System.nanoTime();
        byte[] raw = ctx.bodyAsBytes();
        server.record(() -> new RecordedRequest("POST", ctx.path(), FakeServerSupport.queryOf(ctx),
                FakeServerSupport.headersOf(ctx), Map.of("voice", ctx.pathParam("voice")), raw, arrived));
        if (apiKey != null && !apiKey.equals(ctx.header("xi-api-key"))) {
            sendError(ctx, (Fault.HttpError) invalidApiKey());
            return;
        }
        Fault fault = faults.poll();
        if (fault instanceof Fault.HttpError error) {
            sendError(ctx, error);
            return;
        }
        if (fault instanceof Fault.Reset reset && reset.afterEvents() == 0) {
            FakeServerSupport.dropConnection(ctx);
            return;
        }
        OutputFormat format;
        try {
            format = OutputFormat.parse(ctx.queryParam("output_format"));
        } catch (IllegalArgumentException e) {
            sendError(ctx, validationError("output_format", e.getMessage(), "value_error"));
            return;
        }
        JsonNode body;
        try {
            body = JSON.readTree(raw);
        } catch (IOException e) {
            sendError(ctx, validationError("body", "Expecting value: the body is not JSON", "value_error.jsondecode"));
            return;
        }
        if (body == null || !body.path("text").isTextual()) {
            sendError(ctx, validationError("text", "field required", "value_error.missing"));
            return;
        }
        String text = body.path("text").asText();
        if (text.length() > MAX_TEXT) {
            sendError(ctx, error(400, "max_character_limit_exceeded", "Text is " + text.length()
                    + " characters; the limit is " + MAX_TEXT));
            return;
        }
        if (active.incrementAndGet() > maxConcurrentRequests) {
            active.decrementAndGet();
            sendError(ctx, (Fault.HttpError) tooManyConcurrentRequests());
            return;
        }
        try {
            byte[] audio = audioCache.speak(text, format, millisPerCharacter).audio();
            ctx.status(200);
            ctx.contentType("audio/mpeg");
            ctx.header("request-id", FakeServerSupport.randomAlphanumeric(20));
            ctx.header("character-cost", String.valueOf(text.length()));
            OutputStream out = ctx.res().getOutputStream();
            int chunkBytes = format.bytesFor(HTTP_CHUNK_MILLIS);
            long due = arrived + firstByte.toNanos();
            long chunkNanos = (long) (HTTP_CHUNK_MILLIS * 1_000_000L * realTimeFactor);
            int events = 0;
            for (int at = 0; at < audio.length; at += chunkBytes) {
                if (fault != null && failHttp(ctx, out, fault, events)) {
                    return;
                }
                FakeServerSupport.sleepUntil(due);
                out.write(audio, at, Math.min(chunkBytes, audio.length - at));
                out.flush();
                if (events == 0) {
                    server.recordLateness("tts first chunk", due);
                }
                events++;
                due += chunkNanos;
            }
        } finally {
            active.decrementAndGet();
        }
    }

    private static boolean failHttp(Context ctx, OutputStream out, Fault fault, int index) throws IOException {
        switch (fault) {
            case Fault.Stall stall when stall.afterEvents() == index -> {
                out.flush();
                FakeServerSupport.sleepUntil(System.nanoTime() + stall.duration().toNanos());
                FakeServerSupport.dropConnection(ctx);
                return true;
            }
            case Fault.Reset reset when reset.afterEvents() == index -> {
                out.flush();
                FakeServerSupport.dropConnection(ctx);
                return true;
            }
            case Fault.Truncate truncate when truncate.afterEvents() == index -> {
                return true;
            }
            case Fault.Malformed malformed when malformed.afterEvents() == index -> {
                out.write("{\"detail\":{\"status\":\"internal_error\"".getBytes(StandardCharsets.UTF_8));
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private static void sendError(Context ctx, Fault.HttpError error) {
        ctx.status(error.status());
        error.headers().forEach(ctx::header);
        ctx.contentType("application/json").result(error.body());
    }

    // ---------------------------------------------------------------- WebSocket stream-input

    private void streamInput(WsConfig ws) {
        ws.onConnect(ctx -> {
            Session session = new Session(ctx, faults.poll());
            sessions.put(ctx.sessionId(), session);
            Thread.ofPlatform().daemon().name("fake-elevenlabs-ws").start(session::run);
        });
        ws.onMessage(ctx -> {
            server.record(() -> new RecordedRequest("WS", "/v1/text-to-speech/" + ctx.pathParam("voice") + "/stream-input", FakeServerSupport.queryOfWs(ctx), Map.of(),
                    Map.of(), ctx.message().getBytes(StandardCharsets.UTF_8), System.nanoTime()));
            Session session = sessions.get(ctx.sessionId());
            if (session != null) {
                session.offer(ctx.message());
            }
        });
        ws.onClose(ctx -> {
            Session session = sessions.remove(ctx.sessionId());
            if (session != null) {
                session.offer(Session.CLOSED);
            }
        });
    }

    /** One stream-input session: its messages are handled, in order, by one platform thread. */
    private final class Session {
        static final String CLOSED = "\u0000closed";

        private final WsContext ctx;
        private final Fault fault;
        private final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>(MAX_SESSION_QUEUE);
        private final OutputFormat format;
        private final Duration inactivity;
        private final boolean autoMode;
        private final StringBuilder buffer = new StringBuilder();
        private int[] schedule = DEFAULT_SCHEDULE;
        private int generations;
        private int audioMessages;
        private boolean initialized;
        private boolean ended;

        Session(WsContext ctx, Fault fault) {
            this.ctx = ctx;
            this.fault = fault;
            OutputFormat parsed;
            try {
                parsed = OutputFormat.parse(ctx.queryParam("output_format"));
            } catch (IllegalArgumentException e) {
                parsed = null;
            }
            this.format = parsed;
            String timeout = ctx.queryParam("inactivity_timeout");
            this.inactivity = Duration.ofSeconds(timeout == null ? 20 : Math.max(1, Math.min(180, Integer.parseInt(timeout))));
            this.autoMode = "true".equals(ctx.queryParam("auto_mode"));
        }

        void offer(String message) {
            if (!inbox.offer(message)) {
                ctx.closeSession(1008, "too many queued messages");
            }
        }

        void run() {
            try {
                if (format == null) {
                    closeWithError("invalid_output_format", "output_format must be ulaw_8000, alaw_8000 or pcm_<rate>");
                    return;
                }
                if (fault instanceof Fault.HttpError error) {
                    JsonNode detail = JSON.readTree(error.body()).path("detail");
                    closeWithError(detail.path("status").asText("error"), detail.path("message").asText());
                    return;
                }
                while (!ended) {
                    String message = inbox.poll(inactivity.toMillis(), TimeUnit.MILLISECONDS);
                    if (message == null) {
                        ObjectNode error = JSON.createObjectNode();
                        error.put("message", "No message received within " + inactivity.toSeconds() + "s.");
                        error.put("error", "input_timeout_exceeded");
                        error.put("code", 1008);
                        ctx.send(error.toString());
                        ctx.closeSession(1008, "input_timeout_exceeded");
                        return;
                    }
                    if (message.equals(CLOSED)) {
                        return;
                    }
                    handle(message);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                ctx.closeSession(1011, "fake could not read its own error body");
            }
        }

        private void handle(String message) throws InterruptedException {
            JsonNode json;
            try {
                json = JSON.readTree(message);
            } catch (IOException e) {
                closeWithError("invalid_message", "message is not JSON");
                return;
            }
            if (json == null || !json.path("text").isTextual()) {
                closeWithError("invalid_message", "every message needs a text field");
                return;
            }
            String text = json.path("text").asText();
            if (!initialized) {
                if (!text.equals(" ")) {
                    closeWithError("invalid_message", "the first message must have text \" \" (a single space)");
                    return;
                }
                String key = json.path("xi_api_key").asText(json.path("xi-api-key").asText(ctx.header("xi-api-key")));
                if (apiKey != null && !apiKey.equals(key)) {
                    closeWithError("invalid_api_key", "Invalid API key");
                    return;
                }
                JsonNode configured = json.path("generation_config").path("chunk_length_schedule");
                if (configured.isArray() && !configured.isEmpty()) {
                    schedule = new int[configured.size()];
                    for (int i = 0; i < schedule.length; i++) {
                        schedule[i] = configured.get(i).asInt(DEFAULT_SCHEDULE[Math.min(i, 3)]);
                    }
                }
                initialized = true;
                return;
            }
            if (text.isEmpty()) {
                generate();
                if (!ended) {
                    ctx.send("{\"isFinal\":true}");
                    ctx.closeSession(1000, "");
                    ended = true;
                }
                return;
            }
            if (buffer.length() + text.length() > MAX_TEXT) {
                closeWithError("max_character_limit_exceeded", "more than " + MAX_TEXT + " characters buffered");
                return;
            }
            buffer.append(text);
            int threshold = schedule[Math.min(generations, schedule.length - 1)];
            if (autoMode || json.path("flush").asBoolean(false) || json.path("try_trigger_generation").asBoolean(false)
                    || buffer.length() >= threshold) {
                generate();
            }
        }

        /** Speaks the buffered text: first-byte latency, then audio messages paced at the real-time factor. */
        private void generate() throws InterruptedException {
            String text = buffer.toString();
            buffer.setLength(0);
            if (text.isBlank()) {
                return;
            }
            generations++;
            long due = System.nanoTime() + firstByte.toNanos();
            Speech speech = audioCache.speak(text, format, millisPerCharacter);
            byte[] audio = speech.audio();
            int[] millis = speech.characterMillis();
            int firstChar = 0;
            long startMillis = 0;
            while (firstChar < text.length()) {
                int lastChar = firstChar;
                long spanMillis = 0;
                while (lastChar < text.length() && spanMillis < WS_MESSAGE_MILLIS) {
                    spanMillis += millis[lastChar++];
                }
                int from = Math.min(audio.length, format.bytesFor(startMillis));
                int to = lastChar == text.length() ? audio.length : Math.min(audio.length, format.bytesFor(startMillis + spanMillis));
                if (fault != null && failWs(audioMessages)) {
                    return;
                }
                FakeServerSupport.sleepUntil(due);
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedException();
                }
                ctx.send(audioMessage(text, millis, firstChar, lastChar, Arrays.copyOfRange(audio, from, to)));
                audioMessages++;
                due += (long) (spanMillis * 1_000_000L * realTimeFactor);
                startMillis += spanMillis;
                firstChar = lastChar;
            }
        }

        private boolean failWs(int index) {
            switch (fault) {
                case Fault.Stall stall when stall.afterEvents() == index -> {
                    FakeServerSupport.sleepUntil(System.nanoTime() + stall.duration().toNanos());
                    ctx.session.disconnect();
                    ended = true;
                    return true;
                }
                case Fault.Reset reset when reset.afterEvents() == index -> {
                    ctx.session.disconnect();
                    ended = true;
                    return true;
                }
                case Fault.Truncate truncate when truncate.afterEvents() == index -> {
                    ctx.closeSession(1000, "");
                    ended = true;
                    return true;
                }
                case Fault.Malformed malformed when malformed.afterEvents() == index -> {
                    ctx.send("{\"audio\":\"" + "not base64!" + "\",\"isFinal\":");
                    return false;
                }
                default -> {
                    return false;
                }
            }
        }

        private void closeWithError(String code, String message) {
            ObjectNode error = JSON.createObjectNode();
            error.put("message", message);
            error.put("error", code);
            error.put("code", 1008);
            ctx.send(error.toString());
            ctx.closeSession(1008, code);
            ended = true;
        }
    }

    /** An AudioOutput message in the observed shape: audio, isFinal null, normalizedAlignment, alignment. */
    private static String audioMessage(String text, int[] millis, int from, int to, byte[] audio) {
        ObjectNode message = JSON.createObjectNode();
        message.put("audio", Base64.getEncoder().encodeToString(audio));
        message.putNull("isFinal");
        ObjectNode alignment = JSON.createObjectNode();
        ArrayNode chars = alignment.putArray("chars");
        ArrayNode starts = alignment.putArray("charStartTimesMs");
        ArrayNode durations = alignment.putArray("charDurationsMs");
        int at = 0;
        for (int i = from; i < to; i++) {
            chars.add(String.valueOf(text.charAt(i)));
            starts.add(at);
            durations.add(millis[i]);
            at += millis[i];
        }
        message.set("normalizedAlignment", alignment);
        message.set("alignment", alignment.deepCopy());
        return message.toString();
    }

    /**
     * Encoded speech for a text: the fake renders the same reply for every request of a benchmark, and
     * rendering costs far more than sending, so it keeps what it rendered. Callers must not modify the arrays.
     */
    record Speech(byte[] audio, int[] characterMillis) {
    }

    /**
     * Rendered speech by text, format and character length, least recently used evicted first once the audio
     * held exceeds a byte bound (a text larger than the bound is rendered every time). Thread-safe; two requests
     * for a text not yet cached may both render it.
     */
    static final class AudioCache {
        private record Key(String text, String format, int millisPerCharacter) {
        }

        private final long maxBytes;
        private final LinkedHashMap<Key, Speech> entries = new LinkedHashMap<>(16, 0.75f, true);
        private long bytes;

        AudioCache(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        /** The audio held, in bytes. */
        synchronized long bytes() {
            return bytes;
        }

        Speech speak(String text, OutputFormat format, int millisPerCharacter) {
            Key key = new Key(text, format.name(), millisPerCharacter);
            synchronized (this) {
                Speech cached = entries.get(key);
                if (cached != null) {
                    return cached;
                }
            }
            SpeechLikeAudio.Rendered rendered = SpeechLikeAudio.render(text, format.sampleRate(), millisPerCharacter);
            Speech speech = new Speech(format.encode(rendered.samples()), rendered.characterMillis());
            if (speech.audio().length > maxBytes) {
                return speech;
            }
            synchronized (this) {
                Speech previous = entries.put(key, speech);
                bytes += speech.audio().length - (previous == null ? 0 : previous.audio().length);
                Iterator<Speech> oldest = entries.values().iterator();
                while (bytes > maxBytes && oldest.hasNext()) {
                    bytes -= oldest.next().audio().length;
                    oldest.remove();
                }
            }
            return speech;
        }
    }

    /** The output formats the fake can produce. */
    record OutputFormat(String name, int sampleRate, Kind kind) {
        enum Kind { ULAW, ALAW, PCM16 }

        static OutputFormat parse(String value) {
            String name = value == null ? "mp3_44100_128" : value;
            if (name.equals("ulaw_8000")) {
                return new OutputFormat(name, 8_000, Kind.ULAW);
            }
            if (name.equals("alaw_8000")) {
                return new OutputFormat(name, 8_000, Kind.ALAW);
            }
            if (name.matches("pcm_(8000|16000|22050|24000|32000|44100|48000)")) {
                return new OutputFormat(name, Integer.parseInt(name.substring(4)), Kind.PCM16);
            }
            throw new IllegalArgumentException("output_format " + name + " is not served by this fake; use ulaw_8000, "
                    + "alaw_8000 or pcm_8000/16000/22050/24000/32000/44100/48000");
        }

        int bytesFor(long millis) {
            int bytesPerSample = kind == Kind.PCM16 ? 2 : 1;
            return (int) (millis * sampleRate / 1000) * bytesPerSample;
        }

        byte[] encode(short[] samples) {
            switch (kind) {
                case ULAW -> {
                    return G711.linearToUlaw(samples);
                }
                case ALAW -> {
                    return G711.linearToAlaw(samples);
                }
                default -> {
                    return Pcm16.toBytes(samples);
                }
            }
        }
    }
}
