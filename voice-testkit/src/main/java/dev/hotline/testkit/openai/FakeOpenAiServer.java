package dev.hotline.testkit.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotline.audio.Wav;
import dev.hotline.audio.WavFormatException;
import dev.hotline.testkit.Fault;
import dev.hotline.testkit.FakeServerSupport;
import dev.hotline.testkit.RecordedRequest;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local server that speaks OpenAI's wire format for the two calls the engine makes:
 * {@code POST /v1/audio/transcriptions} (multipart upload, {@code json}, {@code verbose_json} or
 * {@code text} answers) and {@code POST /v1/chat/completions} (server-sent events shaped like the recorded
 * captures in {@code fixtures/openai/*.sse}, or one JSON body when {@code stream} is false).
 *
 * <p><b>Scripting.</b> Transcripts and replies come from queues ({@link #transcripts}, {@link #replies});
 * when a queue is empty a function decides ({@link #transcriber}, {@link #responder}). Latency is set per
 * stage: the transcription's response delay, the chat's time to first byte and tokens per second.
 * Failures are queued with {@link #failNextChat} / {@link #failNextTranscription}; the error bodies are the
 * real ones recorded in the fixtures ({@link #rateLimited}, {@link #serverError} ...).
 *
 * <p><b>Lifecycle and threading.</b> {@link #start()} binds 127.0.0.1 at a random port; {@link #close()}
 * stops it, and it stops by itself after its lifetime. Every method is thread-safe; settings apply to
 * requests that arrive after the call. Each request is handled on its own platform thread (see
 * {@link FakeServerSupport}).
 */
public final class FakeOpenAiServer implements AutoCloseable {

    /** What the transcriber function is given. */
    public record TranscriptionRequest(String model, String fileName, byte[] audio, double audioSeconds,
            String responseFormat, String language, String prompt) {
    }

    /** A transcript, with the audio length the fake measured (seconds, 0 if the upload was not WAV). */
    private record Transcribed(String text, double seconds) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** OpenAI's tokens are about four characters of English; used for usage numbers only. */
    private static final int CHARS_PER_TOKEN = 4;
    /** Splits a reply into the pieces a real stream delivers: words with their leading space, punctuation. */
    private static final Pattern TOKEN = Pattern.compile("\\s*[\\p{L}\\p{N}'’-]+|\\s*[^\\p{L}\\p{N}\\s]|\\s+$");
    /** The most queued transcripts, replies or faults of one kind. */
    private static final int MAX_QUEUED = 10_000;
    /**
     * OpenAI's upload limit for {@code /v1/audio/transcriptions}, in megabytes (its API reference). Uploads up to
     * this size are parsed in memory; Javalin's default wrote every part to a temporary file, which was about 8 % of
     * the load generator's CPU at 200 calls (file creation and deletion) and made the fake answer late.
     */
    private static final int MAX_UPLOAD_MB = 25;

    private final FakeServerSupport server;
    private final ConcurrentLinkedQueue<String> transcripts = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> replies = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Fault> chatFaults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Fault> transcriptionFaults = new ConcurrentLinkedQueue<>();
    private volatile Function<TranscriptionRequest, String> transcriber = request -> "Hello, is anyone there?";
    private volatile Function<JsonNode, String> responder = request -> "Hey! This is a fake model. How can I help?";
    private volatile Duration transcriptionDelay = Duration.ZERO;
    private volatile Duration chatTimeToFirstByte = Duration.ZERO;
    private volatile double tokensPerSecond = 0;
    private volatile String apiKey;

    private FakeOpenAiServer(Duration lifetime) {
        server = new FakeServerSupport("fake-openai", lifetime, config -> {
            config.jetty.multipartConfig.maxInMemoryFileSize(MAX_UPLOAD_MB, SizeUnit.MB);
            config.routes.post("/v1/audio/transcriptions", this::transcribe);
            config.routes.post("/v1/chat/completions", this::chat);
        });
    }

    /** Starts a fake on 127.0.0.1 at a random port that stops by itself after 30 minutes. */
    public static FakeOpenAiServer start() {
        return new FakeOpenAiServer(FakeServerSupport.DEFAULT_LIFETIME);
    }

    /** Starts a fake that stops by itself after {@code lifetime}. */
    public static FakeOpenAiServer start(Duration lifetime) {
        return new FakeOpenAiServer(lifetime);
    }

    /** The base URL an OpenAI client is pointed at, e.g. {@code http://127.0.0.1:41234/v1}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    /** Requires {@code Authorization: Bearer key}; any other key gets the real 401 body. Null accepts any. */
    public FakeOpenAiServer requireApiKey(String key) {
        this.apiKey = key;
        return this;
    }

    /** Queues transcripts for the next transcription requests, in order. */
    public FakeOpenAiServer transcripts(String... texts) {
        for (String text : texts) {
            offer(transcripts, Objects.requireNonNull(text, "transcript"));
        }
        return this;
    }

    /** Decides the transcript when no queued one is left. */
    public FakeOpenAiServer transcriber(Function<TranscriptionRequest, String> transcriber) {
        this.transcriber = Objects.requireNonNull(transcriber, "transcriber");
        return this;
    }

    /** Queues replies for the next chat requests, in order. */
    public FakeOpenAiServer replies(String... texts) {
        for (String text : texts) {
            offer(replies, Objects.requireNonNull(text, "reply"));
        }
        return this;
    }

    /** Decides the reply, from the request's JSON body, when no queued one is left. */
    public FakeOpenAiServer responder(Function<JsonNode, String> responder) {
        this.responder = Objects.requireNonNull(responder, "responder");
        return this;
    }

    /** How long a transcription takes before its answer is sent. */
    public FakeOpenAiServer transcriptionDelay(Duration delay) {
        this.transcriptionDelay = requireDelay(delay);
        return this;
    }

    /**
     * Chat timing: the first chunk is sent {@code timeToFirstByte} after the request arrived, then one
     * token every {@code 1 / tokensPerSecond} seconds; {@code 0} tokens per second sends them all at once.
     */
    public FakeOpenAiServer chatLatency(Duration timeToFirstByte, double tokensPerSecond) {
        if (!(tokensPerSecond >= 0) || tokensPerSecond > 1_000_000) {
            throw new IllegalArgumentException("tokensPerSecond must be in [0, 1e6], was " + tokensPerSecond);
        }
        this.chatTimeToFirstByte = requireDelay(timeToFirstByte);
        this.tokensPerSecond = tokensPerSecond;
        return this;
    }

    /** The next chat request fails this way (faults queue up, one per request). */
    public FakeOpenAiServer failNextChat(Fault fault) {
        offer(chatFaults, Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /** The next transcription request fails this way (faults queue up, one per request). */
    public FakeOpenAiServer failNextTranscription(Fault fault) {
        offer(transcriptionFaults, Objects.requireNonNull(fault, "fault"));
        return this;
    }

    /**
     * How long after a chat request arrives the fake has sent the reply's first sentence and the token after
     * it, given the current latency settings: a sentence end ({@code . ! ?}) is only certain once the next
     * word has begun ("Dr. Smith"), so this is what a pipeline that speaks sentence by sentence waits for
     * at least.
     */
    public Duration firstSentenceDelay(String reply) {
        List<String> tokens = tokens(reply);
        int count = 0;
        boolean ended = false;
        for (String token : tokens) {
            count++;
            if (ended) {
                break;
            }
            String t = token.strip();
            ended = t.equals(".") || t.equals("!") || t.equals("?");
        }
        // The first token leaves at the time to first byte, each later one an interval after the one before.
        return chatTimeToFirstByte.plus(tokenInterval().multipliedBy(count - 1));
    }

    /** How long after a chat request arrives the fake finishes streaming all of {@code reply}. */
    public Duration replyDelay(String reply) {
        return chatTimeToFirstByte.plus(tokenInterval().multipliedBy(tokens(reply).size()));
    }

    /**
     * Remembers at most {@code max} requests from now on; 0 remembers none, as a load test wants (the bodies would
     * grow the heap the fake shares with the callers, and the collector's pauses would make the fake late).
     */
    public FakeOpenAiServer rememberAtMost(int max) {
        server.rememberAtMost(max);
        return this;
    }

    /** Requests received after as many as the limit were remembered: counted, not kept. */
    public long droppedRequests() {
        return server.droppedRequests();
    }

    /** The requests received so far (both endpoints), oldest first. */
    public List<RecordedRequest> requests() {
        return server.requests();
    }

    /**
     * How late the fake answered, by stage ({@code "stt response"}, {@code "llm first token"}): when it woke to
     * send minus when its latency settings said it would.
     */
    public Map<String, List<Duration>> lateness() {
        return server.lateness();
    }

    /** The chat requests received so far. */
    public List<RecordedRequest> chatRequests() {
        return server.requests().stream().filter(r -> r.path().endsWith("/chat/completions")).toList();
    }

    /** The transcription requests received so far. */
    public List<RecordedRequest> transcriptionRequests() {
        return server.requests().stream().filter(r -> r.path().endsWith("/audio/transcriptions")).toList();
    }

    @Override
    public void close() {
        server.close();
    }

    // ---------------------------------------------------------------- the real error bodies (fixtures/openai)

    /**
     * 429 {@code rate_limit_exceeded} with {@code retry-after} (seconds) and {@code retry-after-ms}, body as
     * recorded in {@code error_429_rate_limit_exceeded.json}.
     */
    public static Fault rateLimited(Duration retryAfter) {
        long millis = retryAfter.toMillis();
        return new Fault.HttpError(429,
                Map.of("retry-after", String.valueOf(Math.max(0, (millis + 999) / 1000)),
                        "retry-after-ms", String.valueOf(millis)),
                errorBody("Rate limit reached for 10KTPM-200RPM in organization org-OASFC7k1Ff5IzueeLArhQtnT on tokens "
                        + "per min. Limit: 10000 / min. Please try again in 6ms. Contact us through our help center at "
                        + "help.openai.com if you continue to have issues.", "tokens", "rate_limit_exceeded"));
    }

    /** 429 {@code insufficient_quota} (not retryable), body as in {@code error_429_insufficient_quota.json}. */
    public static Fault insufficientQuota() {
        return new Fault.HttpError(429, Map.of(), errorBody("You exceeded your current quota, please check your plan "
                + "and billing details. For more information on this error, read the docs: "
                + "https://platform.openai.com/docs/guides/error-codes/api-errors.", "insufficient_quota",
                "insufficient_quota"));
    }

    /** 500 {@code server_error}, body as in {@code error_500_server_error.json}. */
    public static Fault serverError() {
        return new Fault.HttpError(500, Map.of(), errorBody("The server experienced an error while processing your "
                + "request. Sorry about that! You can retry your request, or contact us through our help center at "
                + "help.openai.com if the error persists.", "server_error", null));
    }

    /** 503 model overloaded, body as in {@code error_503_model_overloaded.json}. */
    public static Fault overloaded() {
        return new Fault.HttpError(503, Map.of(), errorBody("That model is currently overloaded with other requests. "
                + "You can retry your request, or contact us through our help center at help.openai.com if the error "
                + "persists. (Please include the request ID 500d9fff2057e4af93a280f67002c342 in your message.)",
                "server_error", null));
    }

    /** 401 {@code invalid_api_key}, body as in {@code error_401_invalid_api_key.json}. */
    public static Fault invalidApiKey() {
        return new Fault.HttpError(401, Map.of(), invalidKeyBody());
    }

    private static String invalidKeyBody() {
        return errorBody("Incorrect API key provided: sk-VKMIs***************************************wjh3. You can "
                + "find your API key at https://platform.openai.com/account/api-keys.", "invalid_request_error",
                "invalid_api_key");
    }

    private static String errorBody(String message, String type, String code) {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        if (code == null) {
            error.putNull("code");
        } else {
            error.put("code", code);
        }
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        return body.toPrettyString();
    }

    private static Fault.HttpError badRequest(String message, String param) {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("type", "invalid_request_error");
        error.put("param", param);
        error.putNull("code");
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        return new Fault.HttpError(400, Map.of(), body.toPrettyString());
    }

    // ---------------------------------------------------------------- transcriptions

    private void transcribe(Context ctx) throws IOException {
        long arrived = System.nanoTime();
        UploadedFile file = ctx.uploadedFile("file");
        byte[] audio;
        if (file != null) {
            try (InputStream in = file.content()) {
                audio = in.readAllBytes();
            }
        } else {
            audio = new byte[0];
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : ctx.formParamMap().entrySet()) {
            fields.put(e.getKey(), e.getValue().isEmpty() ? "" : e.getValue().get(0));
        }
        server.record(() -> new RecordedRequest("POST", ctx.path(), FakeServerSupport.queryOf(ctx), FakeServerSupport.headersOf(ctx), fields, audio, arrived));
        if (!authorized(ctx)) {
            return;
        }
        Fault fault = transcriptionFaults.poll();
        if (fault instanceof Fault.HttpError error) {
            sendError(ctx, error);
            return;
        }
        if (fault instanceof Fault.Reset) {
            FakeServerSupport.dropConnection(ctx);
            return;
        }
        if (file == null) {
            sendError(ctx, badRequest("you must provide a file", "file"));
            return;
        }
        String model = fields.get("model");
        if (model == null || model.isBlank()) {
            sendError(ctx, badRequest("you must provide a model parameter", "model"));
            return;
        }
        String format = fields.getOrDefault("response_format", "json");
        boolean gpt4o = model.startsWith("gpt-4o") || model.startsWith("gpt-transcribe");
        if (gpt4o && !format.equals("json") && !format.equals("text")) {
            sendError(ctx, badRequest("response_format '" + format + "' is not compatible with model '" + model
                    + "'. Use 'json' or 'text' instead.", "response_format"));
            return;
        }
        Transcribed transcribed = transcriptOf(model, file.filename(), audio, format, fields);
        FakeServerSupport.sleepUntil(arrived + transcriptionDelay.toNanos());
        server.recordLateness("stt response", arrived + transcriptionDelay.toNanos());
        if (fault instanceof Fault.Stall stall) {
            ctx.res().flushBuffer();
            FakeServerSupport.sleepUntil(System.nanoTime() + stall.duration().toNanos());
            FakeServerSupport.dropConnection(ctx);
            return;
        }
        ctx.header("x-request-id", requestId());
        if (fault instanceof Fault.Malformed) {
            ctx.contentType("application/json").result("{\"text\": \"" + transcribed.text());
            return;
        }
        switch (format) {
            case "text" -> ctx.contentType("text/plain; charset=utf-8").result(transcribed.text());
            case "verbose_json" -> ctx.contentType("application/json").result(verboseJson(transcribed));
            case "json" -> ctx.contentType("application/json").result(json(model, transcribed));
            default -> sendError(ctx, badRequest("response_format '" + format + "' is not supported by this fake; "
                    + "use json, verbose_json or text", "response_format"));
        }
    }

    private Transcribed transcriptOf(String model, String fileName, byte[] audio, String format,
            Map<String, String> fields) {
        double seconds;
        try {
            seconds = Wav.read(audio).duration().toNanos() / 1e9;
        } catch (WavFormatException e) {
            // Not a WAV upload (or a broken one): the real service would decode it; the fake cannot measure it.
            seconds = 0;
        }
        String queued = transcripts.poll();
        String text = queued != null ? queued
                : transcriber.apply(new TranscriptionRequest(model, fileName, audio, seconds, format,
                        fields.get("language"), fields.get("prompt")));
        return new Transcribed(text, seconds);
    }

    private static String json(String model, Transcribed t) {
        ObjectNode body = JSON.createObjectNode();
        body.put("text", t.text());
        if (!model.equals("whisper-1")) {
            // gpt-4o-*-transcribe report token usage (fixture transcription_response_gpt-4o-transcribe.json).
            int audioTokens = (int) Math.max(1, Math.round(t.seconds() * 10));
            int outputTokens = Math.max(1, t.text().length() / CHARS_PER_TOKEN);
            ObjectNode usage = body.putObject("usage");
            usage.put("type", "tokens");
            usage.put("input_tokens", audioTokens);
            ObjectNode details = usage.putObject("input_token_details");
            details.put("text_tokens", 0);
            details.put("audio_tokens", audioTokens);
            usage.put("output_tokens", outputTokens);
            usage.put("total_tokens", audioTokens + outputTokens);
        }
        return body.toPrettyString();
    }

    private static String verboseJson(Transcribed t) {
        ObjectNode body = JSON.createObjectNode();
        body.put("task", "transcribe");
        body.put("language", "english");
        body.put("duration", t.seconds());
        body.put("text", t.text());
        ArrayNode segments = body.putArray("segments");
        ObjectNode segment = segments.addObject();
        segment.put("id", 0);
        segment.put("seek", 0);
        segment.put("start", 0.0);
        segment.put("end", t.seconds());
        segment.put("text", " " + t.text());
        ArrayNode tokens = segment.putArray("tokens");
        for (int i = 0; i < Math.max(1, t.text().length() / CHARS_PER_TOKEN); i++) {
            tokens.add(50_364 + i);
        }
        segment.put("temperature", 0.0);
        segment.put("avg_logprob", -0.21);
        segment.put("compression_ratio", 1.1);
        segment.put("no_speech_prob", 0.01);
        ObjectNode usage = body.putObject("usage");
        usage.put("type", "duration");
        usage.put("seconds", (int) Math.ceil(t.seconds()));
        return body.toPrettyString();
    }

    // ---------------------------------------------------------------- chat completions

    private void chat(Context ctx) throws IOException {
        long arrived = System.nanoTime();
        byte[] raw = ctx.bodyAsBytes();
        server.record(() -> new RecordedRequest("POST", ctx.path(), FakeServerSupport.queryOf(ctx), FakeServerSupport.headersOf(ctx), Map.of(), raw, arrived));
        if (!authorized(ctx)) {
            return;
        }
        JsonNode request;
        try {
            request = JSON.readTree(raw);
        } catch (IOException e) {
            sendError(ctx, badRequest("We could not parse the JSON body of your request. (HINT: This likely means "
                    + "you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what "
                    + "was sent was not valid JSON.", null));
            return;
        }
        if (request == null || !request.path("messages").isArray() || !request.path("model").isTextual()) {
            sendError(ctx, badRequest("you must provide a model parameter and a messages array", "messages"));
            return;
        }
        Fault fault = chatFaults.poll();
        if (fault instanceof Fault.HttpError error) {
            sendError(ctx, error);
            return;
        }
        if (fault instanceof Fault.Reset reset && reset.afterEvents() == 0) {
            FakeServerSupport.dropConnection(ctx);
            return;
        }
        String queued = replies.poll();
        String reply = queued != null ? queued : responder.apply(request);
        ChatStream stream = new ChatStream(request, tokens(reply));
        ctx.header("x-request-id", requestId());
        if (!request.path("stream").asBoolean(false)) {
            FakeServerSupport.sleepUntil(arrived + chatTimeToFirstByte.toNanos() + tokenInterval().toNanos() * stream.tokens.size());
            ctx.contentType("application/json").result(stream.completion());
            return;
        }
        ctx.contentType("text/event-stream; charset=utf-8");
        ctx.res().setHeader("cache-control", "no-cache");
        stream.send(ctx, arrived, fault);
    }

    /** One streamed reply: its chunks, in the order and shape of the recorded captures. */
    private final class ChatStream {
        private final String id = "chatcmpl-" + FakeServerSupport.randomAlphanumeric(29);
        private final long created = System.currentTimeMillis() / 1000;
        private final String model;
        private final boolean includeUsage;
        private final boolean obfuscate;
        private final List<String> tokens;
        private final int promptTokens;

        ChatStream(JsonNode request, List<String> tokens) {
            this.model = request.path("model").asText();
            JsonNode options = request.path("stream_options");
            this.includeUsage = options.path("include_usage").asBoolean(false);
            this.obfuscate = options.path("include_obfuscation").asBoolean(true);
            this.tokens = tokens;
            int chars = 0;
            for (JsonNode message : request.path("messages")) {
                chars += message.path("content").asText("").length();
            }
            this.promptTokens = Math.max(1, chars / CHARS_PER_TOKEN);
        }

        void send(Context ctx, long arrived, Fault fault) throws IOException {
            OutputStream out = ctx.res().getOutputStream();
            long interval = tokenInterval().toNanos();
            long due = arrived + chatTimeToFirstByte.toNanos();
            List<String> events = new ArrayList<>(tokens.size() + 3);
            ObjectNode role = JSON.createObjectNode();
            role.put("role", "assistant");
            role.put("content", "");
            role.putNull("refusal");
            events.add(chunk(role, null));
            for (String token : tokens) {
                ObjectNode delta = JSON.createObjectNode();
                delta.put("content", token);
                events.add(chunk(delta, null));
            }
            events.add(chunk(JSON.createObjectNode(), "stop"));
            if (includeUsage) {
                events.add(usageChunk());
            }
            for (int i = 0; i < events.size(); i++) {
                if (fault != null && failHere(ctx, out, fault, i)) {
                    return;
                }
                FakeServerSupport.sleepUntil(due);
                write(out, "data: " + events.get(i) + "\n\n");
                if (i == 1) {
                    server.recordLateness("llm first token", due);
                }
                if (i >= 1 && i <= tokens.size()) {
                    due += interval;
                }
            }
            if (fault != null && failHere(ctx, out, fault, events.size())) {
                return;
            }
            write(out, "data: [DONE]\n\n");
        }

        /** Applies {@code fault} before event {@code index}; true if the stream ends here. */
        private boolean failHere(Context ctx, OutputStream out, Fault fault, int index) throws IOException {
            switch (fault) {
                case Fault.Stall stall when stall.afterEvents() == index -> {
                    out.flush();
                    FakeServerSupport.sleepUntil(System.nanoTime() + stall.duration().toNanos());
                    FakeServerSupport.dropConnection(ctx);
                    return true;
                }
                case Fault.Reset reset when reset.afterEvents() == index -> {
                    out.flush();
                    FakeServerSupport.dropConnection(ctx);
                    return true;
                }
                case Fault.Truncate truncate when truncate.afterEvents() == index -> {
                    return true;
                }
                case Fault.Malformed malformed when malformed.afterEvents() == index -> {
                    write(out, "data: {\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"delta\":\n\n");
                    return false;
                }
                default -> {
                    return false;
                }
            }
        }

        private String chunk(ObjectNode delta, String finishReason) {
            ObjectNode chunk = head();
            ObjectNode choice = chunk.putArray("choices").addObject();
            choice.put("index", 0);
            choice.set("delta", delta);
            choice.putNull("logprobs");
            if (finishReason == null) {
                choice.putNull("finish_reason");
            } else {
                choice.put("finish_reason", finishReason);
            }
            return tail(chunk);
        }

        private String usageChunk() {
            ObjectNode chunk = head();
            chunk.putArray("choices");
            ObjectNode usage = chunk.putObject("usage");
            usage.put("prompt_tokens", promptTokens);
            usage.put("completion_tokens", tokens.size());
            usage.put("total_tokens", promptTokens + tokens.size());
            ObjectNode prompt = usage.putObject("prompt_tokens_details");
            prompt.put("cached_tokens", 0);
            prompt.put("audio_tokens", 0);
            ObjectNode completion = usage.putObject("completion_tokens_details");
            completion.put("reasoning_tokens", 0);
            completion.put("audio_tokens", 0);
            completion.put("accepted_prediction_tokens", 0);
            completion.put("rejected_prediction_tokens", 0);
            if (obfuscate) {
                chunk.put("obfuscation", FakeServerSupport.randomAlphanumeric(1 + ThreadLocalRandom.current().nextInt(15)));
            }
            return chunk.toString();
        }

        private ObjectNode head() {
            ObjectNode chunk = JSON.createObjectNode();
            chunk.put("id", id);
            chunk.put("object", "chat.completion.chunk");
            chunk.put("created", created);
            chunk.put("model", model);
            chunk.put("service_tier", "default");
            chunk.put("system_fingerprint", "fp_fake0000");
            return chunk;
        }

        private String tail(ObjectNode chunk) {
            if (includeUsage) {
                chunk.putNull("usage");
            }
            if (obfuscate) {
                chunk.put("obfuscation", FakeServerSupport.randomAlphanumeric(1 + ThreadLocalRandom.current().nextInt(15)));
            }
            return chunk.toString();
        }

        String completion() {
            ObjectNode body = JSON.createObjectNode();
            body.put("id", id);
            body.put("object", "chat.completion");
            body.put("created", created);
            body.put("model", model);
            ObjectNode choice = body.putArray("choices").addObject();
            choice.put("index", 0);
            ObjectNode message = choice.putObject("message");
            message.put("role", "assistant");
            message.put("content", String.join("", tokens));
            message.putNull("refusal");
            choice.putNull("logprobs");
            choice.put("finish_reason", "stop");
            ObjectNode usage = body.putObject("usage");
            usage.put("prompt_tokens", promptTokens);
            usage.put("completion_tokens", tokens.size());
            usage.put("total_tokens", promptTokens + tokens.size());
            body.put("service_tier", "default");
            body.put("system_fingerprint", "fp_fake0000");
            return body.toString();
        }
    }

    /** Splits {@code reply} into stream tokens: each word with its leading space, each punctuation mark. */
    static List<String> tokens(String reply) {
        List<String> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(reply);
        while (m.find()) {
            if (!m.group().isEmpty()) {
                out.add(m.group());
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- helpers

    private boolean authorized(Context ctx) {
        String key = apiKey;
        if (key == null) {
            return true;
        }
        String header = ctx.header("Authorization");
        if (header != null && header.equals("Bearer " + key)) {
            return true;
        }
        sendError(ctx, new Fault.HttpError(401, Map.of(), invalidKeyBody()));
        return false;
    }

    private static void sendError(Context ctx, Fault.HttpError error) {
        ctx.status(error.status());
        error.headers().forEach(ctx::header);
        ctx.header("x-request-id", requestId());
        ctx.contentType("application/json").result(error.body());
    }

    private Duration tokenInterval() {
        double tps = tokensPerSecond;
        return tps == 0 ? Duration.ZERO : Duration.ofNanos((long) (1_000_000_000L / tps));
    }

    private static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static Duration requireDelay(Duration delay) {
        if (delay.isNegative() || delay.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("delay must be between 0 and 5 minutes, was " + delay);
        }
        return delay;
    }

    private static <T> void offer(ConcurrentLinkedQueue<T> queue, T item) {
        if (queue.size() >= MAX_QUEUED) {
            throw new IllegalStateException("at most " + MAX_QUEUED + " items may be queued");
        }
        queue.add(item);
    }

    private static String requestId() {
        return "req_" + FakeServerSupport.randomAlphanumeric(32).toLowerCase(Locale.ROOT);
    }
}
