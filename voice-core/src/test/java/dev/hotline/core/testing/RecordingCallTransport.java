package dev.hotline.core.testing;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallTransport;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A call driven by the test, in audio time: each frame the test feeds is delivered to the listener and
 * advances the far end's playback by the frame's duration, echoing the marks whose audio has played, as a
 * phone line does. Everything sent is recorded.
 *
 * <p>Listener calls happen one at a time, on the test's thread inside {@link #connect}, {@link #feed} and
 * friends. Marks echoed because of a {@link #clear}, and the {@code onStop} that follows {@link #hangUp}, are
 * delivered at the end of the current listener call, or on a new thread if there is none. With a {@link ThreadTracker}, each feed first waits for the session's
 * background work to settle, which makes the audio time at which things happen deterministic.
 *
 * <p>Thread-safe: the session sends from its own threads.
 */
public final class RecordingCallTransport implements CallTransport {

    /** One frame: 20 ms, as Twilio sends. */
    public static final Duration FRAME = Duration.ofMillis(20);
    private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(10);
    /** A sample louder than this makes a frame the caller's speech rather than a quiet line. */
    private static final int LOUD_SAMPLE = 1_000;

    private final AudioFormat format;
    private final ThreadTracker tracker;
    private final ReentrantLock lock = new ReentrantLock();
    /** Held during every listener call, so the listener hears from one thread at a time. */
    private final ReentrantLock inbound = new ReentrantLock();
    private final Condition timeAdvanced = lock.newCondition();
    private final List<Sent> log = new ArrayList<>();
    private final Deque<Object> queue = new ArrayDeque<>();
    private final List<String> echoDue = new ArrayList<>();
    private Listener listener;
    private boolean stopped;
    private boolean stopDelivered;
    private boolean playing = true;
    private int rejectSends;
    private long audioNanos;
    private long playedBytes;
    private long queuedBytes;
    private long maxQueuedBytes;
    private long silentRunNanos;
    private long longestSilentRunNanos;

    /** What the transport was asked to send, in order. */
    public sealed interface Sent {
        /** Audio. */
        record Audio(byte[] bytes) implements Sent {
        }

        /** A mark. */
        record Mark(String name) implements Sent {
        }

        /** A clear. */
        record Clear() implements Sent {
        }

        /** A hang-up. */
        record HangUp() implements Sent {
        }
    }

    /** A mu-law 8 kHz call (Twilio's format), optionally settling {@code tracker}'s threads before each frame. */
    public RecordingCallTransport(ThreadTracker tracker) {
        this(AudioFormat.ULAW_8K, tracker);
    }

    /** A call in {@code format}; {@code tracker} may be {@code null}. */
    public RecordingCallTransport(AudioFormat format, ThreadTracker tracker) {
        this.format = Objects.requireNonNull(format, "format");
        this.tracker = tracker;
    }

    @Override
    public void start(Listener value) {
        lock.lock();
        try {
            if (listener != null) {
                throw new IllegalStateException("start was already called");
            }
            listener = Objects.requireNonNull(value, "listener");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public AudioFormat audioFormat() {
        return format;
    }

    /** The call's format (the same as {@link #audioFormat()}). */
    public AudioFormat format() {
        return format;
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        lock.lock();
        try {
            if (stopped) {
                return false;
            }
            if (rejectSends > 0) {
                rejectSends--;
                return false;
            }
            if (audio.length == 0 || audio.length % format.bytesPerFrame() != 0) {
                throw new AssertionError("audio must hold whole samples, had " + audio.length + " bytes");
            }
            log.add(new Sent.Audio(audio.clone()));
            queue.add(audio.clone());
            queuedBytes += audio.length;
            maxQueuedBytes = Math.max(maxQueuedBytes, queuedBytes);
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void sendMark(String name) {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            log.add(new Sent.Mark(name));
            queue.add(name);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void clear() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            log.add(new Sent.Clear());
            for (Object item : queue) {
                if (item instanceof String mark) {
                    echoDue.add(mark);
                }
            }
            queue.clear();
            queuedBytes = 0;
        } finally {
            lock.unlock();
        }
        scheduleDelivery();
    }

    @Override
    public void hangUp() {
        lock.lock();
        try {
            if (!stopped) {
                log.add(new Sent.HangUp());
                stopped = true;
                timeAdvanced.signalAll();
            }
        } finally {
            lock.unlock();
        }
        scheduleDelivery();
    }

    /** Marks echoed by a clear and the stop after a hang-up reach the listener after the current inbound call. */
    private void scheduleDelivery() {
        if (inbound.isHeldByCurrentThread() || listener == null) {
            return;
        }
        Runnable deliver = () -> {
            inbound.lock();
            try {
                deliverPending();
            } finally {
                inbound.unlock();
            }
        };
        (tracker != null ? tracker : Thread.ofVirtual().factory()).newThread(deliver).start();
    }

    /** The far end starts the media for call {@code callId}. */
    public void connect(String callId) {
        settle();
        inbound.lock();
        try {
            listener().onStart(new CallInfo(callId, "MZ-" + callId, "+15550001111", "+15550002222", Map.of()));
            deliverPending();
        } finally {
            inbound.unlock();
        }
        settle();
    }

    /** Feeds one frame of caller audio (in {@link #audioFormat()}), then plays one frame's worth of output. */
    public void feed(byte[] frame) {
        settle();
        inbound.lock();
        try {
            if (deliverPending()) {
                return;
            }
            listener().onAudio(frame);
            List<String> echoes;
            lock.lock();
            try {
                long frameNanos = format.durationOf(frame.length).toNanos();
                audioNanos += frameNanos;
                long playedBefore = playedBytes;
                echoes = play(frame.length);
                if (playedBytes > playedBefore || loud(frame)) {
                    silentRunNanos = 0;
                } else {
                    silentRunNanos += frameNanos;
                    longestSilentRunNanos = Math.max(longestSilentRunNanos, silentRunNanos);
                }
                timeAdvanced.signalAll();
            } finally {
                lock.unlock();
            }
            for (String mark : echoes) {
                listener().onMark(mark);
            }
            deliverPending();
        } finally {
            inbound.unlock();
        }
        settle();
    }

    /** The far end plays everything queued now, echoing its marks, without caller audio or time passing. */
    public void playAll() {
        settle();
        inbound.lock();
        try {
            if (deliverPending()) {
                return;
            }
            List<String> echoes;
            lock.lock();
            try {
                echoes = play(Long.MAX_VALUE);
            } finally {
                lock.unlock();
            }
            for (String mark : echoes) {
                listener().onMark(mark);
            }
            deliverPending();
        } finally {
            inbound.unlock();
        }
        settle();
    }

    /** Feeds 8 kHz samples as 20 ms mu-law frames; a last partial frame is padded with silence. */
    public void feedPcm(short[] samples) {
        int perFrame = format.sampleRate() / 50;
        for (int pos = 0; pos < samples.length; pos += perFrame) {
            short[] frame = new short[perFrame];
            System.arraycopy(samples, pos, frame, 0, Math.min(perFrame, samples.length - pos));
            feed(TestAudio.ulaw(frame));
        }
    }

    /** Feeds {@code duration} of a quiet line. */
    public void feedSilence(Duration duration) {
        feedPcm(TestAudio.silence(duration.toMillis()));
    }

    /** Feeds quiet frames until the call ended, at most {@code max} of them; returns whether it ended. */
    public boolean feedSilenceUntilEnded(Duration max) {
        short[] quiet = TestAudio.silence(20);
        for (long t = 0; t < max.toMillis(); t += 20) {
            if (ended()) {
                return true;
            }
            feed(TestAudio.ulaw(quiet));
        }
        settle();
        inbound.lock();
        try {
            deliverPending();
        } finally {
            inbound.unlock();
        }
        return ended();
    }

    /** Feeds quiet frames until {@code condition} holds, at most {@code max}; returns whether it held. */
    public boolean feedSilenceUntil(java.util.function.BooleanSupplier condition, Duration max) {
        short[] quiet = TestAudio.silence(20);
        for (long t = 0; t < max.toMillis(); t += 20) {
            settle();
            if (condition.getAsBoolean()) {
                return true;
            }
            if (ended()) {
                return false;
            }
            feed(TestAudio.ulaw(quiet));
        }
        return condition.getAsBoolean();
    }

    /** The caller presses a key. */
    public void dtmf(char digit) {
        settle();
        inbound.lock();
        try {
            if (deliverPending()) {
                return;
            }
            listener().onDtmf(digit);
            deliverPending();
        } finally {
            inbound.unlock();
        }
        settle();
    }

    /** The caller hangs up. */
    public void callerHangsUp() {
        settle();
        lock.lock();
        try {
            stopped = true;
            timeAdvanced.signalAll();
        } finally {
            lock.unlock();
        }
        inbound.lock();
        try {
            deliverPending();
        } finally {
            inbound.unlock();
        }
        settle();
    }

    /** Stops playing output: marks are no longer echoed until {@link #resumePlayback()}. */
    public void pausePlayback() {
        lock.lock();
        try {
            playing = false;
        } finally {
            lock.unlock();
        }
    }

    /** Plays output again from the next frame. */
    public void resumePlayback() {
        lock.lock();
        try {
            playing = true;
        } finally {
            lock.unlock();
        }
    }

    /** Refuses the next {@code count} {@link #sendAudio} calls, as a full outbound queue does. */
    public void rejectNextSends(int count) {
        lock.lock();
        try {
            rejectSends = count;
        } finally {
            lock.unlock();
        }
    }

    /** Blocks until the call's audio time reached {@code time} or the call stopped. For scripted fakes. */
    public void awaitAudioTime(Duration time) throws InterruptedException {
        lock.lock();
        try {
            while (audioNanos < time.toNanos() && !stopped) {
                timeAdvanced.await();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The call's audio time: the duration of all frames fed. */
    public Duration audioTime() {
        lock.lock();
        try {
            return Duration.ofNanos(audioNanos);
        } finally {
            lock.unlock();
        }
    }

    /** Whether the call ended and the listener was told. */
    public boolean ended() {
        lock.lock();
        try {
            return stopDelivered;
        } finally {
            lock.unlock();
        }
    }

    /** Everything sent, in order. */
    public List<Sent> log() {
        lock.lock();
        try {
            return List.copyOf(log);
        } finally {
            lock.unlock();
        }
    }

    /** Bytes of audio sent. */
    public long sentBytes() {
        return log().stream().filter(s -> s instanceof Sent.Audio).mapToLong(s -> ((Sent.Audio) s).bytes().length)
                .sum();
    }

    /** Bytes of audio the caller heard (played before any clear). */
    public long playedBytes() {
        lock.lock();
        try {
            return playedBytes;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The longest stretch of the call in which neither side was heard: the caller's frames were quiet and
     * nothing played. It includes the caller's own end-of-turn silence.
     */
    public Duration longestSilence() {
        lock.lock();
        try {
            return Duration.ofNanos(longestSilentRunNanos);
        } finally {
            lock.unlock();
        }
    }

    private boolean loud(byte[] frame) {
        if (format.encoding() != AudioFormat.Encoding.ULAW) {
            return false;
        }
        for (byte b : frame) {
            if (Math.abs(G711.ulawToLinear(b)) > LOUD_SAMPLE) {
                return true;
            }
        }
        return false;
    }

    /** The most audio ever queued at the far end and not yet played, in bytes. */
    public long maxQueuedBytes() {
        lock.lock();
        try {
            return maxQueuedBytes;
        } finally {
            lock.unlock();
        }
    }

    /** How many clears were sent. */
    public long clears() {
        return log().stream().filter(s -> s instanceof Sent.Clear).count();
    }

    /** Whether the transport was asked to hang up. */
    public boolean hungUp() {
        return log().stream().anyMatch(s -> s instanceof Sent.HangUp);
    }

    /** Waits for the session's background work to settle, if a tracker was given. */
    public void settle() {
        if (tracker != null) {
            tracker.awaitSettled(SETTLE_TIMEOUT);
        }
    }

    private Listener listener() {
        lock.lock();
        try {
            if (listener == null) {
                throw new IllegalStateException("the engine has not started the transport");
            }
            return listener;
        } finally {
            lock.unlock();
        }
    }

    /** Delivers marks echoed by a clear and a pending stop; returns whether the call is over. */
    private boolean deliverPending() {
        List<String> echoes;
        boolean deliverStop;
        lock.lock();
        try {
            if (stopDelivered) {
                return true;
            }
            echoes = List.copyOf(echoDue);
            echoDue.clear();
            deliverStop = stopped;
            stopDelivered = stopped;
        } finally {
            lock.unlock();
        }
        for (String mark : echoes) {
            listener().onMark(mark);
        }
        if (deliverStop) {
            listener().onStop();
        }
        return deliverStop;
    }

    /** Plays up to {@code bytes} of queued audio; returns the marks reached. Holds the lock. */
    private List<String> play(long bytes) {
        List<String> echoes = new ArrayList<>();
        if (!playing) {
            return echoes;
        }
        long budget = bytes;
        while (!queue.isEmpty()) {
            Object head = queue.peek();
            if (head instanceof String mark) {
                queue.poll();
                echoes.add(mark);
                continue;
            }
            if (budget <= 0) {
                break;
            }
            byte[] audio = (byte[]) head;
            if (audio.length <= budget) {
                queue.poll();
                budget -= audio.length;
                playedBytes += audio.length;
                queuedBytes -= audio.length;
            } else {
                byte[] rest = new byte[(int) (audio.length - budget)];
                System.arraycopy(audio, (int) budget, rest, 0, rest.length);
                queue.poll();
                queue.push(rest);
                playedBytes += budget;
                queuedBytes -= budget;
                budget = 0;
            }
        }
        return echoes;
    }
}
