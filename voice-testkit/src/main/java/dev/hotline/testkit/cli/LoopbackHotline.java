package dev.hotline.testkit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.audio.AudioClip;
import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;
import dev.hotline.audio.Wav;
import io.javalin.Javalin;
import io.javalin.websocket.WsContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * A stand-in hotline with no engine, to measure the test kit itself: a Media Streams WebSocket on 127.0.0.1
 * that, after each utterance (speech, then {@link #END_OF_TURN} of silence), transcribes it with the fake
 * OpenAI, reads the whole streamed reply, fetches its speech from the fake ElevenLabs and sends the audio
 * back in one media message followed by a mark. Without providers it answers every utterance with half a
 * second of tone.
 *
 * <p>It is sequential and does not stream, so its latency is the providers' full time, not a real engine's;
 * {@code hotline bench --target loopback} uses it to show what the callers and fakes cost and sustain, so it
 * is kept cheap itself: a frame's event and payload are found by scanning the text rather than by building a
 * JSON tree. Its WebSocket runs on virtual threads (on Jetty's platform threads the answers' tail latency was
 * worse at 200 calls, for no less CPU). Thread-safe; each answer runs on its own virtual thread. Per-call
 * state is removed when the socket closes.
 */
public final class LoopbackHotline implements HotlineLauncher.RunningHotline {

    public static final Duration END_OF_TURN = Duration.ofMillis(300);
    private static final String MEDIA_PREFIX = "{\"event\":\"media\",";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Javalin app;
    private final OkHttpClient http = new OkHttpClient();
    private final String openAi;
    private final String elevenLabs;
    private final Map<String, Utterance> calls = new ConcurrentHashMap<>();

    private static final class Utterance {
        final ByteArrayOutputStream audio = new ByteArrayOutputStream();
        int silentFrames = -1;
    }

    /**
     * Starts the stand-in; with null base URLs it answers with a tone instead of calling providers.
     */
    public LoopbackHotline(String openAiBaseUrl, String elevenLabsBaseUrl) {
        this.openAi = openAiBaseUrl;
        this.elevenLabs = elevenLabsBaseUrl;
        app = Javalin.create(config -> {
            config.jetty.host = "127.0.0.1";
            config.startup.showJavalinBanner = false;
            config.concurrency.useVirtualThreads = true;
            config.routes.ws("/voice-stream", ws -> {
                ws.onMessage(ctx -> onMessage(ctx, ctx.message()));
                ws.onClose(ctx -> calls.remove(ctx.sessionId()));
            });
        }).start(0);
    }

    @Override
    public URI mediaStreamUrl() {
        return URI.create("ws://127.0.0.1:" + app.port() + "/voice-stream");
    }

    @Override
    public Duration endOfTurnSilence() {
        return END_OF_TURN;
    }

    /**
     * Handles one caller message. The caller writes media messages with {@code "event":"media"} first and one
     * {@code "payload"} field (Twilio's field order); anything else is read as JSON.
     */
    private void onMessage(WsContext ctx, String text) throws IOException {
        String payload;
        String streamSid;
        if (text.startsWith(MEDIA_PREFIX)) {
            payload = field(text, "\"payload\":\"");
            streamSid = field(text, "\"streamSid\":\"");
        } else {
            JsonNode message = JSON.readTree(text);
            if (!message.path("event").asText().equals("media")) {
                return;
            }
            payload = message.path("media").path("payload").asText();
            streamSid = message.path("streamSid").asText();
        }
        Utterance utterance = calls.computeIfAbsent(ctx.sessionId(), id -> new Utterance());
        byte[] frame = Base64.getDecoder().decode(payload);
        boolean speech = false;
        for (byte b : frame) {
            speech |= (b & 0x7F) < 0x70;
        }
        if (speech) {
            utterance.audio.writeBytes(frame);
            utterance.silentFrames = 0;
        } else if (utterance.silentFrames >= 0 && ++utterance.silentFrames == END_OF_TURN.toMillis() / 20) {
            byte[] said = utterance.audio.toByteArray();
            utterance.audio.reset();
            utterance.silentFrames = -1;
            Thread.ofVirtual().start(() -> answer(ctx, streamSid, said));
        }
    }

    /** The string value that follows {@code key} in {@code text}; the caller's values hold no escapes. */
    private static String field(String text, String key) throws IOException {
        int from = text.indexOf(key);
        int to = from < 0 ? -1 : text.indexOf('"', from + key.length());
        if (to < 0) {
            throw new IOException("media message without " + key + ": " + text.substring(0, Math.min(80, text.length())));
        }
        return text.substring(from + key.length(), to);
    }

    private void answer(WsContext ctx, String streamSid, byte[] said) {
        byte[] reply;
        try {
            reply = openAi == null ? tone() : speak(reply(transcribe(said)));
        } catch (IOException e) {
            ctx.closeSession(1011, "provider failed");
            return;
        }
        ctx.send("{\"event\":\"media\",\"streamSid\":\"" + streamSid + "\",\"media\":{\"payload\":\""
                + Base64.getEncoder().encodeToString(reply) + "\"}}");
        ctx.send("{\"event\":\"mark\",\"streamSid\":\"" + streamSid + "\",\"mark\":{\"name\":\"reply\"}}");
    }

    private String transcribe(byte[] ulaw) throws IOException {
        byte[] wav = Wav.toBytes(new AudioClip(AudioFormat.PCM16_8K, G711.ulawToPcm16le(ulaw)));
        RequestBody form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", "turn.wav", RequestBody.create(wav, MediaType.get("audio/wav")))
                .addFormDataPart("model", "gpt-4o-mini-transcribe").build();
        try (Response response = http.newCall(new Request.Builder().url(openAi + "/audio/transcriptions")
                .post(form).build()).execute()) {
            return JSON.readTree(response.body().string()).path("text").asText();
        }
    }

    private String reply(String text) throws IOException {
        String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + JSON.valueToTree(text) + "}]}";
        StringBuilder reply = new StringBuilder();
        try (Response response = http.newCall(new Request.Builder().url(openAi + "/chat/completions")
                .post(RequestBody.create(body, MediaType.get("application/json"))).build()).execute()) {
            for (String event : response.body().string().split("\n\n")) {
                String data = event.substring("data: ".length());
                if (!data.startsWith("[DONE]")) {
                    reply.append(JSON.readTree(data).path("choices").path(0).path("delta").path("content").asText(""));
                }
            }
        }
        return reply.toString();
    }

    private byte[] speak(String text) throws IOException {
        String body = "{\"text\":" + JSON.valueToTree(text) + ",\"model_id\":\"eleven_flash_v2_5\"}";
        try (Response response = http.newCall(new Request.Builder()
                .url(elevenLabs + "/v1/text-to-speech/voice/stream?output_format=ulaw_8000")
                .post(RequestBody.create(body, MediaType.get("application/json"))).build()).execute()) {
            return response.body().bytes();
        }
    }

    private static byte[] tone() {
        short[] pcm = new short[4_000];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (6_000 * Math.sin(2 * Math.PI * 440 * i / 8_000.0));
        }
        return G711.linearToUlaw(pcm);
    }

    @Override
    public void close() {
        app.stop();
        http.dispatcher().executorService().shutdown();
    }
}
