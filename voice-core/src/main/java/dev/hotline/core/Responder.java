package dev.hotline.core;

import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * Writes the persona's reply to the conversation so far, as a stream of text deltas (the LLM).
 *
 * <p><b>Lifecycle.</b> One instance serves every call; the conversation is passed in whole each time, so
 * the responder keeps no per-call state.
 *
 * <p><b>Threading.</b> {@link #respond} blocks its thread until the reply is complete, and hands each delta
 * to {@code sink} on that same thread, in order, as soon as it arrives: no delta waits for the next.
 * Many calls may run at once.
 *
 * <p><b>Failures.</b> Provider and network failures are {@link ProviderException}s. A failure after some
 * deltas were delivered is still thrown: the caller decides what to do with the partial reply. When
 * {@code cancel} fires the request in flight is aborted at once and {@link CancelledException} is thrown;
 * no delta is delivered after that.
 */
public interface Responder {

    /**
     * Streams a reply.
     *
     * @param request the conversation and generation limits
     * @param sink receives each text delta, in order
     * @param cancel aborts the request when cancelled
     * @return what the reply cost, known once the stream ended
     * @throws ProviderException if the provider failed
     * @throws CancelledException if {@code cancel} fired first
     */
    Usage respond(Request request, TextSink sink, CancelSignal cancel) throws IOException;

    /** A short name for logs and the start-up banner, e.g. {@code "openai gpt-4o-mini"}. */
    String name();

    /**
     * What to reply to.
     *
     * @param messages the conversation, system prompt first
     * @param maxTokens the most tokens the reply may have; 0 for the provider's default
     */
    record Request(List<ChatMessage> messages, int maxTokens) {
        public Request {
            messages = List.copyOf(messages);
            if (messages.isEmpty()) {
                throw new IllegalArgumentException("a reply needs at least one message");
            }
            if (maxTokens < 0) {
                throw new IllegalArgumentException("maxTokens must be >= 0, was " + maxTokens);
            }
        }
    }

    /** Receives reply text as it is written. */
    @FunctionalInterface
    interface TextSink {
        /** One non-empty piece of the reply, in order. */
        void onText(String delta);
    }

    /**
     * What one reply cost; 0 where the provider did not say.
     *
     * @param promptTokens tokens of the conversation sent
     * @param completionTokens tokens of the reply
     * @param finishReason why the reply ended ({@code stop}, {@code length}, ...), or {@code null}
     */
    record Usage(long promptTokens, long completionTokens, String finishReason) {
        /** Nothing billed. */
        public static final Usage NONE = new Usage(0, 0, null);

        public Usage {
            if (promptTokens < 0 || completionTokens < 0) {
                throw new IllegalArgumentException("token counts must be >= 0");
            }
        }

        /** Whether the reply was cut off by the token limit. */
        public boolean truncated() {
            return Objects.equals(finishReason, "length");
        }
    }
}
