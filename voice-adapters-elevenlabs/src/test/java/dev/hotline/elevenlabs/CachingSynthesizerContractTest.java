package dev.hotline.elevenlabs;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.Synthesizer.Request;
import dev.hotline.core.contract.SynthesizerContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CachingSynthesizer} keeps the {@code Synthesizer} port's contract: the normal synthesizer answers
 * from a warmed cache (the hit path), the hanging and refusing ones go through to a loopback ElevenLabs (the
 * miss path).
 */
class CachingSynthesizerContractTest extends SynthesizerContract<CachingSynthesizer> {

    @TempDir
    Path directory;

    private final List<AutoCloseable> open = new ArrayList<>();

    @Override
    protected AudioFormat format() {
        return AudioFormat.PCM16_8K;
    }

    private CachingSynthesizer against(LoopbackElevenLabs.Answer answer) throws Exception {
        LoopbackElevenLabs provider = new LoopbackElevenLabs(answer);
        ElevenLabsSynthesizer synthesizer = new ElevenLabsSynthesizer(provider.config(ElevenLabsConfig.Mode.HTTP));
        open.add(provider);
        open.add(synthesizer);
        return new CachingSynthesizer(synthesizer, synthesizer.cacheKeyPrefix(), Set.of(text()), 1 << 20, directory);
    }

    @Override
    protected CachingSynthesizer createSynthesizer() throws Exception {
        CachingSynthesizer cache = against(LoopbackElevenLabs.Answer.AUDIO);
        cache.synthesize(Request.of(text(), format()), chunk -> { }, new CancelSignal());
        return cache;
    }

    @Override
    protected CachingSynthesizer createHangingSynthesizer() throws Exception {
        return against(LoopbackElevenLabs.Answer.HANG);
    }

    @Override
    protected CachingSynthesizer createFailingSynthesizer() throws Exception {
        return against(LoopbackElevenLabs.Answer.REFUSE);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }
}
