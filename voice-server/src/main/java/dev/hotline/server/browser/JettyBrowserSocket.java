package dev.hotline.server.browser;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * {@link BrowserSocket} over a Jetty WebSocket session: each send waits until Jetty wrote the frame, so the
 * transport's writer is paced by the network and its queue stays the only buffer.
 */
final class JettyBrowserSocket implements BrowserSocket {

    /** How long one frame may take to leave before the page is deemed gone. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

    private final Session session;

    JettyBrowserSocket(Session session) {
        this.session = Objects.requireNonNull(session, "session");
    }

    @Override
    public void sendText(String text) throws IOException {
        Callback.Completable done = new Callback.Completable();
        session.sendText(text, done);
        await(done);
    }

    @Override
    public void sendBinary(ByteBuffer data) throws IOException {
        Callback.Completable done = new Callback.Completable();
        session.sendBinary(data, done);
        await(done);
    }

    @Override
    public void close(int code, String reason) {
        session.close(code, reason, Callback.NOOP);
    }

    private static void await(Callback.Completable done) throws IOException {
        try {
            done.get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IOException("websocket send failed", e.getCause());
        } catch (TimeoutException e) {
            throw new IOException("websocket send took longer than " + SEND_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while sending", e);
        }
    }
}
