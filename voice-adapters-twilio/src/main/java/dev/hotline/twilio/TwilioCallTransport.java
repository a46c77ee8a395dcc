package dev.hotline.twilio;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * One Twilio Media Stream as a {@link CallTransport}: the server feeds it the socket's inbound frames
 * ({@link #onText}, {@link #onBinary}, {@link #onClosed}); it parses them with {@link MediaStreamCodec} and
 * tells the engine's listener; what the engine sends goes out as text frames through a {@link TextFrameSender}.
 *
 * <p><b>Wire only.</b> One {@link #sendAudio} is one outbound {@code media} message, one {@link #sendMark} one
 * {@code mark}, {@link #clear} one {@code clear}; pacing (small chunks, a mark per chunk) is the engine's job.
 * Twilio echoes each mark when the audio before it has played or was cleared, and the echo reaches
 * {@link Listener#onMark}.
 *
 * <p><b>Outbound queue.</b> Frames wait in a queue and are written one at a time through the non-blocking
 * {@link TextFrameSender}, by whichever thread finds the socket free: the one that queued the frame, or the
 * one told that the frame before it was written. No thread waits for the network and no writer thread is
 * woken per frame. A write still unfinished after a timeout ({@link #endIfWriteStalled}, which the server
 * calls every second) means a peer that stopped reading, and the call ends. At most {@code maxQueuedMedia}
 * media frames wait; beyond that {@link #sendAudio} returns {@code false} and queues nothing. {@link #clear}
 * drops the media frames still waiting here and echoes the marks among them at once, then sends
 * {@code clear} so Twilio drops and echoes the rest. Marks and clears are small and are always queued, up to
 * a hard cap of twice {@code maxQueuedMedia} frames in all; a socket that falls that far behind is treated as
 * dead and the call ends.
 *
 * <p><b>Bad input.</b> A malformed message, a binary frame, media before {@code start}, a message naming
 * another stream, a second {@code start} or anything after {@code stop} is dropped and logged once per kind
 * per call (later ones are only counted); the call goes on. A {@code start} announcing audio other than
 * 8 kHz mu-law ends the call cleanly. Listener calls never run concurrently, and {@link Listener#onStop} is
 * always the last, whether Twilio sent {@code stop}, the socket closed, writing failed or the engine hung up.
 *
 * <p>Events that arrive before {@link #start} is called are held (up to {@value #MAX_EARLY_EVENTS}) and
 * delivered when it is.
 */
public final class TwilioCallTransport implements CallTransport {

    /**
     * What the server learns about the call and does for the transport. Called on the thread where the
     * event happened, possibly while the transport holds its inbound lock: implementations return quickly
     * and never call back into the transport.
     */
    public interface Hooks {
        /** The stream started; {@code call} names the call. */
        void callStarted(CallInfo call);

        /** The engine asked to end the call; hang it up if the platform can (the socket is closed anyway). */
        void hangUp(String callSid);

        /**
         * The transport is done: the listener has been told {@code onStop}. Called once.
         *
         * @param call the call, or {@code null} if the stream never started
         * @param reason why it ended, e.g. {@code "stop received"}
         */
        void callEnded(CallInfo call, String reason);
    }

    /** Events held before the engine attached its listener: one second of frames and then some. */
    static final int MAX_EARLY_EVENTS = 64;

    private static final Logger LOG = LoggerFactory.getLogger(TwilioCallTransport.class);
    /** WebSocket close status: normal closure (RFC 6455 section 7.4.1). */
    private static final int CLOSE_NORMAL = 1000;
    /** WebSocket close status: the peer sent data we refuse to handle (RFC 6455 section 7.4.1). */
    private static final int CLOSE_UNSUPPORTED_DATA = 1003;

    private final TextFrameSender sender;
    private final MediaStreamCodec codec;
    private final Hooks hooks;
    private final int maxQueuedMedia;

    /** Guards every listener call, so the listener sees one thread at a time, and the inbound state. */
    private final ReentrantLock inbound = new ReentrantLock();
    private Listener listener;
    private final List<Runnable> earlyEvents = new ArrayList<>();
    private volatile CallInfo call;
    private boolean stopped;
    private final Map<String, Integer> problems = new HashMap<>();

    /** Guards the outbound queue and the write in flight. */
    private final ReentrantLock outbound = new ReentrantLock();
    private final ArrayDeque<Frame> queue = new ArrayDeque<>();
    private int queuedMedia;
    private boolean closed;
    /** A frame was given to the sender and not yet reported written: the next one waits. */
    private boolean writing;
    private long writeStartedNanos;
    private volatile String streamSid;

    /**
     * @param sender the socket's outbound half
     * @param codec the wire format
     * @param maxQueuedMedia the most media frames waiting to be written; at least 1
     * @param hooks what the server does for this call
     */
    public TwilioCallTransport(TextFrameSender sender, MediaStreamCodec codec, int maxQueuedMedia, Hooks hooks) {
        this.sender = Objects.requireNonNull(sender, "sender");
        this.codec = Objects.requireNonNull(codec, "codec");
        this.hooks = Objects.requireNonNull(hooks, "hooks");
        if (maxQueuedMedia < 1) {
            throw new IllegalArgumentException("maxQueuedMedia must be >= 1, was " + maxQueuedMedia);
        }
        this.maxQueuedMedia = maxQueuedMedia;
    }

    // ---- inbound, from the server's socket handler ----

    /** One text frame from Twilio. Never throws on bad input. */
    public void onText(String text) {
        MediaStreamMessage message;
        try {
            message = codec.decode(text);
        } catch (MalformedMessageException e) {
            problem("malformed-" + e.problem(), "dropped a malformed message: " + e.getMessage());
            return;
        }
        inbound.lock();
        try {
            handle(message);
        } finally {
            inbound.unlock();
        }
    }

    /** A binary frame arrived; Twilio never sends one, so it is dropped. */
    public void onBinary(int length) {
        inbound.lock();
        try {
            problem("binary-frame", "dropped a binary frame of " + length + " bytes; Media Streams are text only");
        } finally {
            inbound.unlock();
        }
    }

    /** The socket closed (by Twilio, the network or us). Ends the call if it has not ended. */
    public void onClosed(int statusCode, String reason) {
        end("socket closed (" + statusCode + (reason == null || reason.isBlank() ? "" : " " + reason) + ")");
    }

    private void handle(MediaStreamMessage message) {
        if (stopped) {
            problem("after-stop", "dropped a " + eventName(message) + " message received after the stream stopped");
            return;
        }
        switch (message) {
            case MediaStreamMessage.Connected connected -> LOG.debug("media stream connected, protocol {} {}",
                    connected.protocol(), connected.version());
            case MediaStreamMessage.Start start -> started(start);
            case MediaStreamMessage.Media media -> {
                if (checkStream("media", media.streamSid())) {
                    if (media.track() != null && !"inbound".equals(media.track())) {
                        problem("outbound-track", "dropped media of track " + media.track());
                    } else {
                        deliver(l -> l.onAudio(media.payload()));
                    }
                }
            }
            case MediaStreamMessage.Dtmf dtmf -> {
                if (checkStream("dtmf", dtmf.streamSid())) {
                    deliver(l -> l.onDtmf(dtmf.digit()));
                }
            }
            case MediaStreamMessage.Mark mark -> {
                if (checkStream("mark", mark.streamSid())) {
                    deliver(l -> l.onMark(mark.name()));
                }
            }
            case MediaStreamMessage.Stop stop -> {
                if (checkStream("stop", stop.streamSid())) {
                    endLocked("stop received");
                }
            }
        }
    }

    private void started(MediaStreamMessage.Start start) {
        if (call != null) {
            problem("duplicate-start", "dropped a second start message");
            return;
        }
        Map<String, String> parameters = start.customParameters();
        call = new CallInfo(start.callSid(), start.streamSid(), parameters.get("From"), parameters.get("To"),
                parameters);
        streamSid = start.streamSid();
        boolean mulaw8k = "audio/x-mulaw".equals(start.encoding()) && start.sampleRate() == 8000
                && start.channels() == 1;
        if (!mulaw8k) {
            log("the stream announced " + start.encoding() + " at " + start.sampleRate() + " Hz, "
                    + start.channels() + " channel(s); only audio/x-mulaw at 8000 Hz mono is supported: ending");
            closeOutbound();
            sender.close(CLOSE_UNSUPPORTED_DATA, "unsupported media format");
            endLocked("unsupported media format");
            return;
        }
        CallInfo info = call;
        hooks.callStarted(info);
        deliver(l -> l.onStart(info));
    }

    private boolean checkStream(String event, String sid) {
        if (call == null) {
            problem(event + "-before-start", "dropped a " + event + " message received before start");
            return false;
        }
        if (!call.streamId().equals(sid)) {
            problem("wrong-stream-sid", "dropped a " + event + " message for another stream");
            return false;
        }
        return true;
    }

    private void deliver(java.util.function.Consumer<Listener> event) {
        if (listener != null) {
            event.accept(listener);
        } else if (earlyEvents.size() < MAX_EARLY_EVENTS) {
            earlyEvents.add(() -> event.accept(listener));
        } else {
            problem("early-overflow", "dropped an event: the engine has not attached to the call yet");
        }
    }

    // ---- CallTransport ----

    @Override
    public void start(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        inbound.lock();
        try {
            if (this.listener != null) {
                throw new IllegalStateException("start was already called");
            }
            this.listener = listener;
            earlyEvents.forEach(Runnable::run);
            earlyEvents.clear();
            if (stopped) {
                listener.onStop();
            }
        } finally {
            inbound.unlock();
        }
    }

    @Override
    public AudioFormat audioFormat() {
        return AudioFormat.ULAW_8K;
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        Objects.requireNonNull(audio, "audio");
        String sid = streamSid;
        if (sid == null || audio.length == 0) {
            return false;
        }
        outbound.lock();
        try {
            if (closed || queuedMedia >= maxQueuedMedia) {
                return false;
            }
            queue.addLast(new Frame(FrameKind.MEDIA, codec.encodeMedia(sid, audio), null));
            queuedMedia++;
        } finally {
            outbound.unlock();
        }
        drain();
        return true;
    }

    @Override
    public void sendMark(String name) {
        Objects.requireNonNull(name, "name");
        String sid = streamSid;
        if (sid == null) {
            return;
        }
        if (!enqueueControl(new Frame(FrameKind.MARK, codec.encodeMark(sid, name), name))) {
            overflow();
        }
    }

    @Override
    public void clear() {
        String sid = streamSid;
        if (sid == null) {
            return;
        }
        List<String> dropped = new ArrayList<>();
        outbound.lock();
        try {
            if (closed) {
                return;
            }
            queue.removeIf(frame -> {
                if (frame.kind() == FrameKind.MARK) {
                    dropped.add(frame.markName());
                }
                return frame.kind() != FrameKind.CLEAR;
            });
            queuedMedia = 0;
        } finally {
            outbound.unlock();
        }
        inbound.lock();
        try {
            if (!stopped) {
                dropped.forEach(name -> deliver(l -> l.onMark(name)));
            }
        } finally {
            inbound.unlock();
        }
        if (!enqueueControl(new Frame(FrameKind.CLEAR, codec.encodeClear(sid), null))) {
            overflow();
        }
    }

    @Override
    public void hangUp() {
        CallInfo info;
        inbound.lock();
        try {
            if (stopped) {
                return;
            }
            info = call;
        } finally {
            inbound.unlock();
        }
        if (info != null) {
            hooks.hangUp(info.callId());
        }
        closeOutbound();
        sender.close(CLOSE_NORMAL, "call ended");
        end("hung up");
    }

    /** The call, once {@code start} arrived; {@code null} before. */
    public CallInfo call() {
        inbound.lock();
        try {
            return call;
        } finally {
            inbound.unlock();
        }
    }

    /**
     * Ends the call if the frame being written has not been written within {@code timeout}: the peer stopped
     * reading (TCP's window is full) or the network is gone without a reset. Call it now and then from a
     * thread that holds no engine lock (the server does, every second).
     *
     * @return whether it ended the call
     */
    public boolean endIfWriteStalled(Duration timeout) {
        outbound.lock();
        try {
            if (!writing || closed || System.nanoTime() - writeStartedNanos <= timeout.toNanos()) {
                return false;
            }
        } finally {
            outbound.unlock();
        }
        log("a frame has not been written to the socket for " + timeout.toMillis() + " ms: ending the call");
        closeOutbound();
        sender.close(CLOSE_NORMAL, "connection too slow");
        end("write stalled");
        return true;
    }

    /** Media frames waiting to be written to the socket. */
    public int queuedMedia() {
        outbound.lock();
        try {
            return queuedMedia;
        } finally {
            outbound.unlock();
        }
    }

    // ---- internals ----

    private boolean enqueueControl(Frame frame) {
        outbound.lock();
        try {
            if (closed) {
                return true;
            }
            if (queue.size() >= 2 * maxQueuedMedia) {
                return false;
            }
            queue.addLast(frame);
        } finally {
            outbound.unlock();
        }
        drain();
        return true;
    }

    private void overflow() {
        log("the socket fell " + (2 * maxQueuedMedia) + " frames behind: ending the call");
        closeOutbound();
        sender.close(CLOSE_NORMAL, "connection too slow");
        // Ending takes the inbound lock; an outbound call must not wait for it (the engine may hold its own
        // lock here while the inbound thread, holding ours, waits for the engine's), so end on another thread.
        Thread.ofVirtual().name("twilio-overflow").start(() -> end("outbound queue overflow"));
    }

    /**
     * Writes queued frames in order while the socket takes them at once. When a write does not finish inside
     * {@code sendText}, this returns and the thread told of its end goes on ({@link Write}).
     */
    private void drain() {
        while (true) {
            Frame frame;
            Write write;
            outbound.lock();
            try {
                if (writing || closed || queue.isEmpty()) {
                    return;
                }
                write = new Write();
                frame = queue.removeFirst();
                if (frame.kind() == FrameKind.MEDIA) {
                    queuedMedia--;
                }
                writing = true;
                writeStartedNanos = System.nanoTime();
            } finally {
                outbound.unlock();
            }
            try {
                sender.sendText(frame.text(), write);
            } catch (RuntimeException e) {
                write.failed(e);
            }
            outbound.lock();
            try {
                write.returned = true;
                if (!write.done) {
                    return;
                }
            } finally {
                outbound.unlock();
            }
        }
    }

    /**
     * A write failed: nothing more is written, and the call ends on another thread (see {@link #overflow}).
     * A write failing because this transport closed the socket (every close is preceded by closing the
     * outbound side) is the end already under way, not news.
     */
    private void writeFailed(Throwable cause) {
        outbound.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            queuedMedia = 0;
        } finally {
            outbound.unlock();
        }
        log("writing to the socket failed (" + cause.getClass().getSimpleName() + "): ending the call");
        Thread.ofVirtual().name("twilio-write-failed").start(() -> end("write failed"));
    }

    /** How one frame's write ended; continues the queue when it ended after {@code sendText} returned. */
    private final class Write implements TextFrameSender.Written {
        /** Guarded by the outbound lock. */
        private boolean returned;
        private boolean done;

        @Override
        public void written() {
            complete(null);
        }

        @Override
        public void failed(Throwable cause) {
            complete(cause == null ? new IOException("the write failed without a cause") : cause);
        }

        private void complete(Throwable failure) {
            boolean later;
            outbound.lock();
            try {
                if (done) {
                    return;
                }
                done = true;
                writing = false;
                later = returned;
            } finally {
                outbound.unlock();
            }
            if (failure != null) {
                writeFailed(failure);
            } else if (later) {
                drain();
            }
        }
    }

    private void closeOutbound() {
        outbound.lock();
        try {
            closed = true;
            queue.clear();
            queuedMedia = 0;
        } finally {
            outbound.unlock();
        }
    }

    private void end(String reason) {
        inbound.lock();
        try {
            endLocked(reason);
        } finally {
            inbound.unlock();
        }
    }

    /** Ends the call once: outbound closed, listener told onStop, server told. Holds the inbound lock. */
    private void endLocked(String reason) {
        if (stopped) {
            return;
        }
        stopped = true;
        closeOutbound();
        if (listener != null) {
            listener.onStop();
        }
        earlyEvents.clear();
        if (!problems.isEmpty()) {
            log("call ended with dropped input: " + problems);
        }
        hooks.callEnded(call, reason);
    }

    /** Logs the first problem of each kind per call; counts the rest. Holds the inbound lock. */
    private void problem(String kind, String message) {
        if (problems.merge(kind, 1, Integer::sum) == 1) {
            log(message);
        }
    }

    private void log(String message) {
        CallInfo info = call;
        if (info == null) {
            LOG.warn(message);
            return;
        }
        // Put the call's ids for this line and restore what the caller's thread had (often the same ids).
        String outerCall = MDC.get("callSid");
        String outerStream = MDC.get("streamSid");
        MDC.put("callSid", info.callId());
        MDC.put("streamSid", info.streamId());
        try {
            LOG.warn(message);
        } finally {
            restore("callSid", outerCall);
            restore("streamSid", outerStream);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }

    private static String eventName(MediaStreamMessage message) {
        return message.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
    }

    private enum FrameKind { MEDIA, MARK, CLEAR }

    /** A frame waiting to be written; {@code markName} is set for marks only. */
    private record Frame(FrameKind kind, String text, String markName) {
    }
}
