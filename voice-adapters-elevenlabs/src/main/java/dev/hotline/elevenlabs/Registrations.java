package dev.hotline.elevenlabs;

import dev.hotline.core.CancelSignal;

/** Undoing {@link CancelSignal#onCancel} registrations safely. */
final class Registrations {

    private Registrations() {
    }

    /**
     * Unregisters {@code registration} if {@code signal} has not fired. Once it fired the action has run (or is
     * running) and there is nothing to undo; voice-core's {@code Registration.remove()} currently throws
     * {@code UnsupportedOperationException} in that case, so it must not be called then.
     */
    static void release(CancelSignal signal, CancelSignal.Registration registration) {
        if (registration != null && !signal.isCancelled()) {
            registration.remove();
        }
    }
}
