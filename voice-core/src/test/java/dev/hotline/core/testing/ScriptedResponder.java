package dev.hotline.core.testing;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Responder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link Responder} that plays a script: each request takes the next step (wait at a {@link Gate}, stream
 * some deltas, maybe fail). Records every request. A request with no step left fails with
 * {@code INVALID_REQUEST} and is reported by {@link #assertExhausted()}. Thread-safe.
 */
public final class ScriptedResponder implements Responder {

    private record Step(Gate gate, List<String> deltas, ProviderException failure) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private final List<Request> requests = new ArrayList<>();
    private Step repeating;
    private int unexpected;

    /** A responder that answers every request with the same deltas, at once. */
    public static ScriptedResponder repeating(String... deltas) {
        ScriptedResponder responder = new ScriptedResponder();
        responder.repeating = new Step(Gate.OPEN, List.of(deltas), null);
        return responder;
    }

    /** The next request gets these deltas, at once. */
    public synchronized ScriptedResponder reply(String... deltas) {
        return step(Gate.OPEN, List.of(deltas), null);
    }

    /** The next request waits at {@code gate}, then gets these deltas. */
    public synchronized ScriptedResponder replyAfter(Gate gate, String... deltas) {
        return step(gate, List.of(deltas), null);
    }

    /** The next request fails with {@code failure} before any delta. */
    public synchronized ScriptedResponder fail(ProviderException failure) {
        return step(Gate.OPEN, List.of(), failure);
    }

    /** The next request streams {@code deltas}, then fails with {@code failure} (a stream cut mid-way). */
    public synchronized ScriptedResponder failAfter(ProviderException failure, String... deltas) {
        return step(Gate.OPEN, List.of(deltas), failure);
    }

    /** The next request never answers; only cancellation ends it. */
    public synchronized ScriptedResponder hang() {
        return step(Gate.NEVER, List.of(), null);
    }

    private ScriptedResponder step(Gate gate, List<String> deltas, ProviderException failure) {
        steps.add(new Step(gate, deltas, failure));
        return this;
    }

    @Override
    public Usage respond(Request request, TextSink sink, CancelSignal cancel) throws java.io.IOException {
        Step step;
        synchronized (this) {
            requests.add(request);
            step = steps.isEmpty() ? repeating : steps.poll();
            if (step == null) {
                unexpected++;
                throw new ProviderException("scripted", ProviderException.Kind.INVALID_REQUEST,
                        "no scripted reply left for request " + requests.size());
            }
        }
        step.gate().pass(cancel);
        for (String delta : step.deltas()) {
            cancel.throwIfCancelled();
            sink.onText(delta);
        }
        cancel.throwIfCancelled();
        if (step.failure() != null) {
            throw step.failure();
        }
        return new Usage(request.messages().size() * 10L, step.deltas().size(), "stop");
    }

    @Override
    public String name() {
        return "scripted responder";
    }

    /** Every request received, in order. */
    public synchronized List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Fails if a scripted step was not used or a request came with no step left. */
    public synchronized void assertExhausted() {
        if (!steps.isEmpty() || unexpected > 0) {
            throw new AssertionError("responder script: " + steps.size() + " steps unused, " + unexpected
                    + " unexpected requests");
        }
    }
}
