package dev.hotline.server.browser;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A call from a browser tab, over one WebSocket ({@code /browser-stream}): binary frames carry PCM16
 * little-endian audio at 16 kHz mono ({@link AudioFormat#PCM16_16K}) in both directions, text frames carry
 * the JSON control messages of {@link BrowserControlCodec}.
 *
 * <p><b>Lifecycle.</b> Created when the socket opens, then {@link #start} is called once (by the engine).
 * The page's {@code start} message reports {@code onStart}; its audio frames {@code onAudio}; its mark
 * echoes {@code onMark}; its {@code stop}, the socket closing, or a protocol violation {@code onStop}, once.
 * A protocol violation (audio before {@code start}, a malformed frame, an unknown mark) closes the socket
 * with code 1008 and a reason saying what was wrong.
 *
 * <p><b>Threading.</b> The socket's inbound methods ({@link #onText}, {@link #onBinary}, {@link #onClosed})
 * are called by the server one at a time, and the listener is called only from them, so the listener sees
 * one thread at a time. The send methods may be called from any thread and never block: they put frames on
 * a bounded outbound queue that one writer thread (started by {@link #start}) hands to the socket.
 *
 * <p><b>Bounds.</b> At most {@link #MAX_QUEUED_AUDIO_MILLIS} ms of audio wait in the queue
 * ({@link #sendAudio} returns {@code false} beyond that); at most {@link #MAX_PENDING_MARKS} marks wait for
 * their echo and {@link #MAX_QUEUED_MESSAGES} frames in the queue: a page that stops playing or reading
 * beyond that is hung up on. Inbound audio frames hold whole samples and at most
 * {@link #MAX_INBOUND_FRAME_MILLIS} ms.
 */
public final class BrowserCallTransport implements CallTransport {

    /** Audio the outbound queue holds before {@link #sendAudio} reports back-pressure, in ms. */
    public static final int MAX_QUEUED_AUDIO_MILLIS = 3_000;
    /** Marks sent and not yet echoed before the page is deemed broken. */
    public static final int MAX_PENDING_MARKS = 1_000;
    /** Frames waiting in the outbound queue before the page is deemed broken. */
    public static final int MAX_QUEUED_MESSAGES = 2_000;
    /** The longest inbound audio frame accepted, in ms (the page sends 20 ms frames). */
    public static final int MAX_INBOUND_FRAME_MILLIS = 1_000;

    /** WebSocket close code: normal closure (RFC 6455, 7.4.1). */
    static final int CLOSE_NORMAL = 1000;
    /** WebSocket close code: policy violation, used for protocol errors (RFC 6455, 7.4.1). */
    static final int CLOSE_POLICY_VIOLATION = 1008;
    /** WebSocket close code: try again later, used when a call is refused (IANA registry). */
    static final int CLOSE_TRY_AGAIN_LATER = 1013;
    /** A close reason may hold 123 bytes of UTF-8 (RFC 6455, 5.5: 125-byte payload minus the code). */
    private static final int MAX_CLOSE_REASON_BYTES = 123;

    private static final Logger log = LoggerFactory.getLogger(BrowserCallTransport.class);
    private static final AudioFormat FORMAT = AudioFormat.PCM16_16K;
    private static final int MAX_QUEUED_AUDIO_BYTES = FORMAT.bytesForMillis(MAX_QUEUED_AUDIO_MILLIS);
    private static final int MAX_INBOUND_FRAME_BYTES = FORMAT.bytesForMillis(MAX_INBOUND_FRAME_MILLIS);

    private final String callId;
    private final String remoteAddress;
    private final Map<String, String> parameters;
    private final BrowserSocket socket;
    private final BrowserControlCodec codec;
    private final ThreadFactory writerThreads;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition queued = lock.newCondition();
    /** Frames for the writer, oldest first. Guarded by {@link #lock}. */
    private final Deque<Outbound> queue = new ArrayDeque<>();
    /** Audio bytes in {@link #queue}. Guarded by {@link #lock}. */
    private int queuedAudioBytes;
    /** Marks sent and not yet echoed, in order, with a count per name. Guarded by {@link #lock}. */
    private final Map<String, Integer> pendingMarks = new LinkedHashMap<>();
    private int pendingMarkCount;
    /** No more outbound frames are taken: the call was hung up or the socket is gone. Guarded by lock. */
    private boolean closing;
    /** The socket is gone: the writer exits. Guarded by {@link #lock}. */
    private boolean closed;

    /** Inbound state, touched only by the socket's inbound thread. */
    private Listener listener;
    private boolean mediaStarted;
    private boolean stopped;

    /**
     * @param callId the call's id, unique on this server (e.g. {@code browser-<uuid>})
     * @param remoteAddress the caller's IP address, reported as the call's {@code from}
     * @param parameters custom parameters the call carries (e.g. the page's origin)
     * @param socket the call's WebSocket
     * @param writerThreads makes the one writer thread (a virtual thread factory fits)
     */
    BrowserCallTransport(String callId, String remoteAddress, Map<String, String> parameters, BrowserSocket socket,
            ThreadFactory writerThreads) {
        this.callId = requireText(callId, "callId");
        this.remoteAddress = requireText(remoteAddress, "remoteAddress");
        this.parameters = Map.copyOf(parameters);
        this.socket = Objects.requireNonNull(socket, "socket");
        this.writerThreads = Objects.requireNonNull(writerThreads, "writerThreads");
        this.codec = new BrowserControlCodec();
    }

    /** The call's id, as reported in {@link CallInfo#callId()}. */
    public String callId() {
        return callId;
    }

    @Override
    public void start(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        if (this.listener != null) {
            throw new IllegalStateException("start was already called for call " + callId);
        }
        this.listener = listener;
        Thread writer = writerThreads.newThread(this::writeLoop);
        writer.start();
    }

    @Override
    public AudioFormat audioFormat() {
        return FORMAT;
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        Objects.requireNonNull(audio, "audio");
        if (audio.length % FORMAT.bytesPerFrame() != 0) {
            throw new IllegalArgumentException("audio must hold whole PCM16 samples, got " + audio.length + " bytes");
        }
        if (audio.length == 0) {
            return true;
        }
        lock.lock();
        try {
            if (closing || queuedAudioBytes + audio.length > MAX_QUEUED_AUDIO_BYTES) {
                return false;
            }
            queuedAudioBytes += audio.length;
            enqueue(new Outbound.Audio(audio.clone())); // the caller may reuse its array once we return
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void sendMark(String name) {
        requireText(name, "name");
        lock.lock();
        try {
            if (closing) {
                return;
            }
            if (pendingMarkCount >= MAX_PENDING_MARKS) {
                log.warn("call {}: the page echoed none of the last {} marks; hanging up", callId, pendingMarkCount);
                hangUpLocked("page stopped playing");
                return;
            }
            pendingMarks.merge(name, 1, Integer::sum);
            pendingMarkCount++;
            enqueue(new Outbound.Text(codec.encode(new ServerMessage.Mark(name))));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            if (closing) {
                return;
            }
            // Audio still queued here never reaches the page; the marks between it stay queued, in order,
            // so the page learns of them before the clear and echoes them when it flushes.
            queue.removeIf(frame -> frame instanceof Outbound.Audio);
            queuedAudioBytes = 0;
            enqueue(new Outbound.Text(codec.encode(new ServerMessage.Clear())));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void hangUp() {
        lock.lock();
        try {
            hangUpLocked("hangup");
        } finally {
            lock.unlock();
        }
    }

    /**
     * Shows a line of the conversation on the page. Does nothing once the call is over.
     *
     * @param who {@link ServerMessage.Caption#CALLER} or {@link ServerMessage.Caption#PERSONA}
     */
    public void sendCaption(String who, String text) {
        sendControl(new ServerMessage.Caption(who, text));
    }

    /** Shows a turn's voice-to-voice latency on the page. Does nothing once the call is over. */
    public void sendTurnLatency(long latencyMs) {
        sendControl(new ServerMessage.Turn(latencyMs));
    }

    /** Called by the server for each text frame from the page. */
    void onText(String text) {
        if (stopped) {
            return;
        }
        ClientMessage message;
        try {
            message = codec.decode(text);
        } catch (IllegalArgumentException e) {
            protocolError(e.getMessage());
            return;
        }
        switch (message) {
            case ClientMessage.Start start -> onStartMessage(start);
            case ClientMessage.MarkPlayed mark -> onMarkPlayed(mark.name());
            case ClientMessage.Stop ignored -> {
                stop();
                closeSocket(CLOSE_NORMAL, "caller hung up");
            }
        }
    }

    /** Called by the server for each binary frame (caller audio) from the page. */
    void onBinary(byte[] frame) {
        if (stopped) {
            return;
        }
        if (!mediaStarted) {
            protocolError("audio before the start message");
        } else if (frame.length == 0 || frame.length % FORMAT.bytesPerFrame() != 0) {
            protocolError("audio frame must hold whole PCM16 samples, got " + frame.length + " bytes");
        } else if (frame.length > MAX_INBOUND_FRAME_BYTES) {
            protocolError("audio frame too long: " + frame.length + " bytes, limit " + MAX_INBOUND_FRAME_BYTES);
        } else {
            listener.onAudio(frame);
        }
    }

    /** Called by the server once the socket closed, for whatever reason. */
    void onClosed() {
        lock.lock();
        try {
            closing = true;
            closed = true;
            queue.clear();
            queuedAudioBytes = 0;
            queued.signalAll();
        } finally {
            lock.unlock();
        }
        stop();
    }

    private void onStartMessage(ClientMessage.Start start) {
        if (mediaStarted) {
            protocolError("start sent twice");
            return;
        }
        mediaStarted = true;
        Map<String, String> callParameters = new LinkedHashMap<>(parameters);
        if (start.persona() != null && !start.persona().isBlank()) {
            callParameters.put("persona", start.persona());
        }
        listener.onStart(new CallInfo(callId, callId, remoteAddress, null, callParameters));
    }

    private void onMarkPlayed(String name) {
        boolean known;
        lock.lock();
        try {
            Integer count = pendingMarks.get(name);
            known = count != null;
            if (known) {
                if (count == 1) {
                    pendingMarks.remove(name);
                } else {
                    pendingMarks.put(name, count - 1);
                }
                pendingMarkCount--;
            }
        } finally {
            lock.unlock();
        }
        if (known) {
            listener.onMark(name);
        } else {
            protocolError("echo of a mark never sent or already echoed: " + name);
        }
    }

    private void protocolError(String why) {
        log.info("call {}: closing the browser socket, protocol error: {}", callId, why);
        stop();
        closeSocket(CLOSE_POLICY_VIOLATION, why);
    }

    /** Reports the end to the listener, once. Inbound thread only. */
    private void stop() {
        if (stopped) {
            return;
        }
        stopped = true;
        if (listener != null) {
            listener.onStop();
        }
    }

    private void closeSocket(int code, String reason) {
        lock.lock();
        try {
            closing = true;
            queue.clear();
            queuedAudioBytes = 0;
            queue.add(new Outbound.Close(code, reason));
            queued.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void sendControl(ServerMessage message) {
        String text = codec.encode(message);
        lock.lock();
        try {
            if (!closing) {
                enqueue(new Outbound.Text(text));
            }
        } finally {
            lock.unlock();
        }
    }

    private void hangUpLocked(String reason) {
        if (closing) {
            return;
        }
        closing = true;
        queue.add(new Outbound.Text(codec.encode(new ServerMessage.Hangup())));
        queue.add(new Outbound.Close(CLOSE_NORMAL, reason));
        queued.signalAll();
    }

    /** Adds a frame for the writer. Caller holds the lock and checked {@code closing}. */
    private void enqueue(Outbound frame) {
        if (queue.size() >= MAX_QUEUED_MESSAGES) {
            log.warn("call {}: the page read none of the last {} frames; hanging up", callId, queue.size());
            queue.clear();
            queuedAudioBytes = 0;
            hangUpLocked("page stopped reading");
            return;
        }
        queue.add(frame);
        queued.signalAll();
    }

    private void writeLoop() {
        try {
            while (true) {
                Outbound frame = nextFrame();
                if (frame == null) {
                    return;
                }
                switch (frame) {
                    case Outbound.Audio audio -> socket.sendBinary(ByteBuffer.wrap(audio.data()));
                    case Outbound.Text text -> socket.sendText(text.json());
                    case Outbound.Close close -> {
                        socket.close(close.code(), closeReason(close.reason()));
                        return;
                    }
                }
            }
        } catch (IOException e) {
            log.info("call {}: the browser socket failed ({}); closing it", callId, e.toString());
            socket.close(CLOSE_NORMAL, "send failed");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes the next frame, or {@code null} once the socket is gone. */
    private Outbound nextFrame() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty()) {
                if (closed) {
                    return null;
                }
                queued.await();
            }
            Outbound frame = queue.poll();
            if (frame instanceof Outbound.Audio audio) {
                queuedAudioBytes -= audio.data().length;
            }
            return frame;
        } finally {
            lock.unlock();
        }
    }

    private static String closeReason(String reason) {
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        int end = reason.length();
        while (reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > MAX_CLOSE_REASON_BYTES - 3) {
            end--;
        }
        return reason.substring(0, end) + "...";
    }

    private static String requireText(String value, String what) {
        Objects.requireNonNull(value, what);
        if (value.isBlank()) {
            throw new IllegalArgumentException(what + " must not be blank");
        }
        return value;
    }

    /** A frame waiting for the writer. */
    private sealed interface Outbound {
        record Audio(byte[] data) implements Outbound {
        }

        record Text(String json) implements Outbound {
        }

        record Close(int code, String reason) implements Outbound {
        }
    }
}
