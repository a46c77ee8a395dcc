package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.CallSettings;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {

    private static ProviderException failure(ProviderException.Kind kind, Duration retryAfter) {
        return new ProviderException("fake", kind, "failed", 0, retryAfter, null);
    }

    private final Retry retry = new Retry(CallSettings.defaults().toBuilder().maxRetries(3)
            .retryBudget(Duration.ofMillis(50)).retryBackoff(Duration.ofMillis(1)).build());

    @Test
    void givenATransientFailure_whenCalled_thenRetriedAndEachRetriedFailureReported() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        List<ProviderException> reported = new ArrayList<>();

        String result = retry.call(new CancelSignal(), () -> {
            if (calls.incrementAndGet() < 3) {
                throw failure(ProviderException.Kind.RATE_LIMITED, null);
            }
            return "ok";
        }, () -> true, reported::add);

        assertThat(result).isEqualTo("ok");
        assertThat(calls).hasValue(3);
        assertThat(reported).hasSize(2);
    }

    @Test
    void givenAPermanentFailure_whenCalled_thenThrownAtOnce() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> retry.call(new CancelSignal(), () -> {
            calls.incrementAndGet();
            throw failure(ProviderException.Kind.QUOTA_EXCEEDED, null);
        }, () -> true, e -> { })).isInstanceOf(ProviderException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void givenARetryAfterBeyondTheBudget_whenCalled_thenNotRetried() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> retry.call(new CancelSignal(), () -> {
            calls.incrementAndGet();
            throw failure(ProviderException.Kind.RATE_LIMITED, Duration.ofSeconds(30));
        }, () -> true, e -> { })).isInstanceOf(ProviderException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void givenAStreamThatDeliveredSomething_whenItFails_thenNotRetried() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> retry.call(new CancelSignal(), () -> {
            calls.incrementAndGet();
            throw failure(ProviderException.Kind.NETWORK, null);
        }, () -> false, e -> { })).isInstanceOf(ProviderException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void givenACancelDuringTheBackoff_whenWaiting_thenCancelledAtOnce() {
        Retry slow = new Retry(CallSettings.defaults().toBuilder().retryBudget(Duration.ofMinutes(10))
                .retryBackoff(Duration.ofMinutes(1)).build());
        CancelSignal cancel = new CancelSignal();

        assertThatThrownBy(() -> slow.call(cancel, () -> {
            throw failure(ProviderException.Kind.UNAVAILABLE, null);
        }, () -> true, e -> cancel.cancel("hang-up"))).isInstanceOf(CancelledException.class);
    }
}
