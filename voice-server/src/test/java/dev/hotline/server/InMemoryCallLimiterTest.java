package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InMemoryCallLimiterTest {

    private final MutableClock clock = new MutableClock();

    private InMemoryCallLimiter limiter(int perHour, int concurrent) {
        return new InMemoryCallLimiter(new CallLimiter.Limits(perHour, concurrent, Set.of(), Set.of()), clock,
                Duration.ofHours(4));
    }

    @Test
    void given_the_hourly_limit_when_an_hour_passes_then_the_caller_may_call_again() {
        InMemoryCallLimiter limiter = limiter(2, 100);
        assertThat(limiter.admit("CA1", "+15550001111").admitted()).isTrue();
        clock.advance(Duration.ofMinutes(10));
        assertThat(limiter.admit("CA2", "+15550001111").admitted()).isTrue();
        CallLimiter.Decision third = limiter.admit("CA3", "+15550001111");
        assertThat(third.admitted()).isFalse();
        assertThat(third.reason()).contains("2 calls in the last hour");

        clock.advance(Duration.ofMinutes(51));

        assertThat(limiter.admit("CA4", "+15550001111").admitted()).isTrue();
    }

    @Test
    void given_a_webhook_retry_for_the_same_call_then_admitted_once() {
        InMemoryCallLimiter limiter = limiter(1, 1);
        assertThat(limiter.admit("CA1", "+15550001111").admitted()).isTrue();
        assertThat(limiter.admit("CA1", "+15550001111").admitted()).isTrue();
        assertThat(limiter.activeCalls()).isEqualTo(1);
    }

    @Test
    void given_withheld_numbers_then_they_share_one_bucket() {
        InMemoryCallLimiter limiter = limiter(1, 100);
        assertThat(limiter.admit("CA1", null).admitted()).isTrue();
        assertThat(limiter.admit("CA2", "anonymous").admitted()).isFalse();
    }

    @Test
    void given_an_admitted_call_that_never_connects_then_its_slot_is_swept() {
        InMemoryCallLimiter limiter = limiter(10, 1);
        limiter.admit("CA1", "+15550001111");
        assertThat(limiter.admit("CA2", "+15550002222").reason()).startsWith("at capacity");

        clock.advance(InMemoryCallLimiter.CONNECT_GRACE.plusSeconds(1));
        limiter.sweep();

        assertThat(limiter.activeCalls()).isZero();
        assertThat(limiter.admit("CA2", "+15550002222").admitted()).isTrue();
    }

    @Test
    void given_a_connected_call_then_it_keeps_its_slot_until_released_or_very_old() {
        InMemoryCallLimiter limiter = limiter(10, 5);
        limiter.admit("CA1", "+15550001111");
        limiter.connected("CA1");
        clock.advance(Duration.ofMinutes(30));
        limiter.sweep();
        assertThat(limiter.activeCalls()).isEqualTo(1);

        clock.advance(Duration.ofHours(4));
        limiter.sweep();
        assertThat(limiter.activeCalls()).isZero();
    }

    @Test
    void given_many_callers_when_their_hour_is_over_then_their_history_is_dropped() {
        InMemoryCallLimiter limiter = limiter(10, 10_000);
        for (int i = 0; i < 1000; i++) {
            limiter.admit("CA" + i, "+1555000" + String.format("%04d", i));
            limiter.release("CA" + i);
        }
        assertThat(limiter.trackedCallers()).isEqualTo(1000);

        clock.advance(Duration.ofHours(1));
        limiter.sweep();

        assertThat(limiter.trackedCallers()).isZero();
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-24T10:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
