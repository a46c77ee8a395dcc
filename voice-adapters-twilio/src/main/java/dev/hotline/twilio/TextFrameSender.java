package dev.hotline.twilio;

/**
 * The outbound half of a WebSocket, as {@link TwilioCallTransport} needs it: text frames and a close. The
 * server adapts its WebSocket library to this, so the transport is not tied to one.
 *
 * <p><b>Non-blocking.</b> {@link #sendText} starts writing a frame and returns without waiting for the
 * network; it tells {@link Written} once, when the frame is written or the write failed. That may happen
 * before {@code sendText} returns (the usual case on a socket with room), or later on another thread.
 *
 * <p><b>Threading.</b> The transport calls {@link #sendText} for the next frame only after the previous one
 * was reported written, so at most one write is in flight; {@link #close} may be called from any thread, once
 * or more.
 */
public interface TextFrameSender {

    /**
     * Starts writing one text frame (never a binary one: Twilio rejects binary frames with error 31950).
     * Never throws for a broken connection: that is {@link Written#failed}.
     */
    void sendText(String frame, Written done);

    /** Closes the WebSocket with a status code (1000 normal, 1008 policy violation) and a short reason. */
    void close(int statusCode, String reason);

    /** Told once how one {@link #sendText} ended. */
    interface Written {
        /** The frame was handed to the network. */
        void written();

        /** The frame could not be written: the connection is gone. */
        void failed(Throwable cause);
    }
}
