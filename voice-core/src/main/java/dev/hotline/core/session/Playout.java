package dev.hotline.core.session;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallTransport;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Paces the persona's audio to the transport, once for all transports: audio is sent in chunks of
 * {@code playoutChunkMs}, each followed by a uniquely named mark, and at most {@code maxQueuedMs} of
 * un-echoed audio is ever queued at the transport. The marks echoed back say exactly how many bytes of
 * each piece the caller heard, which is how a barge-in knows what to keep in memory.
 *
 * <p>Synthesized audio waits here until the transport has room; at most {@code maxBufferedAudio} is held,
 * and the synthesizing thread waits (without a timeout, woken by cancellation) when that is full. A
 * {@code false} from {@link CallTransport#sendAudio} is back-pressure: sending resumes at the next mark
 * or the next inbound frame.
 *
 * <p>Thread-safe. Callbacks run on the thread that caused them, never under this class's lock.
 */
final class Playout {

    /** What the session hears from the playout. */
    interface Callbacks {
        /** The first audio of {@code speech}'s pieces (not a filler) went to the transport. */
        void firstAudioSent(Speech speech);

        /**
         * All of {@code speech}'s audio is at the transport (synthesis finished, nothing left here), though not
         * yet all heard: what follows it can be queued now and play with no gap. Before {@link #played}.
         */
        default void allSent(Speech speech) {
        }

        /** All of {@code speech}'s audio was sent and its marks came back: the caller heard it all. */
        void played(Speech speech);

        /** The transport threw; the call cannot go on. */
        void transportFailed(RuntimeException failure);
    }

    /** Audio of one write, its bytes in {@link #waiting} in the order of {@link #buffer}. */
    private static final class Segment {
        final Speech speech;
        final int piece;
        int remaining;

        Segment(Speech speech, int piece, int length) {
            this.speech = speech;
            this.piece = piece;
            this.remaining = length;
        }
    }

    private record InFlight(String mark, Speech speech, int piece, int bytes) {
    }

    private final CallTransport transport;
    private final Callbacks callbacks;
    private final int chunkBytes;
    private final long maxQueuedBytes;
    private final long maxBufferedBytes;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition room = lock.newCondition();
    private final Deque<Segment> buffer = new ArrayDeque<>();
    private final ByteRing waiting = new ByteRing();
    private final Deque<InFlight> inFlight = new ArrayDeque<>();
    private long inFlightBytes;
    private long markCount;
    private boolean backPressured;
    private boolean closed;

    Playout(CallTransport transport, AudioFormat format, int chunkMs, int maxQueuedMs, long maxBufferedMillis,
            Callbacks callbacks) {
        this.transport = transport;
        this.callbacks = callbacks;
        this.chunkBytes = Math.max(format.bytesPerFrame(), format.bytesForMillis(chunkMs));
        this.maxQueuedBytes = format.bytesForMillis(maxQueuedMs);
        this.maxBufferedBytes = format.bytesForMillis(maxBufferedMillis);
    }

    /** Starts a new piece of {@code speech}; returns its index. */
    int addPiece(Speech speech, String text) {
        lock.lock();
        try {
            speech.texts.add(text);
            speech.bytes.add(new long[3]);
            return speech.texts.size() - 1;
        } finally {
            lock.unlock();
        }
    }

    /** Adds text to a piece (streaming synthesis speaks one growing piece). */
    void appendPieceText(Speech speech, int piece, String text) {
        lock.lock();
        try {
            speech.texts.set(piece, speech.texts.get(piece) + text);
        } finally {
            lock.unlock();
        }
    }

    /** All audio of the piece was delivered. */
    void pieceDone(Speech speech, int piece) {
        lock.lock();
        try {
            speech.bytes.get(piece)[2] = 1;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Queues audio of one piece, waiting while the buffer is full.
     *
     * @return {@code false} if the speech was cancelled or the call ended: the audio was dropped
     */
    boolean write(Speech speech, int piece, byte[] audio) {
        List<Runnable> actions = new ArrayList<>();
        lock.lock();
        try {
            while (waiting.size() >= maxBufferedBytes && !closed && !speech.cancel.isCancelled()) {
                room.awaitUninterruptibly();
            }
            if (closed || speech.cancel.isCancelled()) {
                return false;
            }
            queue(speech, piece, audio);
            if (piece >= 0) {
                speech.anyBuffered = true;
                speech.bytes.get(piece)[0] += audio.length;
            }
            pump(actions);
        } finally {
            lock.unlock();
        }
        actions.forEach(Runnable::run);
        return true;
    }

    /**
     * Queues a filler for {@code speech} if none of its own audio is queued yet.
     *
     * @return whether the filler was queued
     */
    boolean writeFiller(Speech speech, byte[] audio) {
        List<Runnable> actions = new ArrayList<>();
        lock.lock();
        try {
            if (closed || speech.cancel.isCancelled() || speech.anyBuffered || audio.length == 0) {
                return false;
            }
            queue(speech, -1, audio);
            pump(actions);
        } finally {
            lock.unlock();
        }
        actions.forEach(Runnable::run);
        return true;
    }

    /** No more audio will come for {@code speech}; {@link Callbacks#played} follows once it was heard. */
    void finish(Speech speech) {
        List<Runnable> actions = new ArrayList<>();
        lock.lock();
        try {
            speech.audioComplete = true;
            checkAllSent(speech, actions);
            checkPlayed(speech, actions);
        } finally {
            lock.unlock();
        }
        actions.forEach(Runnable::run);
    }

    /** A mark came back: the audio before it was heard (or cleared). */
    void onMark(String name) {
        List<Runnable> actions = new ArrayList<>();
        lock.lock();
        try {
            boolean known = inFlight.stream().anyMatch(f -> f.mark().equals(name));
            if (!known) {
                return;
            }
            InFlight done;
            do {
                done = inFlight.poll();
                inFlightBytes -= done.bytes();
                if (done.piece() >= 0 && !done.speech().cancel.isCancelled()) {
                    done.speech().bytes.get(done.piece())[1] += done.bytes();
                }
            } while (!done.mark().equals(name));
            backPressured = false;
            pump(actions);
            checkPlayed(done.speech(), actions);
        } finally {
            lock.unlock();
        }
        actions.forEach(Runnable::run);
    }

    /** An inbound frame arrived: retry a send refused by back-pressure. */
    void tick() {
        List<Runnable> actions = new ArrayList<>();
        lock.lock();
        try {
            if (!backPressured || buffer.isEmpty()) {
                return;
            }
            backPressured = false;
            pump(actions);
        } finally {
            lock.unlock();
        }
        actions.forEach(Runnable::run);
    }

    /**
     * Barge-in: drops everything of {@code speech} not yet heard, here and at the transport ({@code clear}).
     * The byte counts heard stay as the marks left them. Call after cancelling the speech.
     */
    void clear(Speech speech) {
        boolean sentAny;
        lock.lock();
        try {
            drop(speech);
            sentAny = !inFlight.isEmpty();
            inFlight.clear();
            inFlightBytes = 0;
            backPressured = false;
            room.signalAll();
        } finally {
            lock.unlock();
        }
        // Outside the lock: a transport may echo the cleared marks from inside clear() while its inbound
        // thread, holding the transport's own lock, waits in onMark for ours. The marks of the audio just
        // dropped are no longer in flight, so their echoes change nothing.
        if (sentAny) {
            transport.clear();
        }
    }

    /** What the caller heard of {@code speech}, cut at a word boundary within the piece being played. */
    String heardText(Speech speech) {
        lock.lock();
        try {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < speech.texts.size(); i++) {
                String text = speech.texts.get(i);
                long[] counts = speech.bytes.get(i);
                long received = counts[0];
                long heard = counts[1];
                boolean complete = counts[2] != 0;
                if (heard <= 0) {
                    break;
                }
                if (complete && heard >= received) {
                    append(out, text);
                    continue;
                }
                int cut = (int) (text.length() * heard / Math.max(received, 1));
                append(out, wordsWithin(text, cut));
                break;
            }
            return out.toString();
        } finally {
            lock.unlock();
        }
    }

    /** Everything the speech was to say. */
    String fullText(Speech speech) {
        lock.lock();
        try {
            StringBuilder out = new StringBuilder();
            speech.texts.forEach(t -> append(out, t));
            return out.toString();
        } finally {
            lock.unlock();
        }
    }

    /** The call ended: drops everything and wakes writers. */
    void close() {
        lock.lock();
        try {
            closed = true;
            buffer.clear();
            waiting.clear();
            inFlight.clear();
            inFlightBytes = 0;
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes a writer waiting for room, so it notices a cancellation. */
    void wake() {
        lock.lock();
        try {
            room.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void pump(List<Runnable> actions) {
        while (!buffer.isEmpty() && !backPressured && !closed) {
            Segment head = buffer.peek();
            if (head.speech.cancel.isCancelled()) {
                buffer.poll();
                waiting.skip(head.remaining);
                room.signalAll();
                continue;
            }
            int n = Math.min(chunkBytes, head.remaining);
            if (inFlightBytes > 0 && inFlightBytes + n > maxQueuedBytes) {
                return;
            }
            byte[] chunk = new byte[n];
            waiting.peek(chunk, 0, n);
            String mark = "m" + (++markCount);
            try {
                if (!transport.sendAudio(chunk)) {
                    backPressured = true;
                    return;
                }
                transport.sendMark(mark);
            } catch (RuntimeException e) {
                closed = true;
                actions.add(() -> callbacks.transportFailed(e));
                return;
            }
            inFlight.add(new InFlight(mark, head.speech, head.piece, n));
            inFlightBytes += n;
            waiting.skip(n);
            head.remaining -= n;
            if (head.remaining == 0) {
                buffer.poll();
                room.signalAll();
            }
            if (!head.speech.anySent && head.piece >= 0) {
                head.speech.anySent = true;
                Speech speech = head.speech;
                actions.add(() -> callbacks.firstAudioSent(speech));
            }
            if (head.remaining == 0) {
                checkAllSent(head.speech, actions);
            }
        }
    }

    private void queue(Speech speech, int piece, byte[] data) {
        buffer.add(new Segment(speech, piece, data.length));
        waiting.write(data, 0, data.length);
    }

    /** Drops every segment of {@code speech}, wherever it is in the buffer, keeping the others' audio in order. */
    private void drop(Speech speech) {
        byte[] queued = new byte[waiting.size()];
        waiting.read(queued, 0, queued.length);
        int at = 0;
        for (Iterator<Segment> it = buffer.iterator(); it.hasNext(); ) {
            Segment segment = it.next();
            if (segment.speech == speech) {
                it.remove();
            } else {
                waiting.write(queued, at, segment.remaining);
            }
            at += segment.remaining;
        }
    }

    private void checkAllSent(Speech speech, List<Runnable> actions) {
        if (!speech.audioComplete || speech.allSentReported || speech.cancel.isCancelled() || waitsHere(speech)) {
            return;
        }
        speech.allSentReported = true;
        actions.add(() -> callbacks.allSent(speech));
    }

    private void checkPlayed(Speech speech, List<Runnable> actions) {
        if (!speech.audioComplete || speech.playedReported || speech.cancel.isCancelled() || waitsHere(speech)) {
            return;
        }
        for (InFlight f : inFlight) {
            if (f.speech() == speech) {
                return;
            }
        }
        speech.playedReported = true;
        actions.add(() -> callbacks.played(speech));
    }

    /** Whether audio of {@code speech} is still in the buffer, not yet sent. */
    private boolean waitsHere(Speech speech) {
        for (Segment s : buffer) {
            if (s.speech == speech) {
                return true;
            }
        }
        return false;
    }

    private static void append(StringBuilder out, String text) {
        if (text.isBlank()) {
            return;
        }
        if (!out.isEmpty()) {
            out.append(' ');
        }
        out.append(text.strip());
    }

    /** The words of {@code text} that end at or before {@code cut}. */
    private static String wordsWithin(String text, int cut) {
        if (cut >= text.length()) {
            return text;
        }
        if (cut > 0 && !Character.isWhitespace(text.charAt(cut))) {
            int blank = text.lastIndexOf(' ', cut);
            cut = Math.max(blank, 0);
        }
        return text.substring(0, cut).strip();
    }
}
