package dev.hotline.elevenlabs;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.contract.SynthesizerContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Both modes of {@link ElevenLabsSynthesizer} keep the {@code Synthesizer} port's contract; each mode is a
 * top-level subclass, because Surefire does not run contract tests inherited by {@code @Nested} classes.
 * Each created synthesizer gets its own loopback provider, closed after the test.
 */
abstract class ElevenLabsSynthesizerContractTest extends SynthesizerContract<ElevenLabsSynthesizer> {
    private final List<AutoCloseable> open = new ArrayList<>();

    abstract ElevenLabsConfig.Mode mode();

    ElevenLabsSynthesizer against(LoopbackElevenLabs.Answer answer) throws Exception {
        LoopbackElevenLabs provider = new LoopbackElevenLabs(answer);
        ElevenLabsSynthesizer synthesizer = new ElevenLabsSynthesizer(provider.config(mode()));
        open.add(provider);
        open.add(synthesizer);
        return synthesizer;
    }

    @Override
    protected AudioFormat format() {
        return AudioFormat.PCM16_8K;
    }

    @Override
    protected ElevenLabsSynthesizer createSynthesizer() throws Exception {
        return against(LoopbackElevenLabs.Answer.AUDIO);
    }

    @Override
    protected ElevenLabsSynthesizer createHangingSynthesizer() throws Exception {
        return against(LoopbackElevenLabs.Answer.HANG);
    }

    @Override
    protected ElevenLabsSynthesizer createFailingSynthesizer() throws Exception {
        return against(LoopbackElevenLabs.Answer.REFUSE);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }
}
