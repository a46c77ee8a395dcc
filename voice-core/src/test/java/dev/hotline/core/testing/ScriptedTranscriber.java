package dev.hotline.core.testing;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A {@link Transcriber} that plays a script: each utterance takes the next step (wait at a {@link Gate},
 * then a text or a failure). Records every utterance. An utterance with no step left fails with
 * {@code INVALID_REQUEST} and is reported by {@link #assertExhausted()}. Thread-safe.
 */
public final class ScriptedTranscriber implements Transcriber {

    private record Step(Gate gate, String text, ProviderException failure) {
    }

    private final Deque<Step> steps = new ArrayDeque<>();
    private final List<Utterance> utterances = new ArrayList<>();
    private final List<Hints> hints = new ArrayList<>();
    private Step repeating;
    private int unexpected;

    /** A transcriber that hears the same text in every utterance. */
    public static ScriptedTranscriber repeating(String text) {
        ScriptedTranscriber transcriber = new ScriptedTranscriber();
        transcriber.repeating = new Step(Gate.OPEN, text, null);
        return transcriber;
    }

    /** The next utterance is heard as {@code text}, at once. */
    public synchronized ScriptedTranscriber hear(String text) {
        return step(Gate.OPEN, text, null);
    }

    /** The next utterance waits at {@code gate}, then is heard as {@code text}. */
    public synchronized ScriptedTranscriber hearAfter(Gate gate, String text) {
        return step(gate, text, null);
    }

    /** The next utterance fails with {@code failure}. */
    public synchronized ScriptedTranscriber fail(ProviderException failure) {
        return step(Gate.OPEN, null, failure);
    }

    /** The next utterance never comes back; only cancellation ends it. */
    public synchronized ScriptedTranscriber hang() {
        return step(Gate.NEVER, null, null);
    }

    private ScriptedTranscriber step(Gate gate, String text, ProviderException failure) {
        steps.add(new Step(gate, text, failure));
        return this;
    }

    @Override
    public Transcript transcribe(Utterance utterance, Hints hint, CancelSignal cancel) throws java.io.IOException {
        Step step;
        synchronized (this) {
            utterances.add(utterance);
            hints.add(hint);
            step = steps.isEmpty() ? repeating : steps.poll();
            if (step == null) {
                unexpected++;
                throw new ProviderException("scripted", ProviderException.Kind.INVALID_REQUEST,
                        "no scripted transcript left for utterance " + utterances.size());
            }
        }
        step.gate().pass(cancel);
        if (step.failure() != null) {
            throw step.failure();
        }
        double seconds = utterance.duration().toNanos() / 1e9;
        return Transcript.of(step.text(), new Transcript.Usage(seconds, 0, 0));
    }

    @Override
    public String name() {
        return "scripted transcriber";
    }

    /** Every utterance received, in order. */
    public synchronized List<Utterance> utterances() {
        return List.copyOf(utterances);
    }

    /** The hints sent with each utterance. */
    public synchronized List<Hints> hints() {
        return List.copyOf(hints);
    }

    /** Fails if a scripted step was not used or an utterance came with no step left. */
    public synchronized void assertExhausted() {
        if (!steps.isEmpty() || unexpected > 0) {
            throw new AssertionError("transcriber script: " + steps.size() + " steps unused, " + unexpected
                    + " unexpected utterances");
        }
    }
}
