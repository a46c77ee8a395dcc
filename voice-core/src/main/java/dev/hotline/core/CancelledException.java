package dev.hotline.core;

import java.io.IOException;

/**
 * Thrown by a provider call or a pipeline stage whose {@link CancelSignal} was cancelled: barge-in, hang-up
 * or the end of the call. It is not a failure: nothing is reported or retried.
 */
public final class CancelledException extends IOException {

    /** @param reason why the work was cancelled, from {@link CancelSignal#reason()} */
    public CancelledException(String reason) {
        super(reason);
    }
}
