package dev.hotline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancelSignalRegistrationTest {

    @Test
    void givenARegistrationWhoseActionRan_whenRemovedAfterCancel_thenNothingHappens() {
        CancelSignal signal = new CancelSignal();
        AtomicInteger runs = new AtomicInteger();
        CancelSignal.Registration registration = signal.onCancel(runs::incrementAndGet);
        signal.cancel("done");

        registration.remove();
        registration.close();

        assertThat(runs).hasValue(1);
    }

    @Test
    void givenARegistrationRemovedBeforeCancel_whenCancelled_thenItsActionDoesNotRun() {
        CancelSignal signal = new CancelSignal();
        AtomicInteger runs = new AtomicInteger();
        signal.onCancel(runs::incrementAndGet).remove();

        signal.cancel();

        assertThat(runs).hasValue(0);
    }
}
