package dev.hotline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.ProviderException.Kind;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

    /** Records the waits instead of sleeping. */
    private final List<Duration> waits = new ArrayList<>();
    private final RetryPolicy.Sleeper recording = (nanos, cancel) -> waits.add(Duration.ofNanos(nanos));

    private static ProviderException failure(Kind kind) {
        return new ProviderException("test", kind, kind.name());
    }

    private static ProviderException rateLimited(Duration retryAfter) {
        return new ProviderException("test", Kind.RATE_LIMITED, "429", 429, retryAfter, null);
    }

    /** An attempt that throws the queued failures in order, then returns "ok". */
    private static final class Script implements RetryPolicy.Attempt<String> {
        private final Deque<IOException> failures = new ArrayDeque<>();
        final AtomicInteger runs = new AtomicInteger();

        Script(IOException... failures) {
            this.failures.addAll(List.of(failures));
        }

        @Override
        public String run() throws IOException {
            runs.incrementAndGet();
            IOException next = failures.poll();
            if (next != null) {
                throw next;
            }
            return "ok";
        }
    }

    @Test
    void givenTwoTransientFailures_whenCalled_thenRetriedWithDoublingJitteredBackoffAndEachRetryReported() throws Exception {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMillis(100), recording, () -> 0.5);
        Script attempt = new Script(failure(Kind.UNAVAILABLE), failure(Kind.NETWORK));
        List<Kind> reported = new ArrayList<>();

        String result = policy.call(new CancelSignal(), attempt, () -> true, e -> reported.add(e.kind()));

        assertThat(result).isEqualTo("ok");
        assertThat(attempt.runs).hasValue(3);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(reported).containsExactly(Kind.UNAVAILABLE, Kind.NETWORK);
    }

    @Test
    void givenJitterAtItsExtremes_whenRetried_thenTheWaitStaysBetweenHalfAndOneAndAHalfTimesTheBackoff()
            throws Exception {
        new RetryPolicy(1, Duration.ofSeconds(10), Duration.ofMillis(100), recording, () -> 0.0)
                .call(new CancelSignal(), new Script(failure(Kind.TIMEOUT)));
        new RetryPolicy(1, Duration.ofSeconds(10), Duration.ofMillis(100), recording, () -> 0.999)
                .call(new CancelSignal(), new Script(failure(Kind.TIMEOUT)));

        assertThat(waits.get(0)).isEqualTo(Duration.ofMillis(50));
        assertThat(waits.get(1)).isBetween(Duration.ofMillis(149), Duration.ofMillis(150));
    }

    @Test
    void givenAPermanentFailure_whenCalled_thenThrownAtOnceWithoutWaiting() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMillis(100), recording, () -> 0.5);
        ProviderException quota = failure(Kind.QUOTA_EXCEEDED);
        Script attempt = new Script(quota);

        assertThatThrownBy(() -> policy.call(new CancelSignal(), attempt)).isSameAs(quota);
        assertThat(attempt.runs).hasValue(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void givenAnIoExceptionThatIsNotAProviderFailure_whenCalled_thenThrownAtOnce() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMillis(1), recording, () -> 0.5);
        IOException plain = new IOException("disk");
        Script attempt = new Script(plain);

        assertThatThrownBy(() -> policy.call(new CancelSignal(), attempt)).isSameAs(plain);
        assertThat(attempt.runs).hasValue(1);
    }

    @Test
    void givenMoreFailuresThanMaxRetries_whenCalled_thenTheLastFailureIsThrownAfterMaxRetriesPlusOneAttempts() {
        RetryPolicy policy = new RetryPolicy(2, Duration.ofSeconds(10), Duration.ofMillis(1), recording, () -> 0.5);
        ProviderException last = failure(Kind.UNAVAILABLE);
        Script attempt = new Script(failure(Kind.UNAVAILABLE), failure(Kind.UNAVAILABLE), last);

        assertThatThrownBy(() -> policy.call(new CancelSignal(), attempt)).isSameAs(last);
        assertThat(attempt.runs).hasValue(3);
        assertThat(waits).hasSize(2);
    }

    @Test
    void givenTheProvidersRetryAfter_whenRetried_thenItIsWaitedInsteadOfTheBackoff() throws Exception {
        RetryPolicy policy = new RetryPolicy(2, Duration.ofSeconds(10), Duration.ofMillis(100), recording, () -> 0.5);

        policy.call(new CancelSignal(), new Script(rateLimited(Duration.ofMillis(2_500))));

        assertThat(waits).containsExactly(Duration.ofMillis(2_500));
    }

    @Test
    void givenARetryAfterLongerThanTheRemainingBudget_whenCalled_thenTheFailureIsThrownAtOnceWithoutWaiting() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMillis(1_500), Duration.ofMillis(100), recording,
                () -> 0.5);
        ProviderException busy = rateLimited(Duration.ofSeconds(20));
        Script attempt = new Script(busy);

        assertThatThrownBy(() -> policy.call(new CancelSignal(), attempt)).isSameAs(busy);
        assertThat(attempt.runs).hasValue(1);
        assertThat(waits).isEmpty();
    }

    @Test
    void givenWaitsThatAddUpPastTheBudget_whenCalled_thenItStopsBeforeTheWaitThatWouldExceedIt() {
        RetryPolicy policy = new RetryPolicy(10, Duration.ofMillis(350), Duration.ofMillis(100), recording,
                () -> 0.5);
        Script attempt = new Script(failure(Kind.UNAVAILABLE), failure(Kind.UNAVAILABLE), failure(Kind.UNAVAILABLE));

        assertThatThrownBy(() -> policy.call(new CancelSignal(), attempt)).isInstanceOf(ProviderException.class);
        assertThat(waits).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        assertThat(attempt.runs).hasValue(3);
    }

    @Test
    void givenMayRetryFalse_whenATransientFailureHappens_thenItIsThrownWithoutRetrying() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofSeconds(10), Duration.ofMillis(1), recording, () -> 0.5);
        ProviderException cut = failure(Kind.MALFORMED_RESPONSE);
        Script attempt = new Script(cut);

        assertThatThrownBy(() -> policy.call(new CancelSignal(), attempt, () -> false, e -> { })).isSameAs(cut);
        assertThat(attempt.runs).hasValue(1);
    }

    @Test
    void givenNone_whenATransientFailureHappens_thenItIsThrownAfterOneAttempt() {
        ProviderException busy = failure(Kind.RATE_LIMITED);
        Script attempt = new Script(busy);

        assertThatThrownBy(() -> RetryPolicy.none().call(new CancelSignal(), attempt)).isSameAs(busy);
        assertThat(attempt.runs).hasValue(1);
    }

    @Test
    void givenACancelledSignal_whenCalled_thenNoAttemptIsMade() {
        CancelSignal cancel = new CancelSignal();
        cancel.cancel("hang-up");
        Script attempt = new Script();

        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofSeconds(1), Duration.ofMillis(1)).call(cancel, attempt))
                .isInstanceOf(CancelledException.class);
        assertThat(attempt.runs).hasValue(0);
    }

    @Test
    void givenALongWaitBetweenAttempts_whenCancelledDuringIt_thenTheWaitEndsWithCancelledException() throws Exception {
        RetryPolicy policy = new RetryPolicy(1, Duration.ofMinutes(5), Duration.ofMinutes(1));
        CancelSignal cancel = new CancelSignal();
        CountDownLatch failed = new CountDownLatch(1);
        Script attempt = new Script(failure(Kind.UNAVAILABLE));
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                policy.call(cancel, attempt, () -> true, e -> failed.countDown());
            } catch (IOException e) {
                outcome.set(e);
            }
        });

        assertThat(failed.await(10, TimeUnit.SECONDS)).isTrue();
        cancel.cancel("barge-in");
        caller.join(Duration.ofSeconds(10));

        assertThat(caller.isAlive()).isFalse();
        assertThat(outcome.get()).isInstanceOf(CancelledException.class);
        assertThat(attempt.runs).hasValue(1);
    }

    @Test
    void givenTheCallCancelledWhenAFailureIsReported_whenWaitingWithTheRealSleeper_thenCancelledAtOnce() {
        RetryPolicy policy = new RetryPolicy(3, Duration.ofMinutes(10), Duration.ofMinutes(1));
        CancelSignal cancel = new CancelSignal();
        Script attempt = new Script(failure(Kind.UNAVAILABLE), failure(Kind.UNAVAILABLE));

        assertThatThrownBy(() -> policy.call(cancel, attempt, () -> true, e -> cancel.cancel("hang-up")))
                .isInstanceOf(CancelledException.class);
        assertThat(attempt.runs).hasValue(1);
    }

    @Test
    void givenARealRetryAfter_whenRetriedWithTheRealSleeper_thenAtLeastThatLongPasses() throws Exception {
        RetryPolicy policy = new RetryPolicy(1, Duration.ofSeconds(5), Duration.ofMillis(1));
        long start = System.nanoTime();

        String result = policy.call(new CancelSignal(), new Script(rateLimited(Duration.ofMillis(50))));

        assertThat(result).isEqualTo("ok");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
    }

    @Test
    void givenOutOfRangeValues_whenConstructed_thenTheMessageNamesTheValue() {
        assertThatThrownBy(() -> new RetryPolicy(-1, Duration.ZERO, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxRetries");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ofMillis(-1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
        assertThatThrownBy(() -> new RetryPolicy(1, Duration.ZERO, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("firstBackoff");
    }

    @Test
    void givenCallSettings_whenFrom_thenTheirRetryValuesAreUsed() {
        CallSettings settings = CallSettings.builder().maxRetries(4).retryBudget(Duration.ofMillis(900))
                .retryBackoff(Duration.ofMillis(30)).build();

        RetryPolicy policy = RetryPolicy.from(settings);

        assertThat(policy.maxRetries()).isEqualTo(4);
        assertThat(policy.budget()).isEqualTo(Duration.ofMillis(900));
        assertThat(policy.firstBackoff()).isEqualTo(Duration.ofMillis(30));
    }
}
