package dev.hotline.openai;

import dev.hotline.core.contract.ResponderContract;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link OpenAiResponder} keeps the {@link dev.hotline.core.Responder} contract against a loopback server. */
class OpenAiResponderContractTest extends ResponderContract<OpenAiResponder> {

    private ContractServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new ContractServer(LoopbackServerTest.eventStream(
                SharedFixtures.openAi("chat_stream_2025_usage_obfuscation.sse")).build());
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected OpenAiResponder createResponder() {
        return new OpenAiResponder(server.client("ok"));
    }

    @Override
    protected OpenAiResponder createHangingResponder() {
        return new OpenAiResponder(server.client("hang"));
    }

    @Override
    protected OpenAiResponder createFailingResponder() {
        return new OpenAiResponder(server.client("refuse"));
    }
}
