package dev.hotline.testkit.twilio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotline.testkit.TestkitAudio;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Calls a hotline the way Twilio Media Streams does, over a real WebSocket, and measures what a caller
 * would notice.
 *
 * <p><b>What it sends</b> (PROTOCOLS.md section 1): {@code connected}, then {@code start} (account, stream
 * and call ids, {@code tracks: ["inbound"]}, the mu-law media format, custom parameters), then one
 * {@code media} message every 20 ms of wall-clock time with 160 bytes of mu-law, string
 * {@code sequenceNumber}/{@code chunk}/{@code timestamp} (the first timestamp is not zero), mark echoes,
 * and finally {@code stop}. With an auth token it signs the handshake in {@code x-twilio-signature}.
 *
 * <p><b>How it plays</b> what the hotline sends: audio goes into a playback buffer that drains at real time,
 * 160 bytes per 20 ms tick; a mark is echoed when playback reaches it, or at once if nothing is buffered;
 * {@code clear} empties the buffer and echoes every pending mark, in order. Messages that break the protocol
 * (binary frames, unknown events, a wrong {@code streamSid}) are recorded, as Twilio would report them.
 *
 * <p><b>What it measures</b> per turn: voice-to-voice latency (the caller's last speech frame to the first
 * reply audio received), underruns (playback ran dry while the reply was still coming), and for barge-ins
 * how long the {@code clear} took and how much audio it discarded. See {@link TurnReport}.
 *
 * <p><b>Lifecycle and threading.</b> A caller object is an immutable configuration; {@link #call} dials,
 * runs the {@link CallScript} and returns when the call is over: the script ended, the server closed the
 * socket, or the script's time limit passed. Any number of calls may run at once, and they cost little each:
 * every call in the JVM is ticked by one shared clock ({@link CallClock}: two platform threads, so the 20 ms
 * clock keeps time even when the JVM also runs a busy server on virtual threads), sends from that clock
 * thread straight into its socket, and receives on the JDK WebSocket client's selector thread. The thread
 * that called {@link #call} only waits. A handshake that fails (refused, or an HTTP status instead of 101) is
 * an {@link IOException}.
 */
public final class SimulatedTwilioCaller {

    /** Bytes in one 20 ms frame of 8 kHz mu-law: what Twilio sends per media message (observed, fixture). */
    public static final int FRAME_BYTES = 160;
    /** Wall-clock time one frame plays. */
    public static final long FRAME_NANOS = 20_000_000L;
    /** Audio time of one byte of 8 kHz mu-law. */
    private static final long NANOS_PER_BYTE = FRAME_NANOS / FRAME_BYTES;
    /** The first media timestamp of the recorded real call (fixture stream1_recorded.jsonl). */
    public static final int RECORDED_FIRST_TIMESTAMP_MILLIS = 135;
    /** At most this many protocol errors are kept per call; later ones are only counted. */
    private static final int MAX_PROTOCOL_ERRORS = 100;
    /** Messages waiting to be written, at most (characters); a server that stops reading ends the call. */
    private static final long MAX_QUEUED_CHARS = 16L << 20;
    /** A message from the server larger than this (characters) is a protocol error and is dropped. */
    private static final int MAX_MESSAGE_CHARS = 16 << 20;
    /** How long a hung-up call waits for the server's close before it drops the connection. */
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * One client, so one selector thread reads every call's socket. The listener's work is short (parse,
     * queue audio, echo a mark), so it runs right there rather than hopping to a worker thread per message.
     */
    private static final HttpClient CLIENT = HttpClient.newBuilder().executor(Runnable::run)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private static final String SILENCE_PAYLOAD = Base64.getEncoder().encodeToString(silence());

    private final URI url;
    private final Map<String, String> customParameters;
    private final String authToken;
    private final String signedUrl;
    private final int firstTimestampMillis;
    private final Duration maxBufferedAudio;
    private final Consumer<TurnReport> turnListener;
    private final boolean recordHeard;

    private SimulatedTwilioCaller(URI url, Map<String, String> customParameters, String authToken, String signedUrl,
            int firstTimestampMillis, Duration maxBufferedAudio, Consumer<TurnReport> turnListener,
            boolean recordHeard) {
        this.turnListener = turnListener;
        this.recordHeard = recordHeard;
        this.url = url;
        this.customParameters = Map.copyOf(customParameters);
        this.authToken = authToken;
        this.signedUrl = signedUrl;
        this.firstTimestampMillis = firstTimestampMillis;
        this.maxBufferedAudio = maxBufferedAudio;
    }

    /**
     * A caller that dials {@code url} ({@code ws://} or {@code wss://}) with no custom parameters, no
     * signature, and a 2-minute playback buffer.
     */
    public static SimulatedTwilioCaller dialing(URI url) {
        String scheme = url.getScheme();
        if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
            throw new IllegalArgumentException("url must be ws:// or wss://, was " + url);
        }
        return new SimulatedTwilioCaller(url, Map.of(), null, null, RECORDED_FIRST_TIMESTAMP_MILLIS,
                Duration.ofMinutes(2), turn -> { }, true);
    }

    /** The same caller, sending these {@code start.customParameters} (Twilio's {@code <Parameter>}s). */
    public SimulatedTwilioCaller withCustomParameters(Map<String, String> parameters) {
        int length = 0;
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            if (e.getKey().length() + e.getValue().length() >= 500) {
                throw new IllegalArgumentException("parameter " + e.getKey() + ": name and value must be under 500 "
                        + "characters together (Twilio's limit)");
            }
            length++;
        }
        if (length > 100) {
            throw new IllegalArgumentException("at most 100 custom parameters, got " + length);
        }
        return new SimulatedTwilioCaller(url, new LinkedHashMap<>(parameters), authToken, signedUrl,
                firstTimestampMillis, maxBufferedAudio, turnListener, recordHeard);
    }

    /**
     * The same caller, signing the handshake: {@code x-twilio-signature} = Base64(HMAC-SHA1(authToken,
     * signedUrl)). {@code signedUrl} is the public {@code wss://} URL Twilio was told to open, which differs
     * from the local URL dialed when a proxy sits in front; null signs the dialed URL.
     */
    public SimulatedTwilioCaller signedWith(String authToken, String signedUrl) {
        if (authToken == null || authToken.isEmpty()) {
            throw new IllegalArgumentException("authToken must not be empty");
        }
        return new SimulatedTwilioCaller(url, customParameters, authToken, signedUrl, firstTimestampMillis,
                maxBufferedAudio, turnListener, recordHeard);
    }

    /** The same caller, with a playback buffer of at most {@code max} audio (Twilio's is 10 minutes). */
    public SimulatedTwilioCaller withMaxBufferedAudio(Duration max) {
        if (max.compareTo(Duration.ofMillis(20)) < 0 || max.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("max buffered audio must be between 20 ms and 10 minutes, was " + max);
        }
        return new SimulatedTwilioCaller(url, customParameters, authToken, signedUrl, firstTimestampMillis, max,
                turnListener, recordHeard);
    }

    /**
     * The same caller, telling {@code listener} about each turn as soon as it is over. It runs on the shared
     * clock thread that ticks this call and others: keep it quick and never block. The same reports are in
     * the {@link CallReport}.
     */
    public SimulatedTwilioCaller withTurnListener(Consumer<TurnReport> listener) {
        return new SimulatedTwilioCaller(url, customParameters, authToken, signedUrl, firstTimestampMillis,
                maxBufferedAudio, Objects.requireNonNull(listener, "listener"), recordHeard);
    }

    /**
     * The same caller, keeping none of what it hears: its {@link CallReport#heard()} is empty, and everything
     * else is measured as before. For load runs, where hundreds of calls would otherwise hold 8 kB per second
     * each until they end (and the load generator's collector would copy it all).
     */
    public SimulatedTwilioCaller withoutRecording() {
        return new SimulatedTwilioCaller(url, customParameters, authToken, signedUrl, firstTimestampMillis,
                maxBufferedAudio, turnListener, false);
    }

    /** The signature header value this caller sends, or null if it does not sign. */
    public String signature() {
        return authToken == null ? null
                : TwilioSignature.forHandshake(authToken, signedUrl != null ? signedUrl : url.toString());
    }

    /**
     * Places the call and runs {@code script}; blocks until the call is over.
     *
     * @throws IOException if the WebSocket handshake fails
     * @throws InterruptedException if the calling thread is interrupted (the call is hung up first)
     */
    public CallReport call(CallScript script) throws IOException, InterruptedException {
        Call call = new Call(script);
        call.connect();
        try {
            call.run();
        } finally {
            call.hangUp();
        }
        return call.report();
    }

    private static byte[] silence() {
        byte[] frame = new byte[FRAME_BYTES];
        Arrays.fill(frame, TestkitAudio.ULAW_SILENCE);
        return frame;
    }

    private static String sid(String prefix) {
        StringBuilder sb = new StringBuilder(prefix);
        String hex = "0123456789abcdef";
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 32; i++) {
            sb.append(hex.charAt(random.nextInt(16)));
        }
        return sb.toString();
    }

    /**
     * One call in progress. The clock thread ({@link #tick}) and the socket's reader thread (the listener
     * methods) share state under {@link #lock}; everything sent goes through {@link #sendLock}, in order.
     */
    private final class Call implements WebSocket.Listener, CallClock.Ticking {
        private final CallScript script;
        private final String accountSid = sid("AC");
        private final String streamSid = sid("MZ");
        private final String callSid = sid("CA");
        private final ReentrantLock lock = new ReentrantLock();
        private final ReentrantLock sendLock = new ReentrantLock();
        private final CompletableFuture<Void> over = new CompletableFuture<>();
        private final long maxBufferedBytes;
        private final long maxHeardBytes;

        // Guarded by sendLock.
        private long sequenceNumber;
        private long chunk;
        private final ArrayDeque<String> outbox = new ArrayDeque<>();
        private long outboxChars;
        private CompletableFuture<WebSocket> sending;
        private boolean closeWhenSent;
        private boolean stopped;
        private boolean outputDone;
        private volatile String sendFailure;
        private volatile boolean abortSocket;

        // Only the socket's reader thread.
        private final StringBuilder partial = new StringBuilder();
        private long partialBinary;
        private boolean partialTooLong;

        // Guarded by lock.
        private final ArrayDeque<Object> playback = new ArrayDeque<>();
        private long bufferedBytes;
        private final Recording heard = new Recording();
        private final byte[] frame = new byte[FRAME_BYTES];
        private final List<String> protocolErrors = new ArrayList<>();
        private int protocolErrorCount;
        private int marksEchoed;
        private int clearsReceived;
        private long discardedBytes;
        private long firstAudioNanos;
        private long lastPlayNanos;
        private long firstSpeechNanos = Long.MAX_VALUE;
        private boolean closed;
        private String ending;
        private Turn turn;

        private volatile WebSocket socket;
        private long startNanos;
        private long maxLagNanos;
        private long deadline;
        private Phase phase;
        private volatile boolean cancelled;
        private final List<TurnReport> reports = new ArrayList<>();

        Call(CallScript script) {
            this.script = script;
            this.maxBufferedBytes = maxBufferedAudio.toMillis() * 8;
            this.maxHeardBytes = recordHeard ? script.maxCallDuration().toMillis() * 8 + FRAME_BYTES : 0;
        }

        void connect() throws IOException, InterruptedException {
            WebSocket.Builder builder = CLIENT.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
            String signature = signature();
            if (signature != null) {
                builder.header("x-twilio-signature", signature);
            }
            CompletableFuture<WebSocket> opening = builder.buildAsync(url, this);
            try {
                socket = opening.get(15, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                String why = cause instanceof WebSocketHandshakeException handshake
                        ? "HTTP " + handshake.getResponse().statusCode() + " instead of 101 Switching Protocols"
                        : String.valueOf(cause.getMessage());
                throw new IOException("could not open the media stream to " + url + ": " + why, cause);
            } catch (TimeoutException e) {
                opening.cancel(true);
                throw new IOException("no WebSocket handshake from " + url + " within 15 s", e);
            } catch (InterruptedException e) {
                opening.cancel(true);
                throw e;
            }
        }

        /** Starts the call on the shared clock and waits until it is over. */
        void run() throws InterruptedException {
            startNanos = System.nanoTime();
            deadline = startNanos + script.maxCallDuration().toNanos();
            phase = new Greeting();
            send(connectedMessage(), false);
            send(startMessage(), true);
            CallClock.shared().schedule(this, startNanos);
            try {
                over.get();
            } catch (InterruptedException e) {
                cancelled = true;
                try {
                    // The clock drops the call at its next tick; wait for that so no frame follows the stop.
                    over.get(1, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException | InterruptedException notStopped) {
                    e.addSuppressed(notStopped);
                }
                throw e;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw (Error) e.getCause();
            }
        }

        /** One 20 ms tick, on the clock thread: play a frame, send a frame, move the script on. */
        @Override
        public long tick(long dueNanos) {
            if (cancelled) {
                over.complete(null);
                return -1;
            }
            long now = System.nanoTime();
            maxLagNanos = Math.max(maxLagNanos, now - dueNanos);
            boolean end = false;
            lock.lock();
            try {
                playTick(now);
                absorbSendFailure();
                end = closed;
            } finally {
                lock.unlock();
            }
            abortIfStuck();
            if (!end && now - deadline >= 0) {
                lock.lock();
                try {
                    ending = "time limit";
                } finally {
                    lock.unlock();
                }
                end = true;
            }
            if (!end) {
                phase = phase.tick(now);
                end = phase == null;
            }
            if (!end) {
                return dueNanos + FRAME_NANOS;
            }
            finish();
            over.complete(null);
            return -1;
        }

        @Override
        public void failed(Throwable failure) {
            over.completeExceptionally(failure);
        }

        /** Reports the turn in progress, unless it was cut off while still waiting for its reply. */
        private void finish() {
            TurnReport last = null;
            long end = System.nanoTime();
            lock.lock();
            try {
                boolean cutOff = turn != null && turn.firstReplyNanos == 0
                        && (turn.speechEndNanos == 0 || end - turn.speechEndNanos < script.replyTimeout().toNanos());
                if (turn != null && !cutOff) {
                    last = turn.report();
                    reports.add(last);
                    turn = null;
                }
            } finally {
                lock.unlock();
            }
            if (last != null) {
                turnListener.accept(last);
            }
        }

        // ------------------------------------------------------------------ the script, one tick at a time

        /** A stage of the script; {@link #tick} sends this tick's frame and returns the next stage (null: done). */
        private interface Phase {
            Phase tick(long now);
        }

        private final class Greeting implements Phase {
            @Override
            public Phase tick(long now) {
                sendFrame(null, 0);
                lock.lock();
                try {
                    boolean heardSome = firstAudioNanos != 0;
                    boolean waitedLongEnough = heardSome ? quietFor(now) >= script.pauseBeforeSpeaking().toNanos()
                            : now - startNanos >= script.greetingTimeout().toNanos();
                    return waitedLongEnough ? next(0) : this;
                } finally {
                    lock.unlock();
                }
            }
        }

        private final class Speaking implements Phase {
            private final int index;
            private final CallScript.Utterance utterance;
            private final int speechEnd;
            private int sent;
            private boolean speechEnded;

            Speaking(int index) {
                this.index = index;
                this.utterance = script.utterances().get(index);
                this.speechEnd = utterance.speechEnd();
            }

            @Override
            public Phase tick(long now) {
                if (sent == 0) {
                    TurnReport finished = null;
                    lock.lock();
                    try {
                        Turn previous = turn;
                        if (previous != null) {
                            finished = previous.report();
                            reports.add(finished);
                        }
                        turn = new Turn(index, utterance.label(), now, !playback.isEmpty() || playedRecently(now));
                    } finally {
                        lock.unlock();
                    }
                    if (finished != null) {
                        turnListener.accept(finished);
                    }
                }
                sendFrame(utterance, sent);
                sent += FRAME_BYTES;
                if (sent >= speechEnd && !speechEnded) {
                    speechEnded = true;
                    // This frame ended at chunk * 20 ms of the call's audio; the speech ended within it.
                    long audioEnd = mediaSent() * FRAME_NANOS - (long) (sent - speechEnd) * NANOS_PER_BYTE;
                    lock.lock();
                    try {
                        turn.speechEndNanos = System.nanoTime();
                        turn.speechEndAudioNanos = audioEnd;
                    } finally {
                        lock.unlock();
                    }
                }
                return sent < utterance.length() ? this : new Waiting(index);
            }
        }

        private final class Waiting implements Phase {
            private final int index;

            Waiting(int index) {
                this.index = index;
            }

            @Override
            public Phase tick(long now) {
                sendFrame(null, 0);
                boolean last = index + 1 >= script.utterances().size();
                Duration bargeIn = last ? null : script.utterances().get(index + 1).bargeInAfter();
                lock.lock();
                try {
                    long sinceEnd = now - turn.speechEndNanos;
                    if (turn.firstPlayNanos == 0) {
                        return sinceEnd >= script.replyTimeout().toNanos() ? next(index + 1) : this;
                    }
                    if (bargeIn != null) {
                        return now - turn.firstPlayNanos >= bargeIn.toNanos() ? next(index + 1) : this;
                    }
                    return quietFor(now) >= script.pauseBeforeSpeaking().toNanos() ? next(index + 1) : this;
                } finally {
                    lock.unlock();
                }
            }
        }

        private Phase next(int index) {
            return index < script.utterances().size() ? new Speaking(index) : null;
        }

        /** How long nothing has played and nothing is buffered. Under {@link #lock}. */
        private long quietFor(long now) {
            if (!playback.isEmpty()) {
                return 0;
            }
            return turn != null && turn.lastPlayNanos != 0 ? now - turn.lastPlayNanos
                    : lastPlayNanos == 0 ? now - startNanos : now - lastPlayNanos;
        }

        private boolean playedRecently(long now) {
            return lastPlayNanos != 0 && now - lastPlayNanos <= FRAME_NANOS * 2;
        }

        // ------------------------------------------------------------------ playback

        /** Plays one 20 ms frame from the buffer: echoes reached marks, records what was heard. Under lock. */
        private void playTick(long now) {
            echoMarksAtHead();
            int played = 0;
            while (played < FRAME_BYTES && !playback.isEmpty()) {
                Object head = playback.peekFirst();
                if (head instanceof String mark) {
                    playback.pollFirst();
                    echoMark(mark);
                    continue;
                }
                Chunk audio = (Chunk) head;
                int n = Math.min(FRAME_BYTES - played, audio.data.length - audio.position);
                System.arraycopy(audio.data, audio.position, frame, played, n);
                audio.position += n;
                played += n;
                bufferedBytes -= n;
                if (audio.position == audio.data.length) {
                    playback.pollFirst();
                }
            }
            Arrays.fill(frame, played, FRAME_BYTES, TestkitAudio.ULAW_SILENCE);
            if (heard.size() + FRAME_BYTES <= maxHeardBytes) {
                heard.write(frame);
            }
            if (played > 0) {
                lastPlayNanos = now;
            }
            if (turn != null) {
                turn.played(now, played);
            }
        }

        private void echoMarksAtHead() {
            while (!playback.isEmpty() && playback.peekFirst() instanceof String mark) {
                playback.pollFirst();
                echoMark(mark);
            }
        }

        private void echoMark(String name) {
            ObjectNode message = JSON.createObjectNode();
            message.put("event", "mark");
            message.put("sequenceNumber", "");
            message.put("streamSid", streamSid);
            message.putObject("mark").put("name", name);
            send(message, true);
            marksEchoed++;
        }

        // ------------------------------------------------------------------ what the hotline sends

        @Override
        public void onOpen(WebSocket webSocket) {
            socket = webSocket;
            webSocket.request(Long.MAX_VALUE);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            if (last && partial.isEmpty() && !partialTooLong) {
                onMessage(data.toString());
                return null;
            }
            if (!partialTooLong && partial.length() + data.length() > MAX_MESSAGE_CHARS) {
                partialTooLong = true;
                partial.setLength(0);
                protocolError("31951 message over " + MAX_MESSAGE_CHARS + " characters");
            }
            if (!partialTooLong) {
                partial.append(data);
            }
            if (last) {
                if (!partialTooLong) {
                    onMessage(partial.toString());
                }
                partial.setLength(0);
                partialTooLong = false;
            }
            return null;
        }

        private void onMessage(String text) {
            long now = System.nanoTime();
            JsonNode message;
            try {
                message = JSON.readTree(text);
            } catch (IOException e) {
                protocolError("31951 not JSON: " + abbreviate(text));
                return;
            }
            String event = message.path("event").asText("");
            if (!event.isEmpty() && !streamSid.equals(message.path("streamSid").asText(null))) {
                protocolError("31951 wrong or missing streamSid in " + event + ": "
                        + message.path("streamSid").asText("(none)"));
                return;
            }
            switch (event) {
                case "media" -> onMedia(message, now);
                case "mark" -> onMark(message);
                case "clear" -> onClear(now);
                default -> protocolError("31951 unknown event '" + event + "'");
            }
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            partialBinary += data.remaining();
            if (last) {
                protocolError("31950 binary frame of " + partialBinary + " bytes (Media Streams is JSON text only)");
                partialBinary = 0;
            }
            return null;
        }

        private void onMedia(JsonNode message, long now) {
            String payload = message.path("media").path("payload").asText(null);
            byte[] audio;
            try {
                audio = payload == null ? null : Base64.getDecoder().decode(payload);
            } catch (IllegalArgumentException e) {
                audio = null;
            }
            if (audio == null) {
                protocolError("31951 media without a base64 payload");
                return;
            }
            if (audio.length == 0) {
                return;
            }
            lock.lock();
            try {
                if (firstAudioNanos == 0) {
                    firstAudioNanos = now;
                }
                if (turn != null) {
                    turn.received(now);
                }
                if (bufferedBytes + audio.length > maxBufferedBytes) {
                    discardedBytes += audio.length;
                    return;
                }
                playback.addLast(new Chunk(audio));
                bufferedBytes += audio.length;
            } finally {
                lock.unlock();
            }
        }

        private void onMark(JsonNode message) {
            String name = message.path("mark").path("name").asText(null);
            if (name == null) {
                protocolError("31951 mark without a name");
                return;
            }
            lock.lock();
            try {
                if (playback.isEmpty()) {
                    echoMark(name);
                } else {
                    playback.addLast(name);
                }
            } finally {
                lock.unlock();
            }
        }

        private void onClear(long now) {
            lock.lock();
            try {
                clearsReceived++;
                long dropped = bufferedBytes;
                for (Object item : playback) {
                    if (item instanceof String mark) {
                        echoMark(mark);
                    }
                }
                playback.clear();
                bufferedBytes = 0;
                if (turn != null) {
                    turn.cleared(now, dropped);
                }
            } finally {
                lock.unlock();
            }
        }

        private void protocolError(String description) {
            lock.lock();
            try {
                protocolErrorCount++;
                if (protocolErrors.size() < MAX_PROTOCOL_ERRORS) {
                    protocolErrors.add(description);
                }
            } finally {
                lock.unlock();
            }
        }

        /** The server's close: the JDK client answers it with a close of the same code once this returns. */
        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
            markClosed("server closed: " + code + (reason.isEmpty() ? "" : " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            markClosed("failed: " + error);
        }

        /** Ends the call if a send failed. Under {@link #lock}. */
        private void absorbSendFailure() {
            String failure = sendFailure;
            if (failure != null && !closed) {
                closed = true;
                if (ending == null) {
                    ending = failure;
                }
            }
        }

        private void markClosed(String why) {
            lock.lock();
            try {
                if (!closed) {
                    closed = true;
                    if (ending == null) {
                        ending = why;
                    }
                }
            } finally {
                lock.unlock();
            }
        }

        // ------------------------------------------------------------------ what the caller sends

        /** Media frames sent so far. */
        private long mediaSent() {
            sendLock.lock();
            try {
                return chunk;
            } finally {
                sendLock.unlock();
            }
        }

        private void sendFrame(CallScript.Utterance utterance, int offset) {
            String payload;
            if (utterance == null) {
                payload = SILENCE_PAYLOAD;
            } else {
                byte[] frame = new byte[FRAME_BYTES];
                int n = Math.min(FRAME_BYTES, utterance.length() - offset);
                for (int i = 0; i < n; i++) {
                    frame[i] = utterance.at(offset + i);
                }
                Arrays.fill(frame, n, FRAME_BYTES, TestkitAudio.ULAW_SILENCE);
                payload = Base64.getEncoder().encodeToString(frame);
            }
            sendLock.lock();
            try {
                chunk++;
                sequenceNumber++;
                String text = "{\"event\":\"media\",\"sequenceNumber\":\"" + sequenceNumber
                        + "\",\"media\":{\"track\":\"inbound\",\"chunk\":\"" + chunk + "\",\"timestamp\":\""
                        + (firstTimestampMillis + (chunk - 1) * 20) + "\",\"payload\":\"" + payload
                        + "\"},\"streamSid\":\"" + streamSid + "\"}";
                enqueue(text);
            } finally {
                sendLock.unlock();
            }
            abortIfStuck();
        }

        /** Sends {@code message}; with {@code numbered}, its {@code sequenceNumber} is set to the next number. */
        private void send(ObjectNode message, boolean numbered) {
            sendLock.lock();
            try {
                if (numbered) {
                    sequenceNumber++;
                    message.put("sequenceNumber", String.valueOf(sequenceNumber));
                }
                enqueue(message.toString());
            } finally {
                sendLock.unlock();
            }
            if (!lock.isHeldByCurrentThread()) {
                abortIfStuck();
            }
        }

        /**
         * Sends {@code text} after everything queued before it. The JDK client takes one text message at a time;
         * it writes it on this thread when the socket has room (the usual case), so the next one goes at once.
         * Under {@link #sendLock}, which is never held while taking {@link #lock}: a send that fails only
         * records why ({@link #sendFailure}); the next tick or the hang-up ends the call with it.
         */
        private void enqueue(String text) {
            if (outputDone || stopped) {
                return;
            }
            if (sending != null && !(sending.isDone() && outbox.isEmpty())) {
                if (outboxChars + text.length() > MAX_QUEUED_CHARS) {
                    outputDone = true;
                    outbox.clear();
                    sendFailure = "failed: the hotline stopped reading (" + MAX_QUEUED_CHARS + " characters queued)";
                    abortSocket = true;
                    return;
                }
                outbox.addLast(text);
                outboxChars += text.length();
                return;
            }
            write(text);
            drain();
        }

        /** Hands {@code text} to the socket; if it is not written at once, {@link #drain} runs when it is. */
        private void write(String text) {
            CompletableFuture<WebSocket> sent = socket.sendText(text, true);
            sending = sent;
            if (!sent.isDone()) {
                sent.whenComplete((ws, failure) -> {
                    sendLock.lock();
                    try {
                        if (sending == sent) {
                            drain();
                        }
                    } finally {
                        sendLock.unlock();
                    }
                });
            }
        }

        /** Writes queued messages while the socket takes them at once. Under {@link #sendLock}. */
        private void drain() {
            while (!outputDone && sending.isDone()) {
                if (sending.isCompletedExceptionally()) {
                    outputDone = true;
                    outbox.clear();
                    sendFailure = "failed: " + sending.exceptionNow();
                    return;
                }
                String next = outbox.pollFirst();
                if (next == null) {
                    if (closeWhenSent) {
                        closeOutput();
                    }
                    return;
                }
                outboxChars -= next.length();
                write(next);
            }
        }

        /** Drops the connection if a send found the hotline no longer reading. Never under a lock. */
        private void abortIfStuck() {
            if (abortSocket) {
                socket.abort();
            }
        }

        /** Closes the socket normally, and drops it if the server does not answer. Under {@link #sendLock}. */
        private void closeOutput() {
            outputDone = true;
            WebSocket ws = socket;
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "");
            CompletableFuture.delayedExecutor(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
                if (!ws.isInputClosed()) {
                    ws.abort();
                }
            });
        }

        private ObjectNode connectedMessage() {
            ObjectNode message = JSON.createObjectNode();
            message.put("event", "connected");
            message.put("protocol", "Call");
            message.put("version", "1.0.0");
            return message;
        }

        private ObjectNode startMessage() {
            ObjectNode message = JSON.createObjectNode();
            message.put("event", "start");
            message.put("sequenceNumber", "");
            ObjectNode start = message.putObject("start");
            start.put("accountSid", accountSid);
            start.put("streamSid", streamSid);
            start.put("callSid", callSid);
            start.putArray("tracks").add("inbound");
            ObjectNode format = start.putObject("mediaFormat");
            format.put("encoding", "audio/x-mulaw");
            format.put("sampleRate", 8000);
            format.put("channels", 1);
            ObjectNode parameters = start.putObject("customParameters");
            customParameters.forEach(parameters::put);
            message.put("streamSid", streamSid);
            return message;
        }

        void hangUp() {
            boolean wasOpen;
            lock.lock();
            try {
                absorbSendFailure();
                wasOpen = !closed;
                closed = true;
                if (ending == null) {
                    ending = "hung up";
                }
            } finally {
                lock.unlock();
            }
            abortIfStuck();
            if (wasOpen && socket != null) {
                ObjectNode message = JSON.createObjectNode();
                message.put("event", "stop");
                message.put("sequenceNumber", "");
                message.put("streamSid", streamSid);
                ObjectNode stop = message.putObject("stop");
                stop.put("accountSid", accountSid);
                stop.put("callSid", callSid);
                sendLock.lock();
                try {
                    sequenceNumber++;
                    message.put("sequenceNumber", String.valueOf(sequenceNumber));
                    enqueue(message.toString());
                    stopped = true;
                    if (!outputDone) {
                        if (sending == null || sending.isDone() && outbox.isEmpty()) {
                            closeOutput();
                        } else {
                            closeWhenSent = true;
                        }
                    }
                } finally {
                    sendLock.unlock();
                }
            }
        }

        CallReport report() {
            lock.lock();
            try {
                List<String> errors = new ArrayList<>(protocolErrors);
                if (protocolErrorCount > errors.size()) {
                    errors.add("... and " + (protocolErrorCount - errors.size()) + " more");
                }
                Optional<Duration> greeting = Optional.empty();
                if (firstAudioNanos != 0 && firstAudioNanos < firstSpeechNanos) {
                    greeting = Optional.of(Duration.ofNanos(firstAudioNanos - startNanos));
                }
                return new CallReport(streamSid, callSid, greeting, reports, heard.toByteArray(), marksEchoed,
                        clearsReceived, errors, Duration.ofMillis(discardedBytes / 8), Duration.ofNanos(maxLagNanos),
                        ending);
            } finally {
                lock.unlock();
            }
        }

        /** One turn's measurements. Under {@link #lock}. */
        private final class Turn {
            private final int index;
            private final String label;
            private final long speechStartNanos;
            private final boolean bargedIn;
            private long speechEndNanos;
            private long speechEndAudioNanos = -1;
            private long firstReplyNanos;
            private long firstPlayNanos;
            private long lastPlayNanos;
            private long playedBytes;
            private int pendingGapBytes;
            private int underruns;
            private long underrunBytes;
            private long firstUnderrunNanos;
            private long clearNanos;
            private long clearedBytes;

            Turn(int index, String label, long speechStartNanos, boolean bargedIn) {
                this.index = index;
                this.label = label;
                this.speechStartNanos = speechStartNanos;
                this.bargedIn = bargedIn;
                firstSpeechNanos = Math.min(firstSpeechNanos, speechStartNanos);
            }

            void received(long now) {
                if (speechEndNanos != 0 && firstReplyNanos == 0) {
                    firstReplyNanos = now;
                }
            }

            void played(long now, int bytes) {
                if (speechEndNanos == 0 || firstReplyNanos == 0) {
                    return;
                }
                if (bytes > 0) {
                    if (firstPlayNanos == 0) {
                        firstPlayNanos = now;
                    }
                    if (pendingGapBytes > 0) {
                        if (underruns == 0) {
                            // The gap began when the frames it spans were due.
                            firstUnderrunNanos = now - pendingGapBytes * FRAME_NANOS / FRAME_BYTES;
                        }
                        underruns++;
                        underrunBytes += pendingGapBytes;
                    }
                    pendingGapBytes = FRAME_BYTES - bytes;
                    lastPlayNanos = now;
                    playedBytes += bytes;
                } else if (firstPlayNanos != 0) {
                    pendingGapBytes += FRAME_BYTES;
                }
            }

            void cleared(long now, long droppedBytes) {
                if (bargedIn && clearNanos == 0) {
                    clearNanos = now;
                    clearedBytes = droppedBytes;
                    // Audio before this clear was the interrupted reply, not the answer to this turn.
                    firstReplyNanos = 0;
                    firstPlayNanos = 0;
                    lastPlayNanos = 0;
                    playedBytes = 0;
                    underruns = 0;
                    underrunBytes = 0;
                    firstUnderrunNanos = 0;
                }
                pendingGapBytes = 0;
            }

            TurnReport report() {
                Optional<Duration> v2v = firstReplyNanos == 0 ? Optional.empty()
                        : Optional.of(Duration.ofNanos(firstReplyNanos - speechEndNanos));
                Optional<Duration> clear = clearNanos == 0 ? Optional.empty()
                        : Optional.of(Duration.ofNanos(clearNanos - speechStartNanos));
                Optional<Duration> firstGap = underruns == 0 ? Optional.empty()
                        : Optional.of(Duration.ofNanos(Math.max(0, firstUnderrunNanos - speechEndNanos)));
                return new TurnReport(index + 1, label, v2v, Duration.ofMillis(playedBytes / 8), underruns,
                        Duration.ofMillis(underrunBytes / 8), firstGap, bargedIn, clear, Duration.ofMillis(clearedBytes / 8),
                        speechEndAudioNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(speechEndAudioNanos)));
            }
        }
    }

    /**
     * What a call heard, in blocks of one second: appending never copies what was recorded, and no block is
     * large enough to be a humongous allocation for G1 (a growing array of a long call was, and with 200
     * calls those triggered extra GC cycles that stalled the shared clock). Not thread-safe.
     */
    private static final class Recording {
        private static final int BLOCK = 8_000;
        private final List<byte[]> blocks = new ArrayList<>();
        private int size;

        int size() {
            return size;
        }

        void write(byte[] frame) {
            int at = size % BLOCK;
            if (at == 0) {
                blocks.add(new byte[BLOCK]);
            }
            // BLOCK is a multiple of the frame length, so a frame never straddles two blocks.
            System.arraycopy(frame, 0, blocks.get(blocks.size() - 1), at, frame.length);
            size += frame.length;
        }

        byte[] toByteArray() {
            byte[] all = new byte[size];
            for (int i = 0; i < blocks.size(); i++) {
                int from = i * BLOCK;
                System.arraycopy(blocks.get(i), 0, all, from, Math.min(BLOCK, size - from));
            }
            return all;
        }
    }

    /** Audio waiting to play, and how much of it has played. */
    private static final class Chunk {
        private final byte[] data;
        private int position;

        Chunk(byte[] data) {
            this.data = data;
        }
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }
}
