package dev.hotline.local;

import dev.hotline.core.VoiceActivityDetector;
import dev.hotline.core.contract.VoiceActivityDetectorContract;
import org.junit.jupiter.api.AfterAll;

/** Silero, with its default energy gate, keeps the VAD contract. */
class SileroVadContractTest extends VoiceActivityDetectorContract {

    /** One model session for every test here; made on first use. */
    private static SileroVad.Factory factory;

    @Override
    protected VoiceActivityDetector.Factory createFactory() {
        if (factory == null) {
            factory = SileroVad.factory();
        }
        return factory;
    }

    @AfterAll
    static void closeModel() {
        if (factory != null) {
            factory.close();
        }
    }
}
