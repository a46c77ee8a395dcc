package dev.hotline.elevenlabs;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.ProviderException.Kind;
import dev.hotline.core.StreamingSynthesizer;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speech from ElevenLabs, over HTTP streaming ({@code POST /v1/text-to-speech/{voice_id}/stream}) or the
 * WebSocket stream-input API ({@code /v1/text-to-speech/{voice_id}/stream-input}), in the caller's wire
 * format so nothing is transcoded: {@code ulaw_8000} for Twilio, {@code pcm_16000}/{@code pcm_24000} and
 * the other mono PCM16 rates elsewhere.
 *
 * <p><b>Which API.</b> {@link #synthesize} uses HTTP unless the configuration's mode is
 * {@link ElevenLabsConfig.Mode#WEBSOCKET}; {@link #open} always uses the WebSocket.
 *
 * <p><b>Lifecycle and threading.</b> One instance serves every call; it holds an OkHttp client and one
 * daemon thread for WebSocket keep-alives. Thread-safe. {@link #close()} releases them; calls in flight
 * then fail.
 *
 * <p><b>Failures.</b> Everything the provider or network does wrong is a {@link ProviderException}:
 * 401 {@code invalid_api_key} is {@link Kind#AUTHENTICATION}, 401 {@code quota_exceeded}
 * {@link Kind#QUOTA_EXCEEDED}, 400/404/422 {@link Kind#INVALID_REQUEST} with the provider's detail,
 * 429 {@link Kind#RATE_LIMITED}, 5xx {@link Kind#UNAVAILABLE}, stalls {@link Kind#TIMEOUT}, a stream cut
 * short {@link Kind#MALFORMED_RESPONSE}; a {@code Retry-After} header becomes
 * {@link ProviderException#retryAfter()}. The first permanent failure of each kind is logged once (one line);
 * later ones only throw. Cancelling the
 * {@link CancelSignal} aborts the HTTP call or WebSocket at once and throws {@link CancelledException}.
 * The API key is sent only as the {@code xi-api-key} header and appears in no log line or message.
 *
 * <p><b>Retries.</b> This synthesizer does not retry: each call makes exactly one request or connection. Wrap
 * calls in {@link dev.hotline.core.RetryPolicy} (the engine does), with "no audio delivered yet" as its
 * {@code mayRetry}, so that retries stay inside the caller's latency budget and then the engine falls back to
 * the next synthesizer.
 */
public final class ElevenLabsSynthesizer implements StreamingSynthesizer, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ElevenLabsSynthesizer.class);
    private static final MediaType JSON = MediaType.get("application/json");
    /** Bytes read per network read; chunks are handed on as soon as any bytes arrive. */
    private static final int READ_BUFFER_BYTES = 8192;
    /** Longest error body read, in bytes: enough for any documented error, bounded against a broken proxy. */
    private static final long MAX_ERROR_BODY_BYTES = 64 * 1024;
    /** Response header with the characters billed (ElevenLabs request-stitching cookbook). */
    private static final String CHARACTER_COST_HEADER = "character-cost";

    private final ElevenLabsConfig config;
    private final OkHttpClient http;
    private final boolean ownsClient;
    /**
     * Parse and write buffers from a pool all threads share: Jackson's default pool is per thread, and every
     * request runs on its own virtual thread, so each allocated fresh buffers and kept them alive for the
     * whole stream (copied by the young collections in between).
     */
    private final ObjectMapper json = new ObjectMapper(
            JsonFactory.builder().recyclerPool(JsonRecyclerPools.newConcurrentDequePool()).build());
    private final ElevenLabsErrors errors;
    private final ScheduledExecutorService keepAlives;
    private final Set<Kind> reportedPermanentFailures = ConcurrentHashMap.newKeySet();

    /** A synthesizer with its own OkHttp client. */
    public ElevenLabsSynthesizer(ElevenLabsConfig config) {
        this(config, new OkHttpClient(), true);
    }

    /**
     * A synthesizer sharing {@code client}'s connection pool and dispatcher. The configured timeouts and a
     * {@code TCP_NODELAY} socket factory are applied on top of it; {@link #close()} leaves the shared pool alone.
     */
    public ElevenLabsSynthesizer(ElevenLabsConfig config, OkHttpClient client) {
        this(config, client, false);
    }

    private ElevenLabsSynthesizer(ElevenLabsConfig config, OkHttpClient client, boolean ownsClient) {
        this.ownsClient = ownsClient;
        this.config = Objects.requireNonNull(config, "config");
        Objects.requireNonNull(client, "client");
        this.http = client.newBuilder()
                .connectTimeout(config.connectTimeout())
                .readTimeout(config.readTimeout())
                .writeTimeout(config.readTimeout())
                .socketFactory(new NoDelaySocketFactory())
                .build();
        this.errors = new ElevenLabsErrors(json, config.apiKey());
        this.keepAlives = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "elevenlabs-keepalive");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The configuration in use. */
    public ElevenLabsConfig config() {
        return config;
    }

    @Override
    public boolean supports(AudioFormat format) {
        return OutputFormats.of(Objects.requireNonNull(format, "format")).isPresent();
    }

    @Override
    public String name() {
        return "elevenlabs " + config.modelId() + " " + config.mode().name().toLowerCase(Locale.ROOT);
    }

    /**
     * What identifies the voice this synthesizer produces, for {@link dev.hotline.core.cache.CachingSynthesizer}'s keys: voice, model
     * and settings. Two synthesizers with the same prefix produce interchangeable audio for the same text
     * and format. Contains no secret.
     */
    public String cacheKeyPrefix() {
        return "elevenlabs|" + config.voiceId() + "|" + config.modelId() + "|" + config.voiceSettings().toWire();
    }

    @Override
    public Usage synthesize(Request request, AudioSink sink, CancelSignal cancel) throws IOException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(cancel, "cancel");
        String outputFormat = OutputFormats.require(request.format());
        cancel.throwIfCancelled();
        if (config.mode() == ElevenLabsConfig.Mode.WEBSOCKET) {
            return synthesizeOverWebSocket(request, outputFormat, sink, cancel);
        }
        SampleAligner aligner = new SampleAligner(request.format().bytesPerFrame(), sink);
        okhttp3.Request httpRequest = httpRequest(request, outputFormat);
        return once(cancel, () -> streamOnce(httpRequest, request, aligner, cancel));
    }

    @Override
    public SpeechStream open(AudioFormat format, AudioSink sink, CancelSignal cancel) throws IOException {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(cancel, "cancel");
        String outputFormat = OutputFormats.require(format);
        cancel.throwIfCancelled();
        okhttp3.Request handshake = streamInputHandshake(outputFormat);
        return once(cancel, () -> WebSocketSpeechStream.connect(http, handshake, initMessage(),
                config, json, errors, new SampleAligner(format.bytesPerFrame(), sink), cancel, keepAlives,
                this::reportPermanent));
    }

    private Usage synthesizeOverWebSocket(Request request, String outputFormat, AudioSink sink, CancelSignal cancel)
            throws IOException {
        okhttp3.Request handshake = streamInputHandshake(outputFormat);
        WebSocketSpeechStream.Handoff handoff = new WebSocketSpeechStream.Handoff();
        try (WebSocketSpeechStream stream = once(cancel, () -> WebSocketSpeechStream.connect(
                http, handshake, initMessage(), config, json, errors,
                new SampleAligner(request.format().bytesPerFrame(), handoff), handoff, cancel, keepAlives,
                this::reportPermanent))) {
            stream.append(request.text());
            return stream.finish(handoff, sink);
        }
    }

    private okhttp3.Request streamInputHandshake(String outputFormat) {
        HttpUrl url = apiUrl("stream-input").newBuilder()
                .addQueryParameter("model_id", config.modelId())
                .addQueryParameter("output_format", outputFormat)
                .build();
        return new okhttp3.Request.Builder().url(url)
                .header("xi-api-key", config.apiKey())
                .build();
    }

    /** Stops the keep-alive thread and, if the OkHttp client is this synthesizer's own, its idle connections. */
    @Override
    public void close() {
        keepAlives.shutdownNow();
        if (ownsClient) {
            http.connectionPool().evictAll();
        }
    }

    private okhttp3.Request httpRequest(Request request, String outputFormat) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("text", request.text());
        body.put("model_id", config.modelId());
        if (!config.voiceSettings().isEmpty()) {
            body.put("voice_settings", config.voiceSettings().toWire());
        }
        if (request.previousText() != null && !request.previousText().isBlank()) {
            body.put("previous_text", request.previousText());
        }
        if (request.nextText() != null && !request.nextText().isBlank()) {
            body.put("next_text", request.nextText());
        }
        HttpUrl url = apiUrl("stream").newBuilder().addQueryParameter("output_format", outputFormat).build();
        return new okhttp3.Request.Builder().url(url)
                .header("xi-api-key", config.apiKey())
                .header("accept", "*/*")
                .post(RequestBody.create(toJson(body), JSON))
                .build();
    }

    private String initMessage() {
        Map<String, Object> init = new LinkedHashMap<>();
        init.put("text", " ");
        if (!config.voiceSettings().isEmpty()) {
            init.put("voice_settings", config.voiceSettings().toWire());
        }
        init.put("generation_config", Map.of("chunk_length_schedule", config.chunkLengthSchedule()));
        return toJson(init);
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON body of strings and numbers", e);
        }
    }

    private HttpUrl apiUrl(String last) {
        HttpUrl base = HttpUrl.get(config.baseUrl());
        return base.newBuilder()
                .addPathSegments("v1/text-to-speech")
                .addPathSegment(config.voiceId())
                .addPathSegment(last)
                .build();
    }

    private Usage streamOnce(okhttp3.Request httpRequest, Request request, SampleAligner aligner, CancelSignal cancel)
            throws IOException {
        Call call = http.newCall(httpRequest);
        call.timeout().timeout(config.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        boolean streaming = false;
        CancelSignal.Registration registration = cancel.onCancel(call::cancel);
        try (Response response = call.execute()) {
            if (!response.isSuccessful()) {
                throw errors.fromHttp(response.code(), errorBody(response), response.header("retry-after"));
            }
            streaming = true;
            ResponseBody body = response.body();
            BufferedSource source = body.source();
            byte[] buffer = new byte[READ_BUFFER_BYTES];
            int read;
            while ((read = source.read(buffer)) != -1) {
                cancel.throwIfCancelled();
                if (read > 0) {
                    aligner.accept(buffer, 0, read);
                }
            }
            cancel.throwIfCancelled();
            if (aligner.delivered() == 0) {
                throw errors.exception(Kind.MALFORMED_RESPONSE, "HTTP " + response.code()
                        + " with no audio in the body", null);
            }
            if (aligner.pending() > 0) {
                LOG.debug("ElevenLabs stream ended mid-sample; dropped {} trailing byte(s)", aligner.pending());
            }
            return new Usage(characterCost(response, request.text()), false);
        } catch (ProviderException | CancelledException e) {
            throw e;
        } catch (IOException e) {
            cancel.throwIfCancelled();
            throw mapNetworkFailure(e, streaming, aligner.delivered());
        } finally {
            registration.remove();
        }
    }

    private String errorBody(Response response) throws IOException {
        ResponseBody body = response.body();
        BufferedSource source = body.source();
        source.request(MAX_ERROR_BODY_BYTES);
        long available = Math.min(source.getBuffer().size(), MAX_ERROR_BODY_BYTES);
        return source.getBuffer().readUtf8(available);
    }

    private static long characterCost(Response response, String text) {
        String header = response.header(CHARACTER_COST_HEADER);
        if (header != null) {
            try {
                long cost = Long.parseLong(header.strip());
                if (cost >= 0) {
                    return cost;
                }
            } catch (NumberFormatException e) {
                LOG.debug("ignoring a malformed {} header", CHARACTER_COST_HEADER);
            }
        }
        return text.length();
    }

    private ProviderException mapNetworkFailure(IOException e, boolean streaming, long delivered) {
        String detail = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (e instanceof InterruptedIOException) {
            String what = streaming
                    ? "audio stream stalled after " + delivered + " bytes (no data for "
                            + config.readTimeout().toMillis() + " ms, or the whole call exceeded "
                            + config.callTimeout().toMillis() + " ms)"
                    : "no answer within " + config.readTimeout().toMillis() + " ms from " + config.baseUrl();
            return errors.exception(Kind.TIMEOUT, what + " (" + detail + ")", e);
        }
        if (streaming) {
            return errors.exception(Kind.MALFORMED_RESPONSE, "audio stream ended early after " + delivered
                    + " bytes: the connection closed before the end of the response (" + detail + ")", e);
        }
        if (e instanceof ConnectException || e instanceof UnknownHostException) {
            return errors.exception(Kind.NETWORK, "cannot connect to " + config.baseUrl()
                    + " (check ELEVENLABS_BASE_URL and the network): " + detail, e);
        }
        if (e instanceof EOFException) {
            return errors.exception(Kind.NETWORK, "connection closed before an answer (" + detail + ")", e);
        }
        return errors.exception(Kind.NETWORK, "request failed (" + detail + ")", e);
    }

    /** One try of a request. */
    @FunctionalInterface
    private interface Attempt<T> {
        T run() throws IOException;
    }

    /** Runs one try; a permanent failure is reported once per kind on its way out. */
    private <T> T once(CancelSignal cancel, Attempt<T> attempt) throws IOException {
        try {
            return attempt.run();
        } catch (ProviderException e) {
            cancel.throwIfCancelled();
            if (!e.retryable()) {
                reportPermanent(e);
            }
            throw e;
        }
    }

    private ProviderException reportPermanent(ProviderException e) {
        if (reportedPermanentFailures.add(e.kind())) {
            LOG.warn("ElevenLabs speech is unavailable ({}): {}. Calls fall back to the next synthesizer until this "
                    + "is fixed; this is logged once.", e.kind(), e.getMessage());
        }
        return e;
    }
}
