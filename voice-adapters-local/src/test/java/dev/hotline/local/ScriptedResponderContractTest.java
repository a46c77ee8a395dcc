package dev.hotline.local;

import dev.hotline.core.contract.ResponderContract;

/** The scripted persona keeps the Responder port's contract. */
class ScriptedResponderContractTest extends ResponderContract<ScriptedResponder> {

    @Override
    protected ScriptedResponder createResponder() {
        return ScriptedResponder.syntheticJason();
    }
}
