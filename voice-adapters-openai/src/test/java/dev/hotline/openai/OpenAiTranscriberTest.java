package dev.hotline.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.hotline.audio.AudioClip;
import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.Wav;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.ProviderException.Kind;
import dev.hotline.core.Transcriber.Hints;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.MediaType;
import okhttp3.MultipartReader;
import okio.Buffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiTranscriberTest extends LoopbackServerTest {

    /** A multipart part as received: its headers' content type and file name, and its bytes. */
    private record Part(String fileName, String contentType, byte[] body) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private static final String VERBOSE_BODY = """
            {"task":"transcribe","language":"english","duration":3.42,
             "text":" Goodbye. Thank you for trying out the Asterisk Open Source PBX. ",
             "segments":[
              {"id":0,"seek":0,"start":0.0,"end":1.2,"text":" Goodbye.","tokens":[50364,41800],
               "temperature":0.0,"avg_logprob":-0.21,"compression_ratio":0.9,"no_speech_prob":0.31},
              {"id":1,"seek":0,"start":1.2,"end":3.4,"text":" Thank you for trying out the Asterisk Open Source PBX.",
               "tokens":[50424,1044],"temperature":0.0,"avg_logprob":-0.18,"compression_ratio":1.1,
               "no_speech_prob":0.02}],
             "usage":{"type":"duration","seconds":4}}
            """;

    private static Utterance speech(String file) throws IOException {
        AudioClip clip = Wav.read(SharedFixtures.path("speech/" + file));
        return new Utterance(clip.format(), clip.data());
    }

    private static Utterance tone() {
        return new Utterance(AudioFormat.PCM16_16K, new byte[16_000]);
    }

    private OpenAiTranscriber transcriber(OpenAiConfig config) {
        return new OpenAiTranscriber(client(config));
    }

    private static Map<String, Part> parts(RecordedRequest request) throws IOException {
        MediaType type = MediaType.get(request.getHeaders().get("Content-Type"));
        assertThat(type.type()).isEqualTo("multipart");
        assertThat(type.subtype()).isEqualTo("form-data");
        Map<String, Part> parts = new LinkedHashMap<>();
        try (MultipartReader reader = new MultipartReader(new Buffer().write(request.getBody()),
                type.parameter("boundary"))) {
            MultipartReader.Part part;
            while ((part = reader.nextPart()) != null) {
                String disposition = part.headers().get("Content-Disposition");
                String name = parameter(disposition, "name");
                String fileName = parameter(disposition, "filename");
                parts.put(name, new Part(fileName, part.headers().get("Content-Type"), part.body().readByteArray()));
            }
        }
        return parts;
    }

    /** A parameter of a Content-Disposition header, or null. */
    private static String parameter(String disposition, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?:^|;\\s*)" + name + "=\"([^\"]*)\"")
                .matcher(disposition);
        return m.find() ? m.group(1) : null;
    }

    @Test
    void givenRealPhoneSpeech_whenTranscribedByWhisper_thenTheWavOnTheWireHoldsExactlyThatAudio() throws Exception {
        Utterance utterance = speech("phone/demo-thanks.wav");
        server.enqueue(json(200, VERBOSE_BODY));

        Transcript transcript = transcriber(config(FAKE_KEY)).transcribe(utterance,
                new Hints("en", "Asterisk, PBX"), new CancelSignal());

        RecordedRequest request = takeRequest();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/audio/transcriptions");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + FAKE_KEY);
        Map<String, Part> parts = parts(request);
        assertThat(parts.keySet()).containsExactly("file", "model", "response_format", "temperature", "language",
                "prompt");
        Part file = parts.get("file");
        assertThat(file.fileName()).isEqualTo("utterance.wav");
        assertThat(file.contentType()).isEqualTo("audio/wav");
        assertThat(file.body()).hasSize(44 + utterance.pcm().length);
        AudioClip sent = Wav.read(file.body());
        assertThat(sent.format()).isEqualTo(AudioFormat.PCM16_8K);
        assertThat(sent.data()).isEqualTo(utterance.pcm());
        assertThat(parts.get("model").text()).isEqualTo("whisper-1");
        assertThat(parts.get("response_format").text()).isEqualTo("verbose_json");
        assertThat(parts.get("temperature").text()).isEqualTo("0.0");
        assertThat(parts.get("language").text()).isEqualTo("en");
        assertThat(parts.get("prompt").text()).isEqualTo("Asterisk, PBX");

        assertThat(transcript.text()).isEqualTo("Goodbye. Thank you for trying out the Asterisk Open Source PBX.");
        assertThat(transcript.language()).isEqualTo("en");
        assertThat(transcript.noSpeechProbability()).isEqualTo(0.02);
        assertThat(transcript.confidence()).isNaN();
        assertThat(transcript.usage()).isEqualTo(new Transcript.Usage(4, 0, 0));
    }

    @Test
    void givenVerboseJsonWithoutUsage_whenTranscribed_thenTheDurationIsTheBilledTime() throws Exception {
        server.enqueue(json(200, "{\"language\":\"german\",\"duration\":1.5,\"text\":\"Hallo\",\"segments\":[]}"));

        Transcript transcript = transcriber(config(null)).transcribe(tone(), Hints.NONE, new CancelSignal());

        assertThat(transcript.text()).isEqualTo("Hallo");
        assertThat(transcript.language()).isEqualTo("de");
        assertThat(transcript.noSpeechProbability()).isNaN();
        assertThat(transcript.usage()).isEqualTo(new Transcript.Usage(1.5, 0, 0));
    }

    @Test
    void givenRecordedWhisperJsonResponse_whenTranscribed_thenTheTextIsRead() throws Exception {
        server.enqueue(json(200, SharedFixtures.openAi("transcription_response_whisper-1.json")));

        Transcript transcript = transcriber(config(null)).transcribe(tone(), Hints.NONE, new CancelSignal());

        assertThat(transcript.text()).startsWith("Imagine the wildest idea").endsWith("get to do that.");
        assertThat(transcript.usage()).isEqualTo(Transcript.Usage.NONE);
        assertThat(transcript.language()).isNull();
    }

    @Test
    void givenGpt4oTranscribe_whenTranscribed_thenJsonIsAskedForAndTokenUsageIsReported() throws Exception {
        server.enqueue(json(200, SharedFixtures.openAi("transcription_response_gpt-4o-transcribe.json")));
        OpenAiConfig config = config(FAKE_KEY).withModels("gpt-4o-mini", "gpt-4o-transcribe");

        Transcript transcript = transcriber(config).transcribe(tone(), Hints.NONE, new CancelSignal());

        Map<String, Part> parts = parts(takeRequest());
        assertThat(parts.get("model").text()).isEqualTo("gpt-4o-transcribe");
        assertThat(parts.get("response_format").text()).isEqualTo("json");
        assertThat(parts).doesNotContainKeys("language", "prompt");
        assertThat(transcript.text()).startsWith("Imagine the wildest idea");
        assertThat(transcript.usage()).isEqualTo(new Transcript.Usage(0, 14, 45));
    }

    @Test
    void givenNoKey_whenTranscribing_thenNoAuthorizationHeaderIsSent() throws Exception {
        server.enqueue(json(200, "{\"text\":\"hi\"}"));

        transcriber(config(null)).transcribe(tone(), new Hints(" ", null), new CancelSignal());

        RecordedRequest request = takeRequest();
        assertThat(request.getHeaders().get("Authorization")).isNull();
        assertThat(parts(request)).doesNotContainKeys("language", "prompt");
    }

    @Test
    void givenEmptyAudio_whenTranscribing_thenNothingIsSentAndTheTranscriptIsEmpty() throws Exception {
        Transcript transcript = transcriber(config(null)).transcribe(
                new Utterance(AudioFormat.PCM16_16K, new byte[0]), Hints.NONE, new CancelSignal());

        assertThat(transcript.text()).isEmpty();
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenAudioLargerThanTheUploadLimit_whenTranscribing_thenItIsRefusedBeforeSending() {
        Utterance huge = new Utterance(AudioFormat.PCM16_16K, new byte[OpenAiTranscriber.MAX_UPLOAD_BYTES]);

        assertThatThrownBy(() -> transcriber(config(null)).transcribe(huge, Hints.NONE, new CancelSignal()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("25 MB");
        assertThat(server.getRequestCount()).isZero();
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"text\": 5}                | no \"text\"",
        "[1,2]                        | no \"text\"",
        "Internal error, see logs     | not JSON",
        "''                           | no \"text\"",
    })
    void givenBodyThatIsNotATranscription_whenTranscribing_thenItIsMalformed(String body, String expected) {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse.Builder().code(200).body(body).build());
        }

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> transcriber(config(null)).transcribe(tone(), Hints.NONE, new CancelSignal()));

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
        assertThat(e.getMessage()).contains(expected);
    }

    @ParameterizedTest(name = "HTTP {0} {1} -> {2}")
    @CsvSource({
        "401, error_401_invalid_api_key.json,     AUTHENTICATION, 1",
        "429, error_429_insufficient_quota.json,  QUOTA_EXCEEDED, 1",
        "429, error_429_rate_limit_exceeded.json, RATE_LIMITED,   3",
        "500, error_500_server_error.json,        UNAVAILABLE,    3",
        "503, error_503_model_overloaded.json,    UNAVAILABLE,    3",
    })
    void givenRecordedErrorBody_whenTranscribingUnderTheRetryPolicy_thenItIsMappedAndRetriedOnlyIfRetryable(
            int status, String fixture, Kind kind, int requests) {
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(status, SharedFixtures.openAi(fixture)));
        }
        OpenAiTranscriber transcriber = transcriber(config(FAKE_KEY));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> retrying(() -> transcriber.transcribe(tone(), Hints.NONE, new CancelSignal()), () -> true));

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(server.getRequestCount()).isEqualTo(requests);
    }

    @Test
    void givenUnknownModel_whenTranscribing_thenTheMessageNamesTheModelSetting() {
        server.enqueue(json(400, "{\"error\":{\"message\":\"Invalid model whisper-9.\",\"type\":"
                + "\"invalid_request_error\",\"param\":\"model\",\"code\":null}}"));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> transcriber(config(null)).transcribe(tone(), Hints.NONE, new CancelSignal()));

        assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("Invalid model whisper-9.").contains("OPENAI_TRANSCRIBE_MODEL");
    }

    @Test
    void givenServerThatNeverAnswers_whenCancelled_thenTheUploadIsAbortedAtOnce() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("{\"text\":\"late\"}")
                .headersDelay(20, TimeUnit.SECONDS).build());
        OpenAiConfig patient = config(null).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofSeconds(60));
        OpenAiTranscriber transcriber = transcriber(patient);
        CancelSignal cancel = new CancelSignal();

        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                transcriber.transcribe(tone(), Hints.NONE, cancel);
                return null;
            } catch (Throwable t) {
                return t;
            }
        });
        takeRequest();
        cancel.cancel("barge-in");

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(CancelledException.class).hasMessage("barge-in");
    }

    @Test
    void givenSlowServer_whenTheReadTimeoutPassesUnderTheRetryPolicy_thenItIsATimeoutAndRetried() throws Exception {
        server.enqueue(new MockResponse.Builder().code(200).body("{\"text\":\"late\"}")
                .headersDelay(2, TimeUnit.SECONDS).build());
        server.enqueue(json(200, "{\"text\":\"in time\"}"));
        OpenAiConfig impatient = config(null).withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(200),
                Duration.ofSeconds(10));
        OpenAiTranscriber transcriber = transcriber(impatient);

        Transcript transcript = retrying(() -> transcriber.transcribe(tone(), Hints.NONE, new CancelSignal()),
                () -> true);

        assertThat(transcript.text()).isEqualTo("in time");
        assertThat(retried).extracting(ProviderException::kind).containsExactly(Kind.TIMEOUT);
    }

    @Test
    void givenRegionalLanguageHint_whenTranscribing_thenOnlyTheIso6391CodeIsSent() throws Exception {
        server.enqueue(json(200, "{\"text\":\"hi\"}"));

        transcriber(config(null)).transcribe(tone(), new Hints("en-US", null), new CancelSignal());

        assertThat(parts(takeRequest()).get("language").text()).isEqualTo("en");
        assertThat(List.of("pt_BR", " DE ", "fr")).map(OpenAiTranscriber::languageCode)
                .containsExactly("pt", "de", "fr");
    }

    @Test
    void givenWhisperLanguageNames_whenMapped_thenIsoCodesComeOut() {
        assertThat(List.of("english", "German", "fr", "klingon", "")).map(OpenAiTranscriber::isoLanguage)
                .containsExactly("en", "de", "fr", null, null);
    }

    @Test
    void givenTranscriber_whenNamed_thenTheModelIsShown() throws IOException {
        assertThat(transcriber(config(null)).name()).isEqualTo("openai whisper-1");
        assertThat(Files.isDirectory(SharedFixtures.path("speech"))).isTrue();
    }
}
