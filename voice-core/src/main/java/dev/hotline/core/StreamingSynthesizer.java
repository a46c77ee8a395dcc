package dev.hotline.core;

import dev.hotline.audio.AudioFormat;
import java.io.IOException;

/**
 * A {@link Synthesizer} that also takes its text as it is written, so speech can start before the reply is
 * complete (ElevenLabs' WebSocket stream-input, for one).
 *
 * <p>The engine uses this form when the configuration asks for it; otherwise it calls
 * {@link #synthesize} once per sentence piece.
 */
public interface StreamingSynthesizer extends Synthesizer {

    /**
     * Opens a stream. Audio for the text appended to it is handed to {@code sink} as it arrives, on a thread
     * of the synthesizer's; the sink must not block for long.
     *
     * @param format the audio format wanted
     * @param sink receives audio chunks in order
     * @param cancel closes the stream at once when cancelled
     * @throws ProviderException if the stream could not be opened
     */
    SpeechStream open(AudioFormat format, AudioSink sink, CancelSignal cancel) throws IOException;

    /**
     * Text going in, audio coming out. Lifecycle: open, then any number of {@link #append} and {@link #flush}
     * calls, then {@link #finish} (or {@link #close} to abandon it). One thread writes to it.
     */
    interface SpeechStream extends AutoCloseable {

        /** Adds text to speak. */
        void append(String text) throws IOException;

        /** Asks for audio of everything appended so far, without waiting for more text (a sentence end). */
        void flush() throws IOException;

        /**
         * Says there is no more text and blocks until the last audio chunk was delivered.
         *
         * @return what the whole stream cost
         */
        Usage finish() throws IOException;

        /** Abandons the stream at once; audio not yet delivered is dropped. Idempotent. */
        @Override
        void close();
    }
}
