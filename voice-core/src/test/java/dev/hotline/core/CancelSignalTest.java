package dev.hotline.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CancelSignalTest {

    @Test
    void givenAChild_whenTheParentIsCancelled_thenTheChildIsCancelledWithTheParentsReasonAndNothingThrows() {
        CancelSignal parent = new CancelSignal();
        CancelSignal child = parent.child();
        AtomicInteger ran = new AtomicInteger();
        child.onCancel(ran::incrementAndGet);

        parent.cancel("hang-up");

        assertThat(child.isCancelled()).isTrue();
        assertThat(child.reason()).isEqualTo("hang-up");
        assertThat(ran).hasValue(1);
    }

    @Test
    void givenACancelledChild_whenTheParentIsCancelledLater_thenTheParentStaysUsable() {
        CancelSignal parent = new CancelSignal();
        CancelSignal child = parent.child();
        AtomicInteger ran = new AtomicInteger();
        parent.onCancel(ran::incrementAndGet);

        child.cancel("barge-in");
        parent.cancel("end");

        assertThat(parent.isCancelled()).isTrue();
        assertThat(ran).hasValue(1);
    }

    @Test
    void givenARegistrationRemovedAfterCancel_whenRemoved_thenNothingHappens() {
        CancelSignal signal = new CancelSignal();
        CancelSignal.Registration registration = signal.onCancel(() -> { });
        signal.cancel();

        registration.remove();

        assertThat(signal.isCancelled()).isTrue();
    }
}
