package dev.hotline.local;

import dev.hotline.core.contract.SynthesizerContract;
import org.junit.jupiter.api.AfterAll;

/** FreeTTS keeps the Synthesizer port's contract, asked for the phone's mu-law 8 kHz. */
class FreeTtsSynthesizerContractTest extends SynthesizerContract<FreeTtsSynthesizer> {

    private static final FreeTtsSynthesizer TTS = new FreeTtsSynthesizer(1);

    @AfterAll
    static void close() {
        TTS.close();
    }

    @Override
    protected FreeTtsSynthesizer createSynthesizer() {
        return TTS;
    }
}
