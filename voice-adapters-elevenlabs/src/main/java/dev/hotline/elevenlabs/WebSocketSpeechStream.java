package dev.hotline.elevenlabs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.ProviderException.Kind;
import dev.hotline.core.StreamingSynthesizer.SpeechStream;
import dev.hotline.core.Synthesizer.AudioSink;
import dev.hotline.core.Synthesizer.Usage;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

/**
 * One ElevenLabs stream-input session (PROTOCOLS.md 5.2).
 *
 * <pre>
 * client -> server   {"text":" ","voice_settings":{..},"generation_config":{"chunk_length_schedule":[..]}}  init
 *                    {"text":"Hello there "}                   whole words, always ending with a space
 *                    {"text":"how are you? ","flush":true}     sentence end: generate now
 *                    {"text":" "}                              keep-alive inside the 20 s idle limit
 *                    {"text":""}                               end of input
 * server -> client   {"audio":"base64","isFinal":false|null,"normalizedAlignment":{..},"alignment":{..}}
 *                    {"isFinal":true}                          last message
 *                    {"message":"..","error":"input_timeout_exceeded","code":1008}   then close 1008
 * </pre>
 *
 * <p>Text appended is sent up to its last whitespace, so a word split across LLM deltas is never spoken as
 * two. Audio is decoded and handed to the sink on OkHttp's reader thread. The first failure (an error frame,
 * a close before {@code isFinal}, a network error, cancellation) is kept and thrown by every later call.
 */
final class WebSocketSpeechStream extends WebSocketListener implements SpeechStream {

    /** Normal closure (RFC 6455). */
    private static final int CLOSE_NORMAL = 1000;
    /** Policy violation (RFC 6455): what ElevenLabs closes with after an idle timeout. */
    private static final int CLOSE_POLICY_VIOLATION = 1008;

    /**
     * Longest run of text without whitespace held back waiting for a word to end, in characters: the
     * provider's largest chunk length. Longer runs (URLs, other scripts without spaces) are sent as they are.
     */
    private static final int MAX_UNSENT_CHARS = 500;
    /** How long a refused send waits for the close or error that explains it, in milliseconds. */
    private static final long CLOSE_REASON_WAIT_MILLIS = 1000;

    private final ElevenLabsConfig config;
    private final Consumer<ProviderException> permanentFailures;
    private final ObjectMapper json;
    private final ElevenLabsErrors errors;
    private final SampleAligner aligner;
    private final CancelSignal cancel;
    private final CompletableFuture<Void> opened = new CompletableFuture<>();
    private final CompletableFuture<Void> finished = new CompletableFuture<>();
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final StringBuilder unsent = new StringBuilder();
    private volatile WebSocket socket;
    private volatile long lastSendNanos = System.nanoTime();
    private volatile boolean endSent;
    private volatile boolean closed;
    private long characters;
    private ScheduledFuture<?> keepAlive;
    private CancelSignal.Registration cancelRegistration;

    private WebSocketSpeechStream(ElevenLabsConfig config, ObjectMapper json, ElevenLabsErrors errors,
            SampleAligner aligner, CancelSignal cancel, Consumer<ProviderException> permanentFailures) {
        this.permanentFailures = permanentFailures;
        this.config = config;
        this.json = json;
        this.errors = errors;
        this.aligner = aligner;
        this.cancel = cancel;
    }

    /** Connects, sends the init message and starts keep-alives; blocks until the socket is open. */
    static WebSocketSpeechStream connect(OkHttpClient http, Request handshake, String initMessage,
            ElevenLabsConfig config, ObjectMapper json, ElevenLabsErrors errors, SampleAligner aligner,
            CancelSignal cancel, ScheduledExecutorService keepAlives, Consumer<ProviderException> permanentFailures)
            throws IOException {
        return connect(http, handshake, initMessage, config, json, errors, aligner, null, cancel, keepAlives,
                permanentFailures);
    }

    /**
     * Like the other {@code connect}, for an {@code aligner} that feeds {@code handoff}: the handoff is told
     * when the stream ends, however it ends. {@code permanentFailures} hears of every failure that retrying
     * cannot fix (an error frame such as {@code invalid_api_key} or {@code quota_exceeded}).
     */
    static WebSocketSpeechStream connect(OkHttpClient http, Request handshake, String initMessage,
            ElevenLabsConfig config, ObjectMapper json, ElevenLabsErrors errors, SampleAligner aligner,
            Handoff handoff, CancelSignal cancel, ScheduledExecutorService keepAlives,
            Consumer<ProviderException> permanentFailures) throws IOException {
        WebSocketSpeechStream stream = new WebSocketSpeechStream(config, json, errors, aligner, cancel,
                permanentFailures);
        if (handoff != null) {
            stream.finished.whenComplete((ignored, failure) -> handoff.end());
        }
        stream.socket = http.newWebSocket(handshake, stream);
        stream.cancelRegistration = cancel.onCancel(() -> stream.fail(new CancelledException(cancel.reason())));
        try {
            if (!settled(stream.opened, config.connectTimeout().toNanos())) {
                stream.fail(errors.exception(Kind.TIMEOUT, "WebSocket handshake not done within "
                        + config.connectTimeout().toMillis() + " ms", null));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stream.fail(new CancelledException("interrupted while connecting"));
        }
        try {
            stream.throwIfFailed();
            stream.send(initMessage);
            long tick = Math.max(1, config.keepAliveInterval().toMillis() / 4);
            stream.keepAlive = keepAlives.scheduleWithFixedDelay(stream::keepAliveIfQuiet, tick, tick,
                    TimeUnit.MILLISECONDS);
            return stream;
        } catch (IOException | RuntimeException e) {
            stream.close();
            throw e;
        }
    }

    @Override
    public void append(String text) throws IOException {
        checkWritable();
        if (text == null || text.isEmpty()) {
            return;
        }
        unsent.append(text);
        characters += text.length();
        int lastSpace = lastWhitespace(unsent);
        if (lastSpace < 0) {
            if (unsent.length() >= MAX_UNSENT_CHARS) {
                String run = unsent.toString();
                unsent.setLength(0);
                send(textMessage(run, false));
            }
            return;
        }
        String words = unsent.substring(0, lastSpace + 1);
        unsent.delete(0, lastSpace + 1);
        if (!words.isBlank()) {
            send(textMessage(words, false));
        }
    }

    @Override
    public void flush() throws IOException {
        checkWritable();
        String rest = unsent.toString();
        unsent.setLength(0);
        send(textMessage(rest, true));
    }

    @Override
    public Usage finish() throws IOException {
        return finish(null, null);
    }

    /**
     * Ends the input and waits for the last audio. With a {@code handoff}, audio is delivered to
     * {@code target} on the calling thread while waiting (what {@code Synthesizer.synthesize} promises).
     */
    Usage finish(Handoff handoff, AudioSink target) throws IOException {
        checkWritable();
        if (!unsent.toString().isBlank()) {
            send(textMessage(unsent.toString(), false));
        }
        unsent.setLength(0);
        send("{\"text\":\"\"}");
        endSent = true;
        try {
            try {
                boolean ended = handoff == null
                        ? settled(finished, config.callTimeout().toNanos())
                        : handoff.deliverUntilEnd(target, cancel,
                                System.nanoTime() + config.callTimeout().toNanos());
                if (!ended) {
                    fail(errors.exception(Kind.TIMEOUT, "no isFinal within " + config.callTimeout().toMillis()
                            + " ms after the end of input (" + aligner.delivered() + " bytes of audio so far)",
                            null));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail(new CancelledException("interrupted while waiting for the last audio"));
            }
            throwIfFailed();
            if (aligner.pending() > 0) {
                throw errors.exception(Kind.MALFORMED_RESPONSE, "stream-input audio ended mid-sample ("
                        + aligner.pending() + " byte(s) left over)", null);
            }
            socket.close(CLOSE_NORMAL, null);
            return new Usage(characters, false);
        } finally {
            close();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (keepAlive != null) {
            keepAlive.cancel(false);
        }
        if (cancelRegistration != null) {
            cancelRegistration.remove();
        }
        if (!finished.isDone()) {
            socket.cancel();
        }
        finished.complete(null);
    }

    @Override
    public void onOpen(WebSocket webSocket, Response response) {
        opened.complete(null);
    }

    @Override
    public void onMessage(WebSocket webSocket, String text) {
        if (failure.get() != null || closed) {
            return;
        }
        JsonNode frame;
        try {
            frame = json.readTree(text);
        } catch (JsonProcessingException e) {
            fail(errors.exception(Kind.MALFORMED_RESPONSE, "stream-input sent a frame that is not JSON", e));
            return;
        }
        ProviderException error = errors.fromErrorFrame(frame);
        if (error != null) {
            fail(error);
            return;
        }
        JsonNode audio = frame.get("audio");
        if (audio != null && audio.isTextual() && !audio.asText().isEmpty()) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(audio.asText());
            } catch (IllegalArgumentException e) {
                fail(errors.exception(Kind.MALFORMED_RESPONSE, "stream-input audio is not base64", e));
                return;
            }
            if (!cancel.isCancelled()) {
                aligner.accept(bytes, 0, bytes.length);
            }
        }
        if (frame.path("isFinal").asBoolean(false)) {
            finished.complete(null);
        }
    }

    @Override
    public void onMessage(WebSocket webSocket, ByteString bytes) {
        fail(errors.exception(Kind.MALFORMED_RESPONSE, "stream-input sent a binary frame of " + bytes.size()
                + " bytes; the protocol has only JSON text frames", null));
    }

    @Override
    public void onClosing(WebSocket webSocket, int code, String reason) {
        webSocket.close(CLOSE_NORMAL, null);
        closedByServer(code, reason);
    }

    @Override
    public void onClosed(WebSocket webSocket, int code, String reason) {
        closedByServer(code, reason);
    }

    @Override
    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
        if (response != null && response.code() != 101) {
            fail(errors.fromHttp(response.code(), readBody(response), response.header("retry-after")));
            return;
        }
        if (cancel.isCancelled()) {
            fail(new CancelledException(cancel.reason()));
            return;
        }
        String detail = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
        Kind kind = t instanceof InterruptedIOException ? Kind.TIMEOUT : Kind.NETWORK;
        String phase = opened.isDone() ? "stream-input connection failed after " + aligner.delivered()
                + " bytes of audio" : "cannot open stream-input at " + config.baseUrl();
        fail(errors.exception(kind, phase + " (" + detail + ")", t));
    }

    private void closedByServer(int code, String reason) {
        if (finished.isDone()) {
            return;
        }
        if (code == CLOSE_NORMAL && endSent) {
            finished.complete(null);
            return;
        }
        Kind kind = code == CLOSE_POLICY_VIOLATION ? Kind.TIMEOUT : Kind.UNAVAILABLE;
        fail(errors.exception(kind, "stream-input closed by the provider before isFinal (close " + code
                + (reason == null || reason.isEmpty() ? "" : ": " + reason) + ")", null));
    }

    private void fail(IOException e) {
        if (!failure.compareAndSet(null, e)) {
            return;
        }
        if (e instanceof ProviderException provider && !provider.retryable()) {
            permanentFailures.accept(provider);
        }
        WebSocket current = socket;
        if (current != null) {
            current.cancel();
        }
        opened.completeExceptionally(e);
        finished.completeExceptionally(e);
    }

    private void throwIfFailed() throws IOException {
        IOException e = failure.get();
        if (e instanceof CancelledException || cancel.isCancelled()) {
            throw new CancelledException(cancel.reason() == null ? e.getMessage() : cancel.reason());
        }
        if (e != null) {
            throw e;
        }
    }

    private void checkWritable() throws IOException {
        throwIfFailed();
        if (closed) {
            throw new IllegalStateException("stream is closed");
        }
        if (endSent) {
            throw new IllegalStateException("stream is finished");
        }
    }

    private void send(String message) throws IOException {
        if (!socket.send(message)) {
            awaitFailure();
            throwIfFailed();
            throw errors.exception(Kind.NETWORK, "stream-input connection is closing; text not sent", null);
        }
        lastSendNanos = System.nanoTime();
    }

    /** A refused send means the socket is closing; give the reader thread a moment to record why. */
    private void awaitFailure() {
        try {
            settled(finished, TimeUnit.MILLISECONDS.toNanos(CLOSE_REASON_WAIT_MILLIS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits up to {@code nanos} for {@code future} to complete, normally or not; how it ended is read from
     * {@link #failure}, which {@link #fail} sets before completing any future exceptionally.
     *
     * @return false if it was still pending when the time ran out
     */
    private static boolean settled(CompletableFuture<Void> future, long nanos) throws InterruptedException {
        try {
            future.get(nanos, TimeUnit.NANOSECONDS);
            return true;
        } catch (ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    private void keepAliveIfQuiet() {
        if (closed || endSent || failure.get() != null) {
            return;
        }
        if (System.nanoTime() - lastSendNanos >= config.keepAliveInterval().toNanos()) {
            if (socket.send("{\"text\":\" \"}")) {
                lastSendNanos = System.nanoTime();
            }
        }
    }

    private String textMessage(String text, boolean flush) {
        String normalized = text.replaceAll("\\s+", " ");
        if (!normalized.endsWith(" ")) {
            normalized = normalized + " ";
        }
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("text", normalized);
        if (flush) {
            message.put("flush", true);
        }
        try {
            return json.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a JSON message of a string", e);
        }
    }

    private static int lastWhitespace(CharSequence text) {
        for (int i = text.length() - 1; i >= 0; i--) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private String readBody(Response response) {
        try {
            return response.peekBody(64 * 1024).string();
        } catch (IOException | IllegalStateException e) {
            return "";
        }
    }

    /**
     * Carries audio from the socket's reader thread to the thread that called {@code synthesize}, which
     * delivers it to the caller's sink. Holds at most one piece of speech's audio.
     */
    static final class Handoff implements AudioSink {
        private static final byte[] END = new byte[0];
        private final BlockingQueue<byte[]> queue = new LinkedBlockingQueue<>();

        @Override
        public void onAudio(byte[] chunk) {
            queue.add(chunk);
        }

        void end() {
            queue.add(END);
        }

        /** Delivers queued audio to {@code target} until the end marker; false if the deadline passed first. */
        boolean deliverUntilEnd(AudioSink target, CancelSignal cancel, long deadlineNanos)
                throws InterruptedException, CancelledException {
            while (true) {
                long left = deadlineNanos - System.nanoTime();
                byte[] chunk = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                if (chunk == null) {
                    return false;
                }
                if (chunk == END) {
                    return true;
                }
                cancel.throwIfCancelled();
                target.onAudio(chunk);
            }
        }
    }
}
