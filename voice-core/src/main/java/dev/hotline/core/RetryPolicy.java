package dev.hotline.core;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.DoubleSupplier;

/**
 * The one retry mechanism of Hotline: runs a provider call again after a transient failure. The engine wraps
 * every provider call in one of these; adapters never retry on their own, so attempts do not multiply and the
 * caller's latency budget holds.
 *
 * <p><b>What is retried.</b> Only a {@link ProviderException} whose {@link ProviderException#retryable()} is
 * true, and only while the caller's {@code mayRetry} still says a retry is harmless (for a stream: nothing
 * was delivered yet). Everything else (permanent provider failures, other {@link IOException}s,
 * {@link CancelledException}) is thrown at once.
 *
 * <p><b>How long it waits.</b> Before retry number n (1-based) it waits the provider's
 * {@link ProviderException#retryAfter()} if given, else {@code firstBackoff * 2^(n-1)} jittered to between
 * half and one and a half times that. At most {@code maxRetries} retries, and the waits together never
 * exceed {@code budget}: when the next wait (the provider's included) would go past it, the last failure is
 * thrown at once instead of waiting.
 *
 * <p><b>Cancellation.</b> The {@link CancelSignal} is checked before each attempt, and a wait between attempts
 * ends as soon as it fires, with {@link CancelledException}.
 *
 * <p><b>Threading.</b> Immutable and thread-safe; one instance may serve every call at once. The attempt runs on
 * the calling thread.
 */
public final class RetryPolicy {

    /** One try of a provider call. */
    @FunctionalInterface
    public interface Attempt<T> {
        /** Makes the call once. */
        T run() throws IOException;
    }

    /** Waits between attempts; for tests, a sleeper that records instead of waiting. */
    @FunctionalInterface
    interface Sleeper {
        void sleep(long nanos, CancelSignal cancel) throws CancelledException;
    }

    private static final RetryPolicy NONE = new RetryPolicy(0, Duration.ZERO, Duration.ZERO);

    private final int maxRetries;
    private final Duration budget;
    private final Duration firstBackoff;
    private final Sleeper sleeper;
    private final DoubleSupplier random;

    /**
     * @param maxRetries the most retries after the first attempt; 0 means never retry
     * @param budget the most time all waits between attempts of one call may add up to; not negative
     * @param firstBackoff the first computed wait, doubled per retry and jittered; not negative
     * @throws IllegalArgumentException if a value is out of range
     */
    public RetryPolicy(int maxRetries, Duration budget, Duration firstBackoff) {
        this(maxRetries, budget, firstBackoff, RetryPolicy::sleep, () -> ThreadLocalRandom.current().nextDouble());
    }

    RetryPolicy(int maxRetries, Duration budget, Duration firstBackoff, Sleeper sleeper, DoubleSupplier random) {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        }
        if (budget == null || budget.isNegative()) {
            throw new IllegalArgumentException("budget must be a duration >= 0, was " + budget);
        }
        if (firstBackoff == null || firstBackoff.isNegative()) {
            throw new IllegalArgumentException("firstBackoff must be a duration >= 0, was " + firstBackoff);
        }
        this.maxRetries = maxRetries;
        this.budget = budget;
        this.firstBackoff = firstBackoff;
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A policy that never retries: every failure is thrown as it happens. */
    public static RetryPolicy none() {
        return NONE;
    }

    /**
     * The policy a call's settings ask for: {@link CallSettings#maxRetries()}, {@link CallSettings#retryBudget()}
     * and {@link CallSettings#retryBackoff()}.
     */
    public static RetryPolicy from(CallSettings settings) {
        return new RetryPolicy(settings.maxRetries(), settings.retryBudget(), settings.retryBackoff());
    }

    /** The most retries after the first attempt. */
    public int maxRetries() {
        return maxRetries;
    }

    /** The most time the waits of one call may add up to. */
    public Duration budget() {
        return budget;
    }

    /** The first computed wait before jitter. */
    public Duration firstBackoff() {
        return firstBackoff;
    }

    /** {@link #call(CancelSignal, Attempt, BooleanSupplier, Consumer)} with retries always harmless and no callback. */
    public <T> T call(CancelSignal cancel, Attempt<T> attempt) throws IOException {
        return call(cancel, attempt, () -> true, failure -> { });
    }

    /**
     * Runs {@code attempt}, retrying transient failures as this policy allows.
     *
     * @param cancel cancels the attempt's wait; checked before every attempt
     * @param attempt the provider call
     * @param mayRetry asked after a transient failure; false (e.g. audio or text was already delivered) throws it
     * @param retried hears each failure that is about to be retried, before the wait
     * @return what the first successful attempt returned
     * @throws ProviderException the last failure when it is permanent or the limits are reached
     * @throws CancelledException when {@code cancel} fires before an attempt or during a wait
     * @throws IOException whatever else the attempt threw, at once
     */
    public <T> T call(CancelSignal cancel, Attempt<T> attempt, BooleanSupplier mayRetry,
            Consumer<ProviderException> retried) throws IOException {
        Objects.requireNonNull(cancel, "cancel");
        Objects.requireNonNull(attempt, "attempt");
        Objects.requireNonNull(mayRetry, "mayRetry");
        Objects.requireNonNull(retried, "retried");
        long budgetNanos = budget.toNanos();
        long waited = 0;
        for (int retries = 0; ; retries++) {
            cancel.throwIfCancelled();
            try {
                return attempt.run();
            } catch (ProviderException e) {
                if (!e.retryable() || retries >= maxRetries || cancel.isCancelled() || !mayRetry.getAsBoolean()) {
                    throw e;
                }
                long delay = e.retryAfter().isPresent() ? e.retryAfter().get().toNanos() : backoffNanos(retries);
                if (delay > budgetNanos - waited) {
                    throw e;
                }
                retried.accept(e);
                sleeper.sleep(delay, cancel);
                waited += delay;
            }
        }
    }

    private long backoffNanos(int previousRetries) {
        long base = firstBackoff.toNanos();
        long doubled = base > Long.MAX_VALUE >> 16 ? Long.MAX_VALUE >> 1 : base << Math.min(previousRetries, 16);
        return (long) (doubled * (0.5 + random.getAsDouble()));
    }

    private static void sleep(long nanos, CancelSignal cancel) throws CancelledException {
        CountDownLatch woken = new CountDownLatch(1);
        try (CancelSignal.Registration ignored = cancel.onCancel(woken::countDown)) {
            woken.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("interrupted while waiting to retry");
        }
        cancel.throwIfCancelled();
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxRetries=" + maxRetries + ", budget=" + budget + ", firstBackoff=" + firstBackoff + "]";
    }
}
