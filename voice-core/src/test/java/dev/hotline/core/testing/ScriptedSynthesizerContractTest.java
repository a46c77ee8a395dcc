package dev.hotline.core.testing;

import dev.hotline.core.ProviderException;
import dev.hotline.core.contract.SynthesizerContract;

/** The scripted fake keeps its port's contract, so engine tests built on it test against the real rules. */
class ScriptedSynthesizerContractTest extends SynthesizerContract<ScriptedSynthesizer> {

    private static ProviderException badKey() {
        return new ProviderException("scripted", ProviderException.Kind.AUTHENTICATION, "key refused", 401, null,
                null);
    }

    @Override
    protected ScriptedSynthesizer createSynthesizer() {
        return new ScriptedSynthesizer();
    }

    @Override
    protected ScriptedSynthesizer createHangingSynthesizer() {
        return new ScriptedSynthesizer().hangNext();
    }

    @Override
    protected ScriptedSynthesizer createFailingSynthesizer() {
        return new ScriptedSynthesizer().failNext(badKey());
    }
}
