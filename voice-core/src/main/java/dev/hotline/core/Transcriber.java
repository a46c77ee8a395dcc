package dev.hotline.core;

import java.io.IOException;

/**
 * Turns one finished utterance into text (speech-to-text, batch).
 *
 * <p><b>Lifecycle.</b> One instance serves every call of an application; it holds no per-call state.
 *
 * <p><b>Threading.</b> {@link #transcribe} blocks its (virtual) thread until the transcript is ready and
 * may be called from many threads at once; one slow call never blocks another.
 *
 * <p><b>Failures.</b> Provider and network failures are {@link ProviderException}s whose
 * {@link ProviderException#kind() kind} says whether a retry may help. When {@code cancel} fires, the call
 * in flight is aborted at once and {@link CancelledException} is thrown. Nothing else is thrown for
 * failures of the provider; an {@code IllegalArgumentException} means the caller misused the port.
 */
public interface Transcriber {

    /**
     * Transcribes {@code utterance}.
     *
     * @param utterance the caller's speech
     * @param hints what may help recognition: language and vocabulary
     * @param cancel aborts the call when cancelled
     * @return what was heard; empty text if nothing was
     * @throws ProviderException if the provider failed
     * @throws CancelledException if {@code cancel} fired first
     */
    Transcript transcribe(Utterance utterance, Hints hints, CancelSignal cancel) throws IOException;

    /** A short name for logs and the start-up banner, e.g. {@code "openai whisper-1"}. */
    String name();

    /**
     * Recognition hints.
     *
     * @param language ISO-639-1 code, or {@code null} to let the provider detect it
     * @param prompt names and vocabulary the caller is likely to use, or {@code null}
     */
    record Hints(String language, String prompt) {
        /** No hints. */
        public static final Hints NONE = new Hints(null, null);
    }
}
