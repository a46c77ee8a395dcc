package dev.hotline.openai;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hotline.audio.Wav;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSink;

/**
 * {@link Transcriber} over {@code POST {base}/audio/transcriptions} (PROTOCOLS.md 4.1): OpenAI's
 * {@code whisper-1}, {@code gpt-4o-mini-transcribe} and {@code gpt-4o-transcribe}, or a compatible server
 * (Groq, a local whisper server) through the configured base URL.
 *
 * <p>Each utterance is sent as a 16-bit PCM WAV file with {@code model}, {@code temperature},
 * {@code response_format} and, when hinted, {@code language} and {@code prompt}. Whisper models are asked for
 * {@code verbose_json}, whose segments' {@code no_speech_prob} fills
 * {@link Transcript#noSpeechProbability()} (the lowest over all segments: the utterance held no speech only
 * if no segment did) and whose {@code duration} is the billed audio time; other models only support
 * {@code json} and report token usage.
 *
 * <p>Empty audio is not sent: it is answered with an empty transcript at no cost.
 *
 * <p>Thread-safe and stateless; share one instance. Failures and cancellation as documented by
 * {@link Transcriber} and {@link OpenAiClient}. Does not retry; wrap calls in
 * {@link dev.hotline.core.RetryPolicy} (the engine does).
 */
public final class OpenAiTranscriber implements Transcriber {

    /** OpenAI's upload limit for one file (speech-to-text guide: 25 MB). */
    static final int MAX_UPLOAD_BYTES = 25 * 1024 * 1024;
    /** The canonical PCM WAV header {@link Wav#header} writes. */
    private static final int WAV_HEADER_BYTES = 44;
    private static final MediaType WAV = MediaType.get("audio/wav");
    private static final String PATH = "audio/transcriptions";
    /** English names of languages as Whisper's verbose_json reports them ("english"), to ISO-639-1 codes. */
    private static final Map<String, String> LANGUAGE_CODES = Stream.of(Locale.getISOLanguages())
            .filter(code -> code.length() == 2)
            .collect(Collectors.toUnmodifiableMap(
                    code -> Locale.of(code).getDisplayLanguage(Locale.ENGLISH).toLowerCase(Locale.ROOT),
                    Function.identity(), (first, second) -> first));

    private final OpenAiClient client;
    private final String model;

    /** Uses {@link OpenAiConfig#transcribeModel()} of the client's configuration. */
    public OpenAiTranscriber(OpenAiClient client) {
        this.client = Objects.requireNonNull(client, "client");
        this.model = client.config().transcribeModel();
    }

    @Override
    public String name() {
        return "openai " + model;
    }

    @Override
    public Transcript transcribe(Utterance utterance, Hints hints, CancelSignal cancel) throws IOException {
        Objects.requireNonNull(utterance, "utterance");
        Objects.requireNonNull(cancel, "cancel");
        Hints given = hints == null ? Hints.NONE : hints;
        cancel.throwIfCancelled();
        if (utterance.pcm().length == 0) {
            return Transcript.of("", Transcript.Usage.NONE);
        }
        if (utterance.pcm().length + WAV_HEADER_BYTES > MAX_UPLOAD_BYTES) {
            throw new IllegalArgumentException("utterance of " + utterance.duration().toSeconds()
                    + " s is larger than the 25 MB a transcription upload may be");
        }
        boolean verbose = isWhisper();
        MultipartBody.Builder form = new MultipartBody.Builder()
                .setType(MultipartBody.FORM)
                .addFormDataPart("file", "utterance.wav", wavFile(utterance))
                .addFormDataPart("model", model)
                .addFormDataPart("response_format", verbose ? "verbose_json" : "json")
                .addFormDataPart("temperature", Double.toString(client.config().transcribeTemperature()));
        String language = languageCode(given.language());
        if (language != null) {
            form.addFormDataPart("language", language);
        }
        if (given.prompt() != null && !given.prompt().isBlank()) {
            form.addFormDataPart("prompt", given.prompt().strip());
        }
        Request request = client.newRequest(PATH)
                .header("Accept", "application/json")
                .post(form.build())
                .build();
        return client.execute("transcription", OpenAiConfig.ENV_TRANSCRIBE_MODEL + " and "
                + OpenAiConfig.ENV_BASE_URL, request, cancel, this::read);
    }

    /**
     * The utterance as a WAV file, written to the connection from the utterance's own array: a long turn's
     * audio is not copied twice more (into a clip, then a file) to be held while the transcription runs.
     */
    static RequestBody wavFile(Utterance utterance) {
        byte[] pcm = utterance.pcm();
        byte[] header = Wav.header(utterance.format(), pcm.length);
        return new RequestBody() {
            @Override
            public MediaType contentType() {
                return WAV;
            }

            @Override
            public long contentLength() {
                return header.length + pcm.length; // 16-bit samples: never an odd length to pad
            }

            @Override
            public void writeTo(BufferedSink sink) throws IOException {
                sink.write(header);
                sink.write(pcm);
            }
        };
    }

    /** Whisper models (OpenAI's whisper-1, Groq's whisper-large-v3...) support verbose_json. */
    private boolean isWhisper() {
        return model.toLowerCase(Locale.ROOT).contains("whisper");
    }

    private Transcript read(Response response) throws IOException {
        ResponseBody body = response.body();
        String text = body.string();
        JsonNode root;
        try {
            root = client.json().readTree(text);
        } catch (IOException e) {
            throw client.errors().malformed("transcription response is not JSON (" + text.length()
                    + " characters, content type " + body.contentType() + ")", e);
        }
        if (root == null || !root.path("text").isTextual()) {
            throw client.errors().malformed("transcription response has no \"text\" (" + text.length()
                    + " characters)", null);
        }
        String words = root.get("text").asText().strip();
        String language = isoLanguage(root.path("language").asText(null));
        double noSpeech = Double.NaN;
        for (JsonNode segment : root.path("segments")) {
            JsonNode probability = segment.get("no_speech_prob");
            if (probability != null && probability.isNumber()) {
                noSpeech = Double.isNaN(noSpeech)
                        ? probability.asDouble()
                        : Math.min(noSpeech, probability.asDouble());
            }
        }
        return new Transcript(words, language, Double.NaN, noSpeech, usage(root));
    }

    private static Transcript.Usage usage(JsonNode root) {
        JsonNode usage = root.path("usage");
        if ("tokens".equals(usage.path("type").asText()) || usage.has("input_tokens")) {
            return new Transcript.Usage(0, usage.path("input_tokens").asLong(0),
                    usage.path("output_tokens").asLong(0));
        }
        if ("duration".equals(usage.path("type").asText()) && usage.path("seconds").isNumber()) {
            return new Transcript.Usage(usage.get("seconds").asDouble(), 0, 0);
        }
        if (root.path("duration").isNumber()) {
            return new Transcript.Usage(root.get("duration").asDouble(), 0, 0);
        }
        return Transcript.Usage.NONE;
    }

    /** The ISO-639-1 part of a hint: {@code "en-US"} and {@code "en_GB"} become {@code "en"}; blank is null. */
    static String languageCode(String hint) {
        if (hint == null || hint.isBlank()) {
            return null;
        }
        String code = hint.strip().split("[-_]", 2)[0];
        return code.toLowerCase(Locale.ROOT);
    }

    /** {@code "en"} stays {@code "en"}; Whisper's {@code "english"} becomes {@code "en"}; unknown is null. */
    static String isoLanguage(String reported) {
        if (reported == null || reported.isBlank()) {
            return null;
        }
        String lower = reported.strip().toLowerCase(Locale.ROOT);
        if (lower.length() == 2) {
            return lower;
        }
        return LANGUAGE_CODES.get(lower);
    }
}
