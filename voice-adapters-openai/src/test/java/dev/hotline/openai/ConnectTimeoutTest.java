package dev.hotline.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.ProviderException;
import dev.hotline.core.ProviderException.Kind;
import dev.hotline.core.Responder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A server that never completes the TCP handshake fails the call after the connect timeout, as a timeout
 * naming the setting. Loopback has no unanswered address, so the test makes one: a listening socket that
 * never accepts and whose accept queue is full, which makes the kernel drop further connection attempts.
 */
class ConnectTimeoutTest {

    private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(300);

    private final List<Socket> queued = new ArrayList<>();
    private ServerSocket neverAccepting;

    @AfterEach
    void close() throws IOException {
        for (Socket socket : queued) {
            socket.close();
        }
        if (neverAccepting != null) {
            neverAccepting.close();
        }
    }

    @Test
    void givenAServerThatNeverAnswersTheHandshake_whenResponding_thenItIsATimeoutNamingTheConnectSetting()
            throws IOException {
        InetSocketAddress address = blackHole();
        OpenAiConfig config = OpenAiConfig.forServer("http://127.0.0.1:" + address.getPort() + "/v1", null)
                .withTimeouts(CONNECT_TIMEOUT, Duration.ofSeconds(5), Duration.ofSeconds(10));
        Responder.Request hello = new Responder.Request(List.of(ChatMessage.user("Hello?")), 0);

        try (OpenAiClient client = OpenAiClient.create(config)) {
            long start = System.nanoTime();
            ProviderException e = catchThrowableOfType(ProviderException.class,
                    () -> new OpenAiResponder(client).respond(hello, delta -> { }, new CancelSignal()));
            Duration waited = Duration.ofNanos(System.nanoTime() - start);

            assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
            assertThat(e.getMessage()).contains("could not connect within 300 ms")
                    .contains(OpenAiConfig.ENV_CONNECT_TIMEOUT_MS);
            assertThat(waited).isGreaterThanOrEqualTo(CONNECT_TIMEOUT);
        }
    }

    /** A loopback address whose handshakes go unanswered; skips the test where the kernel does otherwise. */
    private InetSocketAddress blackHole() throws IOException {
        neverAccepting = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        InetSocketAddress address = (InetSocketAddress) neverAccepting.getLocalSocketAddress();
        for (int i = 0; i < 16; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(address, 200);
                queued.add(socket);
            } catch (SocketTimeoutException full) {
                socket.close();
                return address;
            }
        }
        assumeTrue(false, "the kernel kept accepting connections for a full backlog; cannot make an unanswered address");
        return address;
    }
}
