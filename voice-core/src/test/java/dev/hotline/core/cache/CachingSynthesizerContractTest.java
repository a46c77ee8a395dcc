package dev.hotline.core.cache;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Synthesizer.Request;
import dev.hotline.core.contract.SynthesizerContract;
import dev.hotline.core.testing.ScriptedSynthesizer;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CachingSynthesizer} keeps the {@code Synthesizer} port's contract: the normal synthesizer answers
 * from a warmed cache (the hit path), the hanging and refusing ones go through to their delegate (the miss
 * path).
 */
class CachingSynthesizerContractTest extends SynthesizerContract<CachingSynthesizer> {

    @TempDir
    Path directory;

    @Override
    protected AudioFormat format() {
        return AudioFormat.PCM16_8K;
    }

    private CachingSynthesizer over(ScriptedSynthesizer delegate) {
        return new CachingSynthesizer(delegate, "scripted|voice|model|{}", Set.of(text()), 1 << 20, directory);
    }

    @Override
    protected CachingSynthesizer createSynthesizer() throws Exception {
        CachingSynthesizer cache = over(new ScriptedSynthesizer());
        cache.synthesize(Request.of(text(), format()), chunk -> { }, new CancelSignal());
        return cache;
    }

    @Override
    protected CachingSynthesizer createHangingSynthesizer() {
        return over(new ScriptedSynthesizer().hangNext());
    }

    @Override
    protected CachingSynthesizer createFailingSynthesizer() {
        return over(new ScriptedSynthesizer().failNext(new ProviderException("scripted",
                ProviderException.Kind.AUTHENTICATION, "key refused", 401, null, null)));
    }
}
