package dev.hotline.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Synthesizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link Synthesizer} keeps (see its Javadoc). An adapter's test extends this class and
 * says how to make the synthesizer under test; the optional hooks enable the failure and cancellation
 * checks that need a provider which misbehaves on purpose.
 *
 * @param <T> the synthesizer under test
 */
public abstract class SynthesizerContract<T extends Synthesizer> {

    /** How long a cancelled call may take to give up; generous, a liveness bound and not a speed check. */
    protected static final Duration CANCEL_BOUND = Duration.ofSeconds(10);

    /** A synthesizer whose provider answers normally. */
    protected abstract T createSynthesizer() throws Exception;

    /** The format to ask for; default {@link AudioFormat#ULAW_8K}. It must be supported. */
    protected AudioFormat format() {
        return AudioFormat.ULAW_8K;
    }

    /** Text the provider answers with audio; default a short sentence. */
    protected String text() {
        return "Hello there, this is a test.";
    }

    /**
     * A synthesizer whose provider accepts the request and then never answers, or {@code null} (the default)
     * to skip the cancel-during-request check.
     */
    protected T createHangingSynthesizer() throws Exception {
        return null;
    }

    /**
     * A synthesizer whose provider fails the request with a non-retryable error (e.g. a 401), or
     * {@code null} (the default) to skip the failure check.
     */
    protected T createFailingSynthesizer() throws Exception {
        return null;
    }

    @Test
    void givenText_whenSynthesized_thenChunksAreNonEmptyWholeSamplesInOrderOnTheCallingThread() throws Exception {
        T synthesizer = createSynthesizer();
        assertThat(synthesizer.supports(format())).as("supports(%s)", format()).isTrue();
        List<byte[]> chunks = new ArrayList<>();
        Thread caller = Thread.currentThread();
        List<Thread> sinkThreads = new ArrayList<>();

        Synthesizer.Usage usage = synthesizer.synthesize(Synthesizer.Request.of(text(), format()), chunk -> {
            chunks.add(chunk);
            sinkThreads.add(Thread.currentThread());
        }, new CancelSignal());

        assertThat(usage).isNotNull();
        assertThat(chunks).isNotEmpty();
        for (byte[] chunk : chunks) {
            assertThat(chunk.length).isPositive();
            assertThat(chunk.length % format().bytesPerFrame()).as("whole samples").isZero();
        }
        assertThat(sinkThreads).allMatch(t -> t == caller);
    }

    @Test
    void givenAnAlreadyCancelledSignal_whenSynthesizing_thenCancelledAndNoChunk() throws Exception {
        T synthesizer = createSynthesizer();
        CancelSignal cancel = new CancelSignal();
        cancel.cancel("test");
        List<byte[]> chunks = new ArrayList<>();

        assertThatThrownBy(() -> synthesizer.synthesize(Synthesizer.Request.of(text(), format()), chunks::add, cancel))
                .isInstanceOf(CancelledException.class);
        assertThat(chunks).isEmpty();
    }

    @Test
    void givenCancelOnTheFirstChunk_whenSynthesizing_thenCancelledAndNoChunkAfter() throws Exception {
        T synthesizer = createSynthesizer();
        CancelSignal cancel = new CancelSignal();
        List<byte[]> chunks = new ArrayList<>();

        assertThatThrownBy(() -> synthesizer.synthesize(Synthesizer.Request.of(text(), format()), chunk -> {
            chunks.add(chunk);
            cancel.cancel("barge-in");
        }, cancel)).isInstanceOf(CancelledException.class);
        assertThat(chunks).hasSize(1);
    }

    @Test
    void givenAFormatItDoesNotSupport_whenSynthesizing_thenIllegalArgumentBeforeAnyChunk() throws Exception {
        T synthesizer = createSynthesizer();
        AudioFormat odd = new AudioFormat(AudioFormat.Encoding.PCM16_LE, 11_025, 2);
        assumeTrue(!synthesizer.supports(odd), "the synthesizer supports every format");
        List<byte[]> chunks = new ArrayList<>();

        assertThatThrownBy(() -> synthesizer.synthesize(Synthesizer.Request.of(text(), odd), chunks::add,
                new CancelSignal())).isInstanceOf(IllegalArgumentException.class);
        assertThat(chunks).isEmpty();
    }

    @Test
    void givenBlankText_whenMakingARequest_thenRejected() {
        assertThatThrownBy(() -> Synthesizer.Request.of("  \n", format()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void givenTheSynthesizer_whenAskedItsName_thenNotBlank() throws Exception {
        assertThat(createSynthesizer().name()).isNotBlank();
    }

    @Test
    void givenAProviderThatNeverAnswers_whenCancelled_thenCancelledPromptlyAndNoChunk() throws Exception {
        T synthesizer = createHangingSynthesizer();
        assumeTrue(synthesizer != null, "no hanging provider for this synthesizer");
        CancelSignal cancel = new CancelSignal();
        List<byte[]> chunks = new CopyOnWriteArrayList<>();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                synthesizer.synthesize(Synthesizer.Request.of(text(), format()), chunks::add, cancel);
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, runnable -> Thread.ofVirtual().start(runnable));

        cancel.cancel("hang-up");

        assertThat(outcome.get(CANCEL_BOUND.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(CancelledException.class);
        assertThat(chunks).isEmpty();
    }

    @Test
    void givenAProviderThatRefuses_whenSynthesizing_thenProviderExceptionNotRetryable() throws Exception {
        T synthesizer = createFailingSynthesizer();
        assumeTrue(synthesizer != null, "no failing provider for this synthesizer");

        assertThatThrownBy(() -> synthesizer.synthesize(Synthesizer.Request.of(text(), format()), chunk -> { },
                new CancelSignal()))
                .isInstanceOf(ProviderException.class)
                .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse());
    }
}
