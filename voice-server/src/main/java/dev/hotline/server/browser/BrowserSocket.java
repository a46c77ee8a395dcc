package dev.hotline.server.browser;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The network side of one browser call: the WebSocket, as the transport's writer sees it. Implementations
 * block until the frame was handed to the network, or fail.
 *
 * <p>Used from the transport's single writer thread only.
 */
interface BrowserSocket {

    /** Sends one text frame. */
    void sendText(String text) throws IOException;

    /** Sends one binary frame. */
    void sendBinary(ByteBuffer data) throws IOException;

    /** Starts the closing handshake with {@code code} and {@code reason}; does not wait for it. */
    void close(int code, String reason);
}
