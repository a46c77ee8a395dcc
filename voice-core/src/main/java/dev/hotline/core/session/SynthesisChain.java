package dev.hotline.core.session;

import dev.hotline.core.ProviderException;
import dev.hotline.core.Synthesizer;
import java.util.List;

/**
 * A call's position in the synthesizer fallback chain: the primary first, then each fallback in turn.
 * Once a synthesizer failed (after its retries) the call stays on the next one, and the switch is reported
 * once. Thread-safe.
 */
final class SynthesisChain {

    private final List<Synthesizer> synthesizers;
    private int active;

    SynthesisChain(List<Synthesizer> synthesizers) {
        this.synthesizers = synthesizers;
    }

    /** The synthesizer to use now, or {@code null} if every one has failed. */
    synchronized Synthesizer current() {
        return active < synthesizers.size() ? synthesizers.get(active) : null;
    }

    /**
     * {@code failed} failed: moves past it, if it is still the current one.
     *
     * @return whether this call moved the chain (so the caller reports it)
     */
    synchronized boolean failed(Synthesizer failed) {
        if (active < synthesizers.size() && synthesizers.get(active) == failed) {
            active++;
            return true;
        }
        return false;
    }

    /** Thrown when no synthesizer is left. */
    static final class Exhausted extends Exception {
        Exhausted(ProviderException last) {
            super("every synthesizer in the chain failed", last);
        }
    }
}
