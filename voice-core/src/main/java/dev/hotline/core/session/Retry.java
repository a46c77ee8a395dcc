package dev.hotline.core.session;

import dev.hotline.core.CallSettings;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Retries a provider call after transient failures ({@link ProviderException#retryable()}), with jittered
 * exponential backoff (or the provider's Retry-After), within {@code maxRetries} and a total wait of
 * {@code retryBudget}. Permanent failures are thrown at once. Waits end early on cancellation. Thread-safe.
 */
final class Retry {

    /** A provider call. */
    @FunctionalInterface
    interface Attempt<T> {
        T run() throws IOException;
    }

    private final int maxRetries;
    private final long budgetNanos;
    private final long backoffNanos;

    Retry(CallSettings settings) {
        this.maxRetries = settings.maxRetries();
        this.budgetNanos = settings.retryBudget().toNanos();
        this.backoffNanos = settings.retryBackoff().toNanos();
    }

    /**
     * Runs {@code attempt}, retrying transient failures while {@code mayRetry} says a retry is still
     * harmless (for a stream: nothing was delivered yet). Each failure that is retried goes to
     * {@code retried}; the last failure is thrown.
     */
    <T> T call(CancelSignal cancel, Attempt<T> attempt, BooleanSupplier mayRetry, Consumer<ProviderException> retried)
            throws IOException {
        long waited = 0;
        for (int tries = 0; ; tries++) {
            cancel.throwIfCancelled();
            try {
                return attempt.run();
            } catch (ProviderException e) {
                if (!e.retryable() || tries >= maxRetries || !mayRetry.getAsBoolean() || cancel.isCancelled()) {
                    throw e;
                }
                long backoff = jittered(backoffNanos << Math.min(tries, 16));
                long delay = e.retryAfter().map(Duration::toNanos).orElse(backoff);
                if (waited + delay > budgetNanos) {
                    throw e;
                }
                retried.accept(e);
                sleep(delay, cancel);
                waited += delay;
            }
        }
    }

    private static long jittered(long nanos) {
        return (long) (nanos * (0.5 + ThreadLocalRandom.current().nextDouble()));
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
}
