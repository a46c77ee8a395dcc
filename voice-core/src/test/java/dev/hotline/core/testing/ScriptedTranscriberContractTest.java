package dev.hotline.core.testing;

import dev.hotline.core.ProviderException;
import dev.hotline.core.contract.TranscriberContract;

/** The scripted fake keeps its port's contract, so engine tests built on it test against the real rules. */
class ScriptedTranscriberContractTest extends TranscriberContract<ScriptedTranscriber> {

    private static ProviderException badKey() {
        return new ProviderException("scripted", ProviderException.Kind.AUTHENTICATION, "key refused", 401, null,
                null);
    }

    @Override
    protected ScriptedTranscriber createTranscriber() {
        return ScriptedTranscriber.repeating("hello");
    }

    @Override
    protected String expectedText() {
        return "hello";
    }

    @Override
    protected ScriptedTranscriber createHangingTranscriber() {
        return new ScriptedTranscriber().hang();
    }

    @Override
    protected ScriptedTranscriber createFailingTranscriber() {
        return new ScriptedTranscriber().fail(badKey());
    }
}
