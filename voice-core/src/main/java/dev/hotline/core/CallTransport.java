package dev.hotline.core;

import dev.hotline.audio.AudioFormat;

/**
 * The call itself: the caller's audio in, the persona's audio out (Twilio Media Streams, a browser socket).
 *
 * <p><b>Lifecycle.</b> A transport is created when the call's media connection opens and is given one
 * {@link Listener} with {@link #start}. It then reports, in this order and from one thread at a time:
 * {@link Listener#onStart} once, then any number of {@link Listener#onAudio}, {@link Listener#onDtmf} and
 * {@link Listener#onMark}, then {@link Listener#onStop} once. No further calls to the listener are made
 * after {@code onStop}. If the connection drops without a proper stop, {@code onStop} is still called.
 *
 * <p><b>Outbound.</b> The send methods may be called from any thread and never block on the network, nor
 * wait for a thread that is delivering inbound events (the engine may call them while an inbound event
 * waits for the engine).
 * Audio is played in the order sent. Every mark sent is echoed back through {@link Listener#onMark} once
 * the audio sent before it has played, or once a {@link #clear} discarded that audio: marks are how the
 * engine knows what the caller actually heard. {@link #sendAudio} reports back-pressure: it returns
 * {@code false}, and sends nothing, when the outbound queue is full.
 *
 * <p><b>Failures.</b> Sending on a closed transport does nothing and returns {@code false}; the listener
 * will have been told {@code onStop}.
 */
public interface CallTransport {

    /** Starts delivering inbound events to {@code listener}. Called once. */
    void start(Listener listener);

    /** The format of audio in both directions. */
    AudioFormat audioFormat();

    /**
     * Queues audio for playback.
     *
     * @param audio whole samples in {@link #audioFormat()}
     * @return {@code false} if the outbound queue is full or the call is over; nothing was queued then
     */
    boolean sendAudio(byte[] audio);

    /** Queues a mark after the audio sent so far; it is echoed when that audio has played or was cleared. */
    void sendMark(String name);

    /** Discards all audio the caller has not heard yet; pending marks are echoed. */
    void clear();

    /** Ends the call (hangs up). Idempotent; {@link Listener#onStop} follows. */
    void hangUp();

    /** Receives what happens on the call. See {@link CallTransport} for the order of calls. */
    interface Listener {
        /** The media started. */
        void onStart(CallInfo call);

        /** One frame of the caller's audio (20 ms on Twilio) in {@link #audioFormat()}. */
        void onAudio(byte[] frame);

        /** The caller pressed a key: {@code 0-9}, {@code *}, {@code #}, {@code A-D}. */
        void onDtmf(char digit);

        /** A mark sent with {@link #sendMark} came back: the audio before it played, or was cleared. */
        void onMark(String name);

        /** The call ended. The last call to this listener. */
        void onStop();
    }
}
