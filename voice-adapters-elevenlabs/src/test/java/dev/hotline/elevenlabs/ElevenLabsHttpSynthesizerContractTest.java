package dev.hotline.elevenlabs;

/** {@link ElevenLabsSynthesizer} in HTTP streaming mode keeps the {@code Synthesizer} port's contract. */
class ElevenLabsHttpSynthesizerContractTest extends ElevenLabsSynthesizerContractTest {

    @Override
    ElevenLabsConfig.Mode mode() {
        return ElevenLabsConfig.Mode.HTTP;
    }
}
