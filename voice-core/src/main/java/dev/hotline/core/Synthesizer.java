package dev.hotline.core;

import dev.hotline.audio.AudioFormat;
import java.io.IOException;
import java.util.Objects;

/**
 * Speaks text: text in, a stream of audio chunks out, in the format the caller's transport plays natively
 * (ask for {@link AudioFormat#ULAW_8K} for Twilio and no transcoding happens anywhere).
 *
 * <p><b>Lifecycle.</b> One instance serves every call and holds no per-call state.
 *
 * <p><b>Threading.</b> {@link #synthesize} blocks its thread until all audio was delivered, handing each
 * chunk to the sink on that thread as soon as it arrives. Chunks hold whole samples (a PCM sample split
 * across network reads is re-joined). Many calls may run at once.
 *
 * <p><b>Failures.</b> {@link ProviderException} for provider and network failures, including a stream that
 * ends early; {@link CancelledException} once {@code cancel} fired, after which no chunk is delivered.
 * A synthesizer that cannot produce the requested format throws {@code IllegalArgumentException} before
 * any I/O; {@link #supports} says which formats it can produce.
 */
public interface Synthesizer {

    /**
     * Speaks {@code request.text()}.
     *
     * @param request what to say and in which format
     * @param sink receives audio chunks in {@code request.format()}, in order
     * @param cancel aborts the request when cancelled
     * @return what the speech cost
     * @throws ProviderException if the provider failed
     * @throws CancelledException if {@code cancel} fired first
     */
    Usage synthesize(Request request, AudioSink sink, CancelSignal cancel) throws IOException;

    /** Whether this synthesizer can deliver audio in {@code format}. */
    boolean supports(AudioFormat format);

    /** A short name for logs and the start-up banner, e.g. {@code "elevenlabs eleven_flash_v2_5"}. */
    String name();

    /**
     * One piece of speech.
     *
     * @param text what to say; not blank
     * @param format the audio format wanted
     * @param previousText what was said just before, for prosody across pieces, or {@code null}
     * @param nextText what comes just after, if known, or {@code null}
     */
    record Request(String text, AudioFormat format, String previousText, String nextText) {
        public Request {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(format, "format");
            if (text.isBlank()) {
                throw new IllegalArgumentException("text must not be blank");
            }
        }

        /** A request with no surrounding text. */
        public static Request of(String text, AudioFormat format) {
            return new Request(text, format, null, null);
        }
    }

    /** Receives synthesized audio as it arrives. */
    @FunctionalInterface
    interface AudioSink {
        /** One chunk of whole samples in the requested format; never empty. The sink may keep the array. */
        void onAudio(byte[] chunk);
    }

    /**
     * What one synthesis cost.
     *
     * @param characters characters billed
     * @param cached whether the audio came from a cache rather than the provider
     */
    record Usage(long characters, boolean cached) {
        /** Nothing billed. */
        public static final Usage NONE = new Usage(0, false);
    }
}
