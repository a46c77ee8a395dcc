package dev.hotline.core.session;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.Transcript;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A transcription of the caller's turn so far, started in a pause ({@code CallSettings.earlyTranscript}). It
 * answers the turn only if the turn then ends with no more speech: {@link #voiced} is how much speech the turn
 * held when its audio was taken, and any more means the caller went on. Thread-safe.
 */
final class EarlyTranscript {

    /** The speech segment of the call it belongs to. */
    final int segment;
    /** The turn's voiced audio when the snapshot was taken. */
    final Duration voiced;
    /** Cancels the transcription when the caller goes on or the call ends. */
    final CancelSignal cancel;
    private final CompletableFuture<Transcript> result = new CompletableFuture<>();

    EarlyTranscript(int segment, Duration voiced, CancelSignal cancel) {
        this.segment = segment;
        this.voiced = voiced;
        this.cancel = cancel;
    }

    void succeeded(Transcript transcript) {
        result.complete(transcript);
    }

    /** The transcription failed or was cancelled: whoever waits transcribes the whole turn itself. */
    void failed(Throwable failure) {
        result.completeExceptionally(failure);
    }

    /**
     * Waits for the transcript.
     *
     * @return the transcript, or {@code null} if the early transcription failed
     * @throws CancelledException if {@code stage} is cancelled while waiting, or the early transcription was:
     *     once handed to a reply, only the reply's cancellation or the call's end cancels it
     */
    Transcript await(CancelSignal stage) throws CancelledException {
        CompletableFuture<Transcript> view = result.copy();
        try (CancelSignal.Registration ignored = stage.onCancel(() -> view.cancel(false))) {
            return view.join();
        } catch (CancellationException e) {
            stage.throwIfCancelled();
            return null;
        } catch (CompletionException e) {
            if (e.getCause() instanceof CancelledException cancelled) {
                throw cancelled;
            }
            return null;
        }
    }
}
