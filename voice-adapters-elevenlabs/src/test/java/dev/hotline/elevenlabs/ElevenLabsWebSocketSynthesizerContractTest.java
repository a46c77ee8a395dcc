package dev.hotline.elevenlabs;

/** {@link ElevenLabsSynthesizer} in WebSocket stream-input mode keeps the {@code Synthesizer} port's contract. */
class ElevenLabsWebSocketSynthesizerContractTest extends ElevenLabsSynthesizerContractTest {

    @Override
    ElevenLabsConfig.Mode mode() {
        return ElevenLabsConfig.Mode.WEBSOCKET;
    }
}
