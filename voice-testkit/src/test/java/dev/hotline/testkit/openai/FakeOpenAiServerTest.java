package dev.hotline.testkit.openai;

import static dev.hotline.testkit.Fixtures.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.audio.AudioClip;
import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.Wav;
import dev.hotline.testkit.Fault;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.MultipartBody;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FakeOpenAiServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MediaType JSON_TYPE = MediaType.get("application/json");

    private final FakeOpenAiServer fake = FakeOpenAiServer.start(Duration.ofMinutes(2));
    private final OkHttpClient client = new OkHttpClient.Builder().readTimeout(2, TimeUnit.SECONDS).build();

    @AfterEach
    void stop() {
        fake.close();
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }

    @Test
    void givenAScriptedReply_whenStreamingWithUsage_thenChunksHaveTheRecordedShapeAndSpellTheReply() throws IOException {
        fake.replies("Hello there. How can I help you today?");

        List<JsonNode> chunks = dataEvents(streamChat(true));

        JsonNode fixtureFirst = firstChunk("openai/chat_stream_2025_usage_obfuscation.sse");
        assertThat(fieldNames(chunks.get(0))).isEqualTo(fieldNames(fixtureFirst));
        assertThat(fieldNames(chunks.get(0).path("choices").get(0)))
                .isEqualTo(fieldNames(fixtureFirst.path("choices").get(0)));
        assertThat(chunks.get(0).path("choices").get(0).path("delta"))
                .isEqualTo(fixtureFirst.path("choices").get(0).path("delta"));
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : chunks) {
            assertThat(chunk.path("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(chunk.path("id").asText()).isEqualTo(chunks.get(0).path("id").asText());
            text.append(chunk.path("choices").path(0).path("delta").path("content").asText(""));
        }
        assertThat(text.toString()).isEqualTo("Hello there. How can I help you today?");
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertThat(finish.path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
        assertThat(finish.path("choices").get(0).path("delta").size()).isZero();
        assertThat(finish.path("usage").isNull()).isTrue();
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertThat(usage.path("choices").isArray()).isTrue();
        assertThat(usage.path("choices").size()).isZero();
        JsonNode fixtureUsage = lastChunk("openai/chat_stream_2025_usage_obfuscation.sse");
        assertThat(fieldNames(usage.path("usage"))).isEqualTo(fieldNames(fixtureUsage.path("usage")));
        assertThat(usage.path("usage").path("completion_tokens").asInt()).isEqualTo(chunks.size() - 3);
    }

    @Test
    void givenNoUsageRequested_whenStreaming_thenTheBodyEndsLikeTheCaptureWithoutUsageChunk() throws IOException {
        String body = streamChat(false);

        assertThat(body).endsWith("\n\ndata: [DONE]\n\n");
        List<JsonNode> chunks = dataEvents(body);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.has("usage")).isFalse());
        JsonNode fixtureChunk = firstChunk("openai/chat_stream_text_with_usage.sse");
        Set<String> fixtureKeys = fieldNames(fixtureChunk);
        assertThat(fieldNames(chunks.get(1))).containsAll(fixtureKeys);
        assertThat(chunks.get(chunks.size() - 1).path("choices").get(0).path("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void givenARateLimitFault_whenChatting_thenThe429CarriesRetryHeadersAndTheRecordedBody() throws IOException {
        fake.failNextChat(FakeOpenAiServer.rateLimited(Duration.ofMillis(1500)));

        try (Response response = client.newCall(chatRequest(true)).execute()) {
            assertThat(response.code()).isEqualTo(429);
            assertThat(response.header("retry-after")).isEqualTo("2");
            assertThat(response.header("retry-after-ms")).isEqualTo("1500");
            assertThat(JSON.readTree(response.body().string()))
                    .isEqualTo(JSON.readTree(fixture("openai/error_429_rate_limit_exceeded.json").toFile()));
        }
        try (Response next = client.newCall(chatRequest(true)).execute()) {
            assertThat(next.code()).isEqualTo(200);
        }
    }

    @Test
    void givenEachRecordedErrorFault_whenChatting_thenBodiesEqualTheFixtures() throws IOException {
        assertErrorBody(FakeOpenAiServer.insufficientQuota(), 429, "openai/error_429_insufficient_quota.json");
        assertErrorBody(FakeOpenAiServer.serverError(), 500, "openai/error_500_server_error.json");
        assertErrorBody(FakeOpenAiServer.overloaded(), 503, "openai/error_503_model_overloaded.json");
        assertErrorBody(FakeOpenAiServer.invalidApiKey(), 401, "openai/error_401_invalid_api_key.json");
    }

    @Test
    void givenAResetAfterThreeEvents_whenStreaming_thenTheClientFailsMidBody() {
        fake.failNextChat(new Fault.Reset(3));

        assertThatThrownBy(() -> {
            try (Response response = client.newCall(chatRequest(true)).execute()) {
                response.body().string();
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    void givenAStall_whenStreaming_thenTheClientTimesOutAfterTheFirstEvents() {
        fake.failNextChat(new Fault.Stall(2, Duration.ofSeconds(5)));
        OkHttpClient impatient = client.newBuilder().readTimeout(300, TimeUnit.MILLISECONDS).build();

        assertThatThrownBy(() -> {
            try (Response response = impatient.newCall(chatRequest(true)).execute()) {
                response.body().string();
            }
        }).isInstanceOf(IOException.class);
    }

    @Test
    void givenAMalformedFault_whenStreaming_thenOneEventDoesNotParseAndTheStreamStillEnds() throws IOException {
        fake.failNextChat(new Fault.Malformed(2));

        String body = streamChat(true);

        assertThat(body).endsWith("data: [DONE]\n\n");
        assertThatThrownBy(() -> dataEvents(body)).isInstanceOf(IOException.class);
    }

    @Test
    void givenATruncation_whenStreaming_thenTheBodyEndsWithoutDone() throws IOException {
        fake.failNextChat(new Fault.Truncate(4));

        String body = streamChat(true);

        assertThat(body).doesNotContain("[DONE]");
        assertThat(dataEvents(body)).hasSize(4);
    }

    @Test
    void givenARequiredKey_whenTheWrongKeyIsSent_thenTheRecorded401Comes() throws IOException {
        fake.requireApiKey("sk-right");

        try (Response response = client.newCall(chatRequest(true)).execute()) {
            assertThat(response.code()).isEqualTo(401);
            assertThat(JSON.readTree(response.body().string()).path("error").path("code").asText())
                    .isEqualTo("invalid_api_key");
        }
    }

    @Test
    void givenScriptedTranscripts_whenUploadingWav_thenJsonHasTheFixtureShapeForEachModel() throws IOException {
        fake.transcripts("first words", "second words");
        byte[] wav = Files.readAllBytes(fixture("speech/phone/demo-thanks.wav"));

        JsonNode gpt4o = JSON.readTree(transcribe(wav, "gpt-4o-transcribe", "json"));
        JsonNode whisper = JSON.readTree(transcribe(wav, "whisper-1", "json"));

        JsonNode fixtureGpt4o = JSON.readTree(fixture("openai/transcription_response_gpt-4o-transcribe.json").toFile());
        assertThat(gpt4o.path("text").asText()).isEqualTo("first words");
        assertThat(fieldNames(gpt4o)).isEqualTo(fieldNames(fixtureGpt4o));
        assertThat(fieldNames(gpt4o.path("usage"))).isEqualTo(fieldNames(fixtureGpt4o.path("usage")));
        assertThat(fieldNames(gpt4o.path("usage").path("input_token_details")))
                .isEqualTo(fieldNames(fixtureGpt4o.path("usage").path("input_token_details")));
        JsonNode fixtureWhisper = JSON.readTree(fixture("openai/transcription_response_whisper-1.json").toFile());
        assertThat(fieldNames(whisper)).isEqualTo(fieldNames(fixtureWhisper));
        assertThat(whisper.path("text").asText()).isEqualTo("second words");
        assertThat(fake.transcriptionRequests()).hasSize(2);
        assertThat(fake.transcriptionRequests().get(0).fields()).containsEntry("model", "gpt-4o-transcribe");
        assertThat(fake.transcriptionRequests().get(0).body()).isEqualTo(wav);
    }

    @Test
    void givenATranscriberOfAudioLength_whenVerboseJsonIsAsked_thenDurationIsTheUploadsLength() throws IOException {
        fake.transcriber(request -> "lasted " + Math.round(request.audioSeconds()) + " seconds");
        byte[] wav = Wav.toBytes(new AudioClip(AudioFormat.PCM16_8K, new byte[32_000]));

        JsonNode verbose = JSON.readTree(transcribe(wav, "whisper-1", "verbose_json"));

        assertThat(verbose.path("text").asText()).isEqualTo("lasted 2 seconds");
        assertThat(verbose.path("duration").asDouble()).isEqualTo(2.0);
        assertThat(verbose.path("segments").get(0).path("end").asDouble()).isEqualTo(2.0);
        assertThat(verbose.path("language").asText()).isEqualTo("english");
    }

    @Test
    void givenNoFile_whenTranscribing_thenA400InOpenAisErrorShapeComes() throws IOException {
        RequestBody form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("model", "whisper-1").build();
        Request request = new Request.Builder().url(fake.baseUrl() + "/audio/transcriptions").post(form).build();

        try (Response response = client.newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(400);
            JsonNode error = JSON.readTree(response.body().string()).path("error");
            assertThat(error.path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(error.path("param").asText()).isEqualTo("file");
        }
    }

    @Test
    void givenALatencyAndAReply_whenAskingTheFirstSentenceDelay_thenItIsWhenTheWordAfterTheFullStopIsSent() {
        fake.chatLatency(Duration.ofMillis(200), 50);

        Duration delay = fake.firstSentenceDelay("Hi there. More words follow here.");

        // "Hi" leaves at 200 ms, " there", "." and " More" one 20 ms interval after another.
        assertThat(delay).isEqualTo(Duration.ofMillis(200 + 3 * 20));
    }

    @Test
    void givenADelayedTranscription_whenAnswered_thenTheFakeNotesHowLateItWokeForIt() throws IOException {
        fake.transcriptionDelay(Duration.ofMillis(30));
        byte[] wav = Wav.toBytes(new AudioClip(AudioFormat.PCM16_8K, new byte[3_200]));

        transcribe(wav, "whisper-1", "json");

        assertThat(fake.lateness()).containsOnlyKeys("stt response");
        assertThat(fake.lateness().get("stt response")).hasSize(1);
    }

    @Test
    void givenALimitOfOne_whenThreeRequestsCome_thenTheFirstIsKeptTheOthersCountedAndAllAnswered() throws IOException {
        fake.transcripts("one", "two", "three").rememberAtMost(1);
        byte[] wav = Wav.toBytes(new AudioClip(AudioFormat.PCM16_8K, new byte[3_200]));

        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            answers.add(JSON.readTree(transcribe(wav, "whisper-1", "json")).path("text").asText());
        }

        assertThat(answers).containsExactly("one", "two", "three");
        assertThat(fake.transcriptionRequests()).hasSize(1);
        assertThat(fake.transcriptionRequests().get(0).body()).isEqualTo(wav);
        assertThat(fake.droppedRequests()).isEqualTo(2);
    }

    @Test
    void givenANegativeLimit_whenSet_thenItIsRefused() {
        assertThatThrownBy(() -> fake.rememberAtMost(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    // ------------------------------------------------------------------------------------------ helpers

    private void assertErrorBody(Fault fault, int status, String fixture) throws IOException {
        fake.failNextChat(fault);
        try (Response response = client.newCall(chatRequest(true)).execute()) {
            assertThat(response.code()).isEqualTo(status);
            assertThat(JSON.readTree(response.body().string())).isEqualTo(JSON.readTree(fixture(fixture).toFile()));
        }
    }

    private String transcribe(byte[] wav, String model, String format) throws IOException {
        RequestBody form = new MultipartBody.Builder().setType(MultipartBody.FORM)
                .addFormDataPart("file", "utterance.wav", RequestBody.create(wav, MediaType.get("audio/wav")))
                .addFormDataPart("model", model)
                .addFormDataPart("response_format", format)
                .build();
        Request request = new Request.Builder().url(fake.baseUrl() + "/audio/transcriptions")
                .header("Authorization", "Bearer sk-test").post(form).build();
        try (Response response = client.newCall(request).execute()) {
            assertThat(response.code()).isEqualTo(200);
            return response.body().string();
        }
    }

    private Request chatRequest(boolean includeUsage) {
        String body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":" + includeUsage
                + "},\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        return new Request.Builder().url(fake.baseUrl() + "/chat/completions")
                .header("Authorization", "Bearer sk-wrong").post(RequestBody.create(body, JSON_TYPE)).build();
    }

    private String streamChat(boolean includeUsage) throws IOException {
        try (Response response = client.newCall(chatRequest(includeUsage)).execute()) {
            assertThat(response.code()).isEqualTo(200);
            assertThat(response.header("content-type")).startsWith("text/event-stream");
            return response.body().string();
        }
    }

    /** Parses an SSE body the way openai-python does: "data: " events separated by blank lines, until [DONE]. */
    static List<JsonNode> dataEvents(String body) throws IOException {
        List<JsonNode> events = new ArrayList<>();
        for (String event : body.split("\n\n")) {
            if (event.isBlank()) {
                continue;
            }
            assertThat(event).startsWith("data: ");
            String data = event.substring("data: ".length());
            if (data.startsWith("[DONE]")) {
                break;
            }
            events.add(JSON.readTree(data));
        }
        return events;
    }

    private static JsonNode firstChunk(String fixture) throws IOException {
        return dataEvents(Files.readString(fixture(fixture))).get(0);
    }

    private static JsonNode lastChunk(String fixture) throws IOException {
        List<JsonNode> events = dataEvents(Files.readString(fixture(fixture)));
        return events.get(events.size() - 1);
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new HashSet<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
