package dev.hotline.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link Transcriber} keeps (see its Javadoc). An adapter's test extends this class; the
 * optional hooks enable the checks that need a provider which misbehaves on purpose.
 *
 * @param <T> the transcriber under test
 */
public abstract class TranscriberContract<T extends Transcriber> {

    /** How long a cancelled call may take to give up; generous, a liveness bound and not a speed check. */
    protected static final Duration CANCEL_BOUND = Duration.ofSeconds(10);

    /** A transcriber whose provider answers normally. */
    protected abstract T createTranscriber() throws Exception;

    /**
     * The utterance sent; default one second of a 440 Hz tone at 8 kHz. Override with real speech (the
     * fixtures under {@code hotline.shared.dir}) where the provider really listens.
     */
    protected Utterance utterance() {
        int rate = 8_000;
        byte[] pcm = new byte[rate * 2];
        for (int i = 0; i < rate; i++) {
            short s = (short) (8_000 * Math.sin(2 * Math.PI * 440 * i / rate));
            pcm[2 * i] = (byte) s;
            pcm[2 * i + 1] = (byte) (s >> 8);
        }
        return new Utterance(AudioFormat.PCM16_8K, pcm);
    }

    /** What the transcript's text must contain, ignoring case; default {@code null}: anything goes. */
    protected String expectedText() {
        return null;
    }

    /** A transcriber whose provider accepts the request and never answers, or {@code null} to skip. */
    protected T createHangingTranscriber() throws Exception {
        return null;
    }

    /** A transcriber whose provider refuses with a non-retryable error (e.g. 401), or {@code null} to skip. */
    protected T createFailingTranscriber() throws Exception {
        return null;
    }

    @Test
    void givenAnUtterance_whenTranscribed_thenTrimmedTextAndUsage() throws Exception {
        Transcript transcript = createTranscriber().transcribe(utterance(), Transcriber.Hints.NONE,
                new CancelSignal());

        assertThat(transcript).isNotNull();
        assertThat(transcript.text()).isEqualTo(transcript.text().strip());
        assertThat(transcript.usage()).isNotNull();
        if (expectedText() != null) {
            assertThat(transcript.text()).containsIgnoringCase(expectedText());
        }
    }

    @Test
    void givenHints_whenTranscribed_thenAccepted() throws Exception {
        Transcript transcript = createTranscriber().transcribe(utterance(),
                new Transcriber.Hints("en", "Synthetic Jason"), new CancelSignal());

        assertThat(transcript).isNotNull();
    }

    @Test
    void givenAnAlreadyCancelledSignal_whenTranscribing_thenCancelled() throws Exception {
        T transcriber = createTranscriber();
        CancelSignal cancel = new CancelSignal();
        cancel.cancel("test");

        assertThatThrownBy(() -> transcriber.transcribe(utterance(), Transcriber.Hints.NONE, cancel))
                .isInstanceOf(CancelledException.class);
    }

    @Test
    void givenTheTranscriber_whenAskedItsName_thenNotBlank() throws Exception {
        assertThat(createTranscriber().name()).isNotBlank();
    }

    @Test
    void givenAProviderThatNeverAnswers_whenCancelled_thenCancelledPromptly() throws Exception {
        T transcriber = createHangingTranscriber();
        assumeTrue(transcriber != null, "no hanging provider for this transcriber");
        CancelSignal cancel = new CancelSignal();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                transcriber.transcribe(utterance(), Transcriber.Hints.NONE, cancel);
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, runnable -> Thread.ofVirtual().start(runnable));

        cancel.cancel("hang-up");

        assertThat(outcome.get(CANCEL_BOUND.toMillis(), TimeUnit.MILLISECONDS)).isInstanceOf(CancelledException.class);
    }

    @Test
    void givenAProviderThatRefuses_whenTranscribing_thenProviderExceptionNotRetryable() throws Exception {
        T transcriber = createFailingTranscriber();
        assumeTrue(transcriber != null, "no failing provider for this transcriber");

        assertThatThrownBy(() -> transcriber.transcribe(utterance(), Transcriber.Hints.NONE, new CancelSignal()))
                .isInstanceOf(ProviderException.class)
                .satisfies(e -> assertThat(((ProviderException) e).retryable()).isFalse());
    }
}
