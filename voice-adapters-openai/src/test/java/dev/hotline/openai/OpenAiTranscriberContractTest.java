package dev.hotline.openai;

import dev.hotline.audio.AudioClip;
import dev.hotline.audio.Wav;
import dev.hotline.core.Utterance;
import dev.hotline.core.contract.TranscriberContract;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** {@link OpenAiTranscriber} keeps the {@link dev.hotline.core.Transcriber} contract against a loopback server. */
class OpenAiTranscriberContractTest extends TranscriberContract<OpenAiTranscriber> {

    private ContractServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = new ContractServer(LoopbackServerTest.json(200, SharedFixtures.openAi(
                "transcription_response_gpt-4o-transcribe.json")));
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected OpenAiTranscriber createTranscriber() {
        return new OpenAiTranscriber(server.client("ok"));
    }

    @Override
    protected OpenAiTranscriber createHangingTranscriber() {
        return new OpenAiTranscriber(server.client("hang"));
    }

    @Override
    protected OpenAiTranscriber createFailingTranscriber() {
        return new OpenAiTranscriber(server.client("refuse"));
    }

    @Override
    protected Utterance utterance() {
        try {
            AudioClip clip = Wav.read(SharedFixtures.path("speech/phone/demo-thanks.wav"));
            return new Utterance(clip.format(), clip.data());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected String expectedText() {
        return "Imagine the wildest idea";
    }
}
