package dev.hotline.core.testing;

import dev.hotline.core.ProviderException;
import dev.hotline.core.contract.ResponderContract;

/** The scripted fake keeps its port's contract, so engine tests built on it test against the real rules. */
class ScriptedResponderContractTest extends ResponderContract<ScriptedResponder> {

    private static ProviderException badKey() {
        return new ProviderException("scripted", ProviderException.Kind.AUTHENTICATION, "key refused", 401, null,
                null);
    }

    @Override
    protected ScriptedResponder createResponder() {
        return ScriptedResponder.repeating("Hello", " there.");
    }

    @Override
    protected ScriptedResponder createHangingResponder() {
        return new ScriptedResponder().hang();
    }

    @Override
    protected ScriptedResponder createFailingResponder() {
        return new ScriptedResponder().fail(badKey());
    }
}
