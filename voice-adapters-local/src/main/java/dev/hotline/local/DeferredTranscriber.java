package dev.hotline.local;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A transcriber that is still loading: the server can take calls at once while a recognizer whose models
 * take seconds to load (sphinx4) gets ready on a thread of its own. The first utterance waits for the load;
 * the greeting usually covers it.
 *
 * <p><b>Lifecycle.</b> Loading starts in the constructor. {@link #close} closes the loaded transcriber
 * (if it is {@link AutoCloseable}) now, or when a load still running ends.
 *
 * <p><b>Threading.</b> As thread-safe as the loaded transcriber; waiting is safe from any thread.
 *
 * <p><b>Failures.</b> If loading failed, every call throws a {@link ProviderException} of kind
 * {@code UNAVAILABLE} (not retryable by waiting) carrying the load's failure. A call cancelled while
 * waiting for the load throws {@link CancelledException} at once.
 */
public final class DeferredTranscriber implements Transcriber, AutoCloseable {

    /** Loads a transcriber; may block for seconds. Whatever it throws becomes the load's failure. */
    @FunctionalInterface
    public interface Loader {
        Transcriber load() throws Exception;
    }

    private final String name;
    private final CompletableFuture<Transcriber> loaded;

    /**
     * Starts loading on a new virtual thread.
     *
     * @param name the loaded transcriber's name, known before it is loaded (for the start-up banner)
     * @param loader makes the transcriber
     */
    public DeferredTranscriber(String name, Loader loader) {
        this.name = Objects.requireNonNull(name, "name");
        Objects.requireNonNull(loader, "loader");
        this.loaded = new CompletableFuture<>();
        Thread.ofVirtual().name("load-" + name).start(() -> {
            try {
                loaded.complete(loader.load());
            } catch (Exception | LinkageError e) {
                loaded.completeExceptionally(e);
            }
        });
    }

    /** Whether loading has ended, successfully or not. */
    public boolean isDone() {
        return loaded.isDone();
    }

    /** Waits for the load to end; returns the transcriber, or throws why it could not be loaded. */
    public Transcriber await() throws ProviderException, InterruptedException {
        try {
            return loaded.get();
        } catch (ExecutionException e) {
            throw loadFailure(e.getCause());
        }
    }

    @Override
    public Transcript transcribe(Utterance utterance, Hints hints, CancelSignal cancel) throws IOException {
        cancel.throwIfCancelled();
        return waitFor(cancel).transcribe(utterance, hints, cancel);
    }

    /** Waits for the load; a cancel ends the wait at once. */
    private Transcriber waitFor(CancelSignal cancel) throws IOException {
        CompletableFuture<Transcriber> cancellable = new CompletableFuture<>();
        loaded.whenComplete((t, e) -> {
            if (e != null) {
                cancellable.completeExceptionally(e);
            } else {
                cancellable.complete(t);
            }
        });
        try (CancelSignal.Registration wake = cancel.onCancel(
                () -> cancellable.completeExceptionally(new CancelledException(cancel.reason())))) {
            return cancellable.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof CancelledException cancelled) {
                throw cancelled;
            }
            throw loadFailure(e.getCause());
        }
    }

    private ProviderException loadFailure(Throwable cause) {
        if (cause instanceof ProviderException provider) {
            return new ProviderException(provider.provider(), ProviderException.Kind.UNAVAILABLE,
                    "not available, loading failed: " + provider.getMessage(), 0, null, provider);
        }
        return new ProviderException(name, ProviderException.Kind.UNAVAILABLE,
                "not available, loading failed: " + cause, 0, null, cause);
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * Closes what was loaded, if it is {@link AutoCloseable}; a load still running is closed when it ends,
     * so shutting down does not wait for it.
     */
    @Override
    public void close() {
        loaded.thenAccept(transcriber -> {
            if (transcriber instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    throw new IllegalStateException("could not close " + name + ": " + e.getMessage(), e);
                }
            }
        });
    }
}
