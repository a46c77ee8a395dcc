package dev.hotline.local;

import dev.hotline.core.Utterance;
import dev.hotline.core.contract.TranscriberContract;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * sphinx4 keeps the Transcriber port's contract, on a real 8 kHz telephone prompt ("Please enter your
 * conference number followed by the pound key"). One recognizer is shared by every test: loading it takes
 * seconds.
 */
class SphinxTranscriberContractTest extends TranscriberContract<SphinxTranscriber> {

    @Override
    protected SphinxTranscriber createTranscriber() throws Exception {
        return SharedSphinx.get();
    }

    @Override
    protected Utterance utterance() {
        try {
            return SpeechSets.load(TestAudio.speechDir().resolve("phone/conf-getconfno.wav"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected String expectedText() {
        return "followed by the pound key";
    }
}
