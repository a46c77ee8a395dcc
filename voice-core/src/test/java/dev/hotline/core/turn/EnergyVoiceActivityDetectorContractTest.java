package dev.hotline.core.turn;

import dev.hotline.core.VoiceActivityDetector;
import dev.hotline.core.contract.VoiceActivityDetectorContract;

/** The default energy detector keeps the VAD contract. */
class EnergyVoiceActivityDetectorContractTest extends VoiceActivityDetectorContract {

    @Override
    protected VoiceActivityDetector.Factory createFactory() {
        return EnergyVoiceActivityDetector.FACTORY;
    }
}
