package dev.hotline.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.Responder;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Objects;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * {@link Responder} over streaming chat completions, {@code POST {base}/chat/completions} with
 * {@code "stream": true} and {@code "stream_options": {"include_usage": true}} (PROTOCOLS.md 4.2). Works
 * with OpenAI and with compatible servers (Ollama, llama.cpp server, vLLM, Groq).
 *
 * <p>The event stream is parsed as it arrives ({@link ServerSentEventParser}): each {@code delta.content}
 * of choice 0 goes to the sink at once; unknown fields, {@code usage: null}, {@code obfuscation} padding,
 * comments and keep-alives are ignored; the final chunk's {@code usage} and the last {@code finish_reason}
 * make the returned {@link Usage}. An {@code error} object in the stream becomes a
 * {@link dev.hotline.core.ProviderException}; a stream that ends before {@code data: [DONE]} is
 * {@code MALFORMED_RESPONSE} (truncated), even if some text was delivered.
 *
 * <p>Does not retry (see {@link OpenAiClient}); wrap calls in {@link dev.hotline.core.RetryPolicy} (the engine
 * does), with "no delta delivered yet" as its {@code mayRetry}, since after the first delta the caller may
 * already be speaking the partial reply.
 *
 * <p>Thread-safe and stateless; share one instance.
 */
public final class OpenAiResponder implements Responder {

    private static final MediaType JSON = MediaType.get("application/json");
    private static final String PATH = "chat/completions";
    private static final String DONE = "[DONE]";
    /** The largest single event accepted; real chunks are well under 1 KiB. */
    private static final int MAX_EVENT_BYTES = 1024 * 1024;
    private static final int READ_BUFFER_BYTES = 8 * 1024;

    private final OpenAiClient client;
    private final String model;

    /** Uses {@link OpenAiConfig#chatModel()} of the client's configuration. */
    public OpenAiResponder(OpenAiClient client) {
        this.client = Objects.requireNonNull(client, "client");
        this.model = client.config().chatModel();
    }

    @Override
    public String name() {
        return "openai " + model;
    }

    @Override
    public Usage respond(Request request, TextSink sink, CancelSignal cancel) throws IOException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(cancel, "cancel");
        okhttp3.Request http = client.newRequest(PATH)
                .header("Accept", "text/event-stream")
                .post(RequestBody.create(client.json().writeValueAsBytes(body(request)), JSON))
                .build();
        StreamState state = new StreamState(sink, cancel);
        return client.execute("chat", OpenAiConfig.ENV_CHAT_MODEL + ", " + OpenAiConfig.ENV_MAX_TOKENS + " and "
                + OpenAiConfig.ENV_BASE_URL, http, cancel, response -> read(response, state));
    }

    /** The JSON request body. */
    private ObjectNode body(Request request) {
        ObjectNode body = client.json().createObjectNode();
        body.put("model", model);
        ArrayNode messages = body.putArray("messages");
        for (ChatMessage message : request.messages()) {
            messages.addObject()
                    .put("role", message.role().name().toLowerCase(Locale.ROOT))
                    .put("content", message.content());
        }
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        int maxTokens = request.maxTokens() > 0 ? request.maxTokens() : client.config().maxTokens();
        if (maxTokens > 0) {
            body.put("max_tokens", maxTokens);
        }
        if (client.config().temperature() != null) {
            body.put("temperature", client.config().temperature());
        }
        return body;
    }

    private Usage read(Response response, StreamState state) throws IOException {
        ServerSentEventParser parser = new ServerSentEventParser(state::onEvent, MAX_EVENT_BYTES);
        byte[] buffer = new byte[READ_BUFFER_BYTES];
        try (InputStream in = response.body().byteStream()) {
            int read;
            while (!state.done && (read = in.read(buffer)) != -1) {
                // Bytes that raced a cancellation are dropped: nothing is delivered, nothing succeeds after it.
                state.cancel.throwIfCancelled();
                parser.feed(buffer, 0, read);
            }
        } catch (ServerSentEventParser.EventTooLargeException e) {
            throw client.errors().malformed(e.getMessage(), e);
        }
        if (!state.done) {
            throw client.errors().malformed("the reply stream ended before data: [DONE] (truncated after "
                    + parser.eventCount() + " events" + (parser.hasPartialEvent() ? ", mid-event" : "")
                    + ", content type " + response.body().contentType() + ")", null);
        }
        return new Usage(state.promptTokens, state.completionTokens, state.finishReason);
    }

    /** What one call has seen of its stream. */
    private final class StreamState {
        private final TextSink sink;
        private final CancelSignal cancel;
        boolean done;
        long promptTokens;
        long completionTokens;
        String finishReason;

        StreamState(TextSink sink, CancelSignal cancel) {
            this.sink = sink;
            this.cancel = cancel;
        }

        void onEvent(String type, String data) throws IOException {
            if (done) {
                return;
            }
            if (data.strip().equals(DONE)) {
                done = true;
                return;
            }
            JsonNode chunk;
            try {
                chunk = client.json().readTree(data);
            } catch (IOException e) {
                throw client.errors().malformed("a reply stream event is not JSON (" + data.length()
                        + " characters, event type " + type + ")", e);
            }
            if (chunk == null || !chunk.isObject()) {
                throw client.errors().malformed("a reply stream event is not a JSON object", null);
            }
            JsonNode error = chunk.get("error");
            if (error != null && !error.isNull()) {
                throw client.errors().fromStreamError(error.isObject() ? error
                        : client.json().createObjectNode().put("message", error.asText()));
            }
            for (JsonNode choice : chunk.path("choices")) {
                if (choice.path("index").asInt(0) != 0) {
                    continue;
                }
                JsonNode content = choice.path("delta").get("content");
                if (content != null && content.isTextual() && !content.asText().isEmpty()) {
                    if (cancel.isCancelled()) {
                        throw new CancelledException(cancel.reason());
                    }
                    sink.onText(content.asText());
                }
                JsonNode finish = choice.get("finish_reason");
                if (finish != null && finish.isTextual()) {
                    finishReason = finish.asText();
                }
            }
            JsonNode usage = chunk.get("usage");
            if (usage != null && usage.isObject()) {
                promptTokens = Math.max(0, usage.path("prompt_tokens").asLong(0));
                completionTokens = Math.max(0, usage.path("completion_tokens").asLong(0));
            }
        }
    }
}
