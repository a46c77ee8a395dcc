package dev.hotline.twilio;

import java.io.IOException;

/**
 * The outbound half of a WebSocket, as {@link TwilioCallTransport} needs it: text frames and a close. The
 * server adapts its WebSocket library to this, so the transport is not tied to one.
 *
 * <p><b>Threading.</b> {@link #sendText} is called from one thread at a time (the transport's writer) and
 * may block until the frame is written; {@link #close} may be called from any thread, once or more.
 */
public interface TextFrameSender {

    /**
     * Writes one text frame (never a binary one: Twilio rejects binary frames with error 31950).
     *
     * @throws IOException if the connection is gone
     */
    void sendText(String frame) throws IOException;

    /** Closes the WebSocket with a status code (1000 normal, 1008 policy violation) and a short reason. */
    void close(int statusCode, String reason);
}
