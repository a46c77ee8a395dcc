package dev.hotline.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Responder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link Responder} keeps (see its Javadoc). An adapter's test extends this class; the
 * optional hooks enable the checks that need a provider which misbehaves on purpose.
 *
 * @param <T> the responder under test
 */
public abstract class ResponderContract<T extends Responder> {

    /** How long a cancelled call may take to give up; generous, a liveness bound and not a speed check. */
    protected static final Duration CANCEL_BOUND = Duration.ofSeconds(10);

    /** A responder whose provider answers normally with a reply of at least one delta. */
    protected abstract T createResponder() throws Exception;

    /** The request sent; default a system prompt and one user message. */
    protected Responder.Request request() {
        return new Responder.Request(List.of(ChatMessage.system("You are brief."), ChatMessage.user("Say hello.")),
                50);
    }

    /** A responder whose provider accepts the request and never answers, or {@code null} to skip. */
    protected T createHangingResponder() throws Exception {
        return null;
    }

    /** A responder whose provider refuses with a non-retryable error (e.g. 401), or {@code null} to skip. */
    protected T createFailingResponder() throws Exception {
        return null;
    }

    @Test
    void givenAConversation_whenResponding_thenNonEmptyDeltasInOrderOnTheCallingThreadAndUsage() throws Exception {
        T responder = createResponder();
        List<String> deltas = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();

        Responder.Usage usage = responder.respond(request(), delta -> {
            deltas.add(delta);
            threads.add(Thread.currentThread());
        }, new CancelSignal());

        assertThat(usage).isNotNull();
        assertThat(deltas).isNotEmpty().allMatch(d -> !d.isEmpty());
        assertThat(String.join("", deltas)).isNotBlank();
        assertThat(threads).allMatch(t -> t == Thread.currentThread());
    }

    @Test
    void givenAnAlreadyCancelledSignal_whenResponding_thenCancelledAndNoDelta() throws Exception {
        T responder = createResponder();
        CancelSignal cancel = new CancelSignal();
        cancel.cancel("test");
        List<String> deltas = new ArrayList<>();

        assertThatThrownBy(() -> responder.respond(request(), deltas::add, cancel))
                .isInstanceOf(CancelledException.class);
        assertThat(deltas).isEmpty();
    }

    @Test
    void givenCancelOnTheFirstDelta_whenResponding_thenCancelledAndNoDeltaAfter() throws Exception {
        T responder = createResponder();
        CancelSignal cancel = new CancelSignal();
        List<String> deltas = new ArrayList<>();

        assertThatThrownBy(() -> responder.respond(request(), delta -> {
            deltas.add(delta);
            cancel.cancel("barge-in");
        }, cancel)).isInstanceOf(CancelledException.class);
        assertThat(deltas).hasSize(1);
    }

    @Test
    void givenTheResponder_whenAskedItsName_thenNotBlank() throws Exception {
        assertThat(createResponder().name()).isNotBlank();
    }

    @Test
    void givenAProviderThatNeverAnswers_whenCancelled_thenCancelledPromptlyAndNoDelta() throws Exception {
        T responder = createHangingResponder();
        assumeTrue(responder != null, "no hanging provider for this responder");
        CancelSignal cancel = new CancelSignal();
        List<String> deltas = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                responder.respond(request(), deltas::add, cancel);
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, runnable -> Thread.ofVirtual().start(runnable));

        cancel.cancel("hang-up");

        assertThat(outcome.get(CANCEL_BOUND.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(CancelledException.class);
        assertThat(deltas).isEmpty();
    }

    @Test
    void givenAProviderThatRefuses_whenResponding_thenProviderExceptionNotRetryable() throws Exception {
        T responder = createFailingResponder();
        assumeTrue(responder != null, "no failing provider for this responder");

        assertThatThrownBy(() -> responder.respond(request(), delta -> { }, new CancelSignal()))
                .isInstanceOf(ProviderException.class)
                .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse());
    }
}
