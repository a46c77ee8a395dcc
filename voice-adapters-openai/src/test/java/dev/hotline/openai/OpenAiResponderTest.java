package dev.hotline.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.ProviderException;
import dev.hotline.core.ProviderException.Kind;
import dev.hotline.core.Responder;
import dev.hotline.core.Responder.Usage;
import dev.hotline.core.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiResponderTest extends LoopbackServerTest {

    private static final Responder.Request HELLO = new Responder.Request(
            List.of(ChatMessage.system("You are Jason."), ChatMessage.user("Hi there"),
                    ChatMessage.assistant("Hello!"), ChatMessage.user("Weather?")), 0);

    private final List<String> deltas = new CopyOnWriteArrayList<>();
    private final ObjectMapper json = new ObjectMapper();

    private OpenAiResponder responder(String key) {
        return new OpenAiResponder(client(config(key)));
    }

    private Usage respond(OpenAiResponder responder) throws Exception {
        return responder.respond(HELLO, deltas::add, new CancelSignal());
    }

    private ProviderException failure(OpenAiResponder responder) {
        return catchThrowableOfType(ProviderException.class, () -> respond(responder));
    }

    /** Responds under the engine's retry policy, retrying only while no delta was delivered, as the engine does. */
    private Usage respondRetrying(OpenAiResponder responder) throws Exception {
        return retrying(() -> responder.respond(HELLO, deltas::add, new CancelSignal()), deltas::isEmpty);
    }

    private ProviderException failureRetrying(OpenAiResponder responder) {
        return catchThrowableOfType(ProviderException.class, () -> respondRetrying(responder));
    }

    @Test
    void givenRecorded2024Stream_whenResponding_thenEveryDeltaAndTheUsageArrive() throws Exception {
        server.enqueue(eventStream(SharedFixtures.openAi("chat_stream_text_with_usage.sse")).build());

        Usage usage = respond(responder(FAKE_KEY));

        assertThat(String.join("", deltas)).isEqualTo("I'm unable to provide real-time weather updates. To get the"
                + " current weather in San Francisco, I recommend checking a reliable weather website or a weather app.");
        assertThat(deltas).doesNotContain("");
        assertThat(usage).isEqualTo(new Usage(14, 30, "stop"));
    }

    @Test
    void givenRecorded2025StreamWithObfuscationAndNullUsage_whenServedOneByteAtATime_thenTheReplyIsWhole()
            throws Exception {
        server.enqueue(eventStream(oneByteAtATime(SharedFixtures.openAi("chat_stream_2025_usage_obfuscation.sse")))
                .build());

        Usage usage = respond(responder(FAKE_KEY));

        assertThat(String.join("", deltas))
                .isEqualTo("\"Crypto is digital currency, decentralized, secure, borderless, and internet-based.\"\n");
        assertThat(usage).isEqualTo(new Usage(29, 17, "stop"));
    }

    @Test
    void givenRecordedToolCallStream_whenResponding_thenNoTextAndTheToolCallsFinishReason() throws Exception {
        server.enqueue(eventStream(SharedFixtures.openAi("chat_stream_tool_call_with_usage.sse")).build());

        Usage usage = respond(responder(FAKE_KEY));

        assertThat(deltas).isEmpty();
        assertThat(usage).isEqualTo(new Usage(44, 16, "tool_calls"));
    }

    @Test
    void givenKey_whenResponding_thenTheRequestOnTheWireIsAStreamingChatCompletion() throws Exception {
        server.enqueue(eventStream(contentEvent("Hi") + finishEvent("stop") + usageEvent(3, 1) + DONE_EVENT).build());
        OpenAiConfig config = config(FAKE_KEY).withModels("llama3.2", "whisper-1").withGeneration(120, 0.3, 0);

        new OpenAiResponder(client(config)).respond(HELLO, deltas::add, new CancelSignal());

        RecordedRequest request = takeRequest();
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getUrl().encodedPath()).isEqualTo("/v1/chat/completions");
        assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + FAKE_KEY);
        assertThat(request.getHeaders().get("Accept")).isEqualTo("text/event-stream");
        assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
        JsonNode body = json.readTree(request.getBody().utf8());
        assertThat(body.get("model").asText()).isEqualTo("llama3.2");
        assertThat(body.get("stream").asBoolean()).isTrue();
        assertThat(body.at("/stream_options/include_usage").asBoolean()).isTrue();
        assertThat(body.get("max_tokens").asInt()).isEqualTo(120);
        assertThat(body.get("temperature").asDouble()).isEqualTo(0.3);
        assertThat(body.get("messages")).hasSize(4);
        assertThat(body.at("/messages/0/role").asText()).isEqualTo("system");
        assertThat(body.at("/messages/0/content").asText()).isEqualTo("You are Jason.");
        assertThat(body.at("/messages/1/role").asText()).isEqualTo("user");
        assertThat(body.at("/messages/2/role").asText()).isEqualTo("assistant");
        assertThat(body.at("/messages/3/content").asText()).isEqualTo("Weather?");
    }

    @Test
    void givenNoKeyAndRequestTokenLimit_whenResponding_thenNoAuthorizationAndTheRequestLimitWins() throws Exception {
        server.enqueue(eventStream(contentEvent("Hi") + DONE_EVENT).build());
        OpenAiConfig config = config(null).withGeneration(500, null, 0);

        new OpenAiResponder(client(config)).respond(new Responder.Request(List.of(ChatMessage.user("x")), 42),
                deltas::add, new CancelSignal());

        RecordedRequest request = takeRequest();
        assertThat(request.getHeaders().get("Authorization")).isNull();
        JsonNode body = json.readTree(request.getBody().utf8());
        assertThat(body.get("max_tokens").asInt()).isEqualTo(42);
        assertThat(body.has("temperature")).isFalse();
    }

    @Test
    void givenNoTokenLimitAnywhere_whenResponding_thenMaxTokensIsOmitted() throws Exception {
        server.enqueue(eventStream(DONE_EVENT).build());

        Usage usage = respond(responder(null));

        assertThat(json.readTree(takeRequest().getBody().utf8()).has("max_tokens")).isFalse();
        assertThat(usage).isEqualTo(new Usage(0, 0, null));
    }

    @Test
    void givenServerThatWaitsForTheFirstDelta_whenResponding_thenTheDeltaIsDeliveredBeforeTheStreamGoesOn()
            throws Exception {
        CountDownLatch firstDelivered = new CountDownLatch(1);
        server.enqueue(eventStream(pausedBody(contentEvent("Early"), firstDelivered,
                contentEvent(" late") + DONE_EVENT)).build());

        responder(null).respond(HELLO, delta -> {
            deltas.add(delta);
            firstDelivered.countDown();
        }, new CancelSignal());

        assertThat(deltas).containsExactly("Early", " late");
    }

    @Test
    void givenCommentsKeepAlivesAndCrLf_whenResponding_thenTheyAreIgnored() throws Exception {
        String body = (": keep-alive\n\n\n" + contentEvent("A") + ": ping\n\n" + contentEvent("B") + "event: message\n"
                + finishEvent("length") + DONE_EVENT).replace("\n", "\r\n");
        server.enqueue(eventStream(oneByteAtATime(body)).build());

        Usage usage = respond(responder(null));

        assertThat(deltas).containsExactly("A", "B");
        assertThat(usage.truncated()).isTrue();
    }

    @Test
    void givenErrorObjectMidStream_whenRespondingUnderTheRetryPolicy_thenItFailsAfterTheDeltasAndIsNotRetried() {
        server.enqueue(eventStream(contentEvent("Partial") + "data: {\"error\":{\"message\":\"The server had an"
                + " error while processing your request.\",\"type\":\"server_error\",\"param\":null,\"code\":null}}\n\n")
                .build());
        server.enqueue(eventStream(contentEvent("Never sent") + DONE_EVENT).build());

        ProviderException e = failureRetrying(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.getMessage()).contains("server_error").contains("The server had an error");
        assertThat(deltas).containsExactly("Partial");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenErrorObjectBeforeAnyDelta_whenRespondingUnderTheRetryPolicy_thenTheRequestIsRetried() throws Exception {
        server.enqueue(eventStream("data: {\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\"}}\n\n")
                .build());
        server.enqueue(eventStream(contentEvent("Second try") + DONE_EVENT).build());

        respondRetrying(responder(null));

        assertThat(deltas).containsExactly("Second try");
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(retried).extracting(ProviderException::kind).containsExactly(Kind.UNAVAILABLE);
    }

    @Test
    void givenRateLimitErrorMidStream_whenResponding_thenItIsRateLimited() {
        server.enqueue(eventStream(contentEvent("x") + "event: error\ndata: {\"error\":{\"message\":\"slow down\","
                + "\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}\n\n").build());

        assertThat(failure(responder(null)).kind()).isEqualTo(Kind.RATE_LIMITED);
    }

    @Test
    void givenStreamEndingWithoutDone_whenResponding_thenItIsATruncatedMalformedResponse() {
        server.enqueue(eventStream(contentEvent("Cut") + contentEvent(" off")).build());

        ProviderException e = failure(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
        assertThat(e.getMessage()).contains("ended before data: [DONE]").contains("truncated after 2 events");
        assertThat(deltas).containsExactly("Cut", " off");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenStreamEndingMidEvent_whenResponding_thenTheMessageSaysSo() {
        server.enqueue(eventStream(contentEvent("Cut") + "data: {\"choices\":[{\"index\":0,\"del").build());

        ProviderException e = failure(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
        assertThat(e.getMessage()).contains("mid-event");
    }

    @Test
    void givenPlainJsonInsteadOfAStream_whenResponding_thenItFailsClearly() {
        server.enqueue(json(200, "{\"id\":\"chatcmpl-1\",\"choices\":[{\"message\":{\"content\":\"hi\"}}]}"));

        ProviderException e = failure(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
        assertThat(e.getMessage()).contains("[DONE]").contains("application/json");
    }

    @Test
    void givenEventThatIsNotJson_whenResponding_thenItIsMalformed() {
        server.enqueue(eventStream(contentEvent("ok") + "data: {not json\n\n" + DONE_EVENT).build());

        ProviderException e = failure(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.MALFORMED_RESPONSE);
        assertThat(e.getMessage()).contains("not JSON");
    }

    @ParameterizedTest(name = "HTTP {0} {1} -> {2}, {3} request(s)")
    @CsvSource({
        "401, error_401_invalid_api_key.json,    AUTHENTICATION, 1",
        "429, error_429_insufficient_quota.json, QUOTA_EXCEEDED, 1",
        "429, error_429_rate_limit_exceeded.json, RATE_LIMITED,  3",
        "500, error_500_server_error.json,       UNAVAILABLE,    3",
        "503, error_503_model_overloaded.json,   UNAVAILABLE,    3",
    })
    void givenRecordedErrorBody_whenRespondingUnderTheRetryPolicy_thenItIsMappedAndRetriedOnlyIfRetryable(
            int status, String fixture, Kind kind, int requests) {
        String body = SharedFixtures.openAi(fixture);
        for (int i = 0; i < 3; i++) {
            server.enqueue(json(status, body));
        }

        ProviderException e = failureRetrying(responder(FAKE_KEY));

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.httpStatus()).isEqualTo(status);
        assertThat(e.provider()).isEqualTo("openai");
        assertThat(server.getRequestCount()).isEqualTo(requests);
        assertThat(retried).hasSize(requests - 1);
        if (kind == Kind.AUTHENTICATION || kind == Kind.QUOTA_EXCEEDED) {
            assertThat(e.getMessage()).contains("OPENAI_API_KEY");
        }
    }

    @ParameterizedTest(name = "HTTP {0} -> {1}")
    @CsvSource({
        "400, INVALID_REQUEST, 1",
        "403, AUTHENTICATION,  1",
        "404, INVALID_REQUEST, 1",
        "422, INVALID_REQUEST, 1",
        "408, UNAVAILABLE,    -1",
        "409, UNAVAILABLE,     3",
        "502, UNAVAILABLE,     3",
    })
    void givenSchemaErrorBody_whenRespondingUnderTheRetryPolicy_thenTheStatusDecidesTheKind(int status, Kind kind,
            int requests) {
        String body = "{\"error\":{\"message\":\"The model `gpt-9` does not exist\",\"type\":\"invalid_request_error\","
                + "\"param\":null,\"code\":\"model_not_found\"}}";
        for (int i = 0; i < 6; i++) {
            server.enqueue(json(status, body));
        }

        ProviderException e = failureRetrying(responder(FAKE_KEY));

        assertThat(e.kind()).isEqualTo(kind);
        if (requests > 0) {
            assertThat(server.getRequestCount()).isEqualTo(requests);
        } else {
            // OkHttp itself repeats a 408 once per attempt (RetryAndFollowUpInterceptor), before the policy's.
            assertThat(server.getRequestCount()).isBetween(3, 6);
        }
        assertThat(e.getMessage()).contains("HTTP " + status).contains("model_not_found");
        if (kind == Kind.INVALID_REQUEST) {
            assertThat(e.getMessage()).contains("The model `gpt-9` does not exist").contains("OPENAI_CHAT_MODEL");
        }
    }

    @Test
    void givenUnauthorizedWithoutKey_whenResponding_thenTheMessageSaysToSetTheKey() {
        server.enqueue(json(401, "{\"error\":\"unauthorized\"}"));

        ProviderException e = failure(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.AUTHENTICATION);
        assertThat(e.getMessage()).contains("requires an API key").contains("set OPENAI_API_KEY").contains("unauthorized");
    }

    @Test
    void givenHtmlErrorPage_whenResponding_thenItsTextIsTheDetail() {
        server.enqueue(new MockResponse.Builder().code(404).body("<html>Not Found</html>").build());

        ProviderException e = failure(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.INVALID_REQUEST);
        assertThat(e.getMessage()).contains("<html>Not Found</html>").contains("OPENAI_BASE_URL");
    }

    @Test
    void givenRetryableFailure_whenTheAdapterAloneResponds_thenItSendsOneRequestAndThrows() {
        server.enqueue(json(503, SharedFixtures.openAi("error_503_model_overloaded.json")));
        server.enqueue(eventStream(contentEvent("never asked for") + DONE_EVENT).build());

        ProviderException e = failure(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.retryable()).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(deltas).isEmpty();
    }

    @Test
    void givenRetryAfterMs_whenRateLimitedUnderTheRetryPolicy_thenTheServersWaitIsHonouredAndTheRetrySucceeds()
            throws Exception {
        server.enqueue(json(429, SharedFixtures.openAi("error_429_rate_limit_exceeded.json")).newBuilder()
                .setHeader("retry-after-ms", "300").setHeader("retry-after", "1").build());
        server.enqueue(eventStream(contentEvent("ok") + DONE_EVENT).build());
        long start = System.nanoTime();

        respondRetrying(responder(FAKE_KEY));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(deltas).containsExactly("ok");
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(retried).singleElement().satisfies(first -> {
            assertThat(first.kind()).isEqualTo(Kind.RATE_LIMITED);
            assertThat(first.retryAfter()).contains(Duration.ofMillis(300));
        });
    }

    @Test
    void givenRetryAfterSeconds_whenUnavailable_thenTheServersWaitIsReported() {
        server.enqueue(json(503, SharedFixtures.openAi("error_503_model_overloaded.json")).newBuilder()
                .setHeader("retry-after", "2").build());

        ProviderException e = failure(responder(FAKE_KEY));

        assertThat(e.retryAfter()).contains(Duration.ofSeconds(2));
    }

    @Test
    void givenInsufficientQuota_whenRespondingUnderTheRetryPolicy_thenOneRequestAndNoRetry() {
        server.enqueue(json(429, SharedFixtures.openAi("error_429_insufficient_quota.json")));
        server.enqueue(eventStream(contentEvent("never asked for") + DONE_EVENT).build());

        ProviderException e = failureRetrying(responder(FAKE_KEY));

        assertThat(e.kind()).isEqualTo(Kind.QUOTA_EXCEEDED);
        assertThat(e.retryable()).isFalse();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(retried).isEmpty();
    }

    @Test
    void givenServerErrorTwiceThenSuccess_whenRespondingUnderTheRetryPolicy_thenTheThirdRequestAnswers()
            throws Exception {
        server.enqueue(json(500, SharedFixtures.openAi("error_500_server_error.json")));
        server.enqueue(json(503, SharedFixtures.openAi("error_503_model_overloaded.json")));
        server.enqueue(eventStream(contentEvent("third time") + DONE_EVENT).build());

        respondRetrying(responder(FAKE_KEY));

        assertThat(deltas).containsExactly("third time");
        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(retried).extracting(ProviderException::httpStatus).containsExactly(500, 503);
    }

    @Test
    void givenRetryAfterBeyondTheBudget_whenRateLimitedUnderTheRetryPolicy_thenItGivesUpAtOnce() {
        server.enqueue(json(429, "{\"error\":{\"message\":\"slow\",\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")
                .newBuilder().setHeader("retry-after", "60").build());
        server.enqueue(eventStream(contentEvent("never asked for") + DONE_EVENT).build());

        ProviderException e = failureRetrying(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).contains(Duration.ofSeconds(60));
        assertThat(retried).isEmpty();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenRetryAfterAboveTheHonouredMaximum_whenRateLimited_thenNoWaitIsReported() {
        server.enqueue(json(429, "{\"error\":{\"code\":\"rate_limit_exceeded\"}}").newBuilder()
                .setHeader("retry-after", "600").build());

        ProviderException e = failure(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.RATE_LIMITED);
        assertThat(e.retryAfter()).isEmpty();
    }

    @Test
    void givenShouldRetryFalse_whenUnavailableUnderTheRetryPolicy_thenItIsNotRetried() {
        server.enqueue(json(500, "{}").newBuilder().setHeader("x-should-retry", "false").build());

        ProviderException e = failureRetrying(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.UNAVAILABLE);
        assertThat(e.retryable()).isFalse();
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenShouldRetryTrue_whenRefusedUnderTheRetryPolicy_thenItIsRetried() throws Exception {
        server.enqueue(json(400, "{}").newBuilder().setHeader("x-should-retry", "true").build());
        server.enqueue(eventStream(contentEvent("fine") + DONE_EVENT).build());

        respondRetrying(responder(null));

        assertThat(deltas).containsExactly("fine");
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void givenConnectionDroppedBeforeTheResponse_whenRespondingUnderTheRetryPolicy_thenItIsRetried()
            throws Exception {
        server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        server.enqueue(eventStream(contentEvent("recovered") + DONE_EVENT).build());

        respondRetrying(responder(null));

        assertThat(deltas).containsExactly("recovered");
        assertThat(retried).extracting(ProviderException::kind).containsExactly(Kind.NETWORK);
    }

    @Test
    void givenConnectionDroppedEveryTime_whenRespondingUnderTheRetryPolicy_thenANetworkFailureAfterThreeRequests() {
        for (int i = 0; i < 3; i++) {
            server.enqueue(new MockResponse.Builder().onRequestStart(new SocketEffect.CloseSocket()).build());
        }

        ProviderException e = failureRetrying(responder(null));

        assertThat(e.kind()).isEqualTo(Kind.NETWORK);
        assertThat(server.getRequestCount()).isEqualTo(3);
    }

    @Test
    void givenNothingListening_whenResponding_thenItIsANetworkFailureNamingTheCause() throws Exception {
        OpenAiConfig config = config(null);
        server.close();

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> new OpenAiResponder(client(config)).respond(HELLO, deltas::add, new CancelSignal()));

        assertThat(e.kind()).isEqualTo(Kind.NETWORK);
        assertThat(e.getMessage()).contains("ConnectException");
        assertThat(e.getCause()).isInstanceOf(java.net.ConnectException.class);
    }

    @Test
    void givenConnectionResetMidStream_whenRespondingUnderTheRetryPolicy_thenItFailsAfterThePartialReplyUnretried() {
        String body = contentEvent("one") + contentEvent("two") + contentEvent("three") + contentEvent("four")
                + DONE_EVENT;
        server.enqueue(eventStream(body).onResponseBody(new SocketEffect.CloseSocket()).build());
        server.enqueue(eventStream(contentEvent("never asked for") + DONE_EVENT).build());

        ProviderException e = failureRetrying(responder(null));

        assertThat(e.kind()).isIn(Kind.NETWORK, Kind.MALFORMED_RESPONSE);
        assertThat(deltas).isNotEmpty().doesNotContain("four");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenServerStallingMidStream_whenResponding_thenTheReadTimeoutEndsIt() {
        server.enqueue(eventStream(contentEvent("one") + contentEvent("two") + contentEvent("three")
                + contentEvent("four") + DONE_EVENT).onResponseBody(SocketEffect.Stall.INSTANCE).build());
        OpenAiConfig config = config(null).withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(300),
                Duration.ofSeconds(10));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> new OpenAiResponder(client(config)).respond(HELLO, deltas::add, new CancelSignal()));

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).contains("300 ms").contains("OPENAI_READ_TIMEOUT_MS");
        assertThat(deltas).isNotEmpty().doesNotContain("four");
    }

    @Test
    void givenCallTimeout_whenTheStreamIsTooSlowOverall_thenItIsATimeoutNamingTheCallTimeout() {
        CountDownLatch never = new CountDownLatch(1);
        server.enqueue(eventStream(pausedBody(contentEvent("slow"), never, DONE_EVENT)).build());
        OpenAiConfig config = config(null).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5),
                Duration.ofMillis(400));

        ProviderException e = catchThrowableOfType(ProviderException.class,
                () -> new OpenAiResponder(client(config)).respond(HELLO, deltas::add, new CancelSignal()));
        never.countDown();

        assertThat(e.kind()).isEqualTo(Kind.TIMEOUT);
        assertThat(e.getMessage()).contains("OPENAI_CALL_TIMEOUT_MS");
        assertThat(deltas).containsExactly("slow");
    }

    @Test
    void givenCancelMidStream_whenTheServerIsSilent_thenTheCallIsAbortedAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.enqueue(eventStream(pausedBody(contentEvent("Hello"), release, contentEvent("never") + DONE_EVENT))
                .build());
        OpenAiConfig patient = config(null).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofSeconds(60));
        OpenAiResponder responder = new OpenAiResponder(client(patient));
        CancelSignal cancel = new CancelSignal();
        CountDownLatch firstDelta = new CountDownLatch(1);

        CompletableFuture<Usage> reply = CompletableFuture.supplyAsync(() -> {
            try {
                return responder.respond(HELLO, delta -> {
                    deltas.add(delta);
                    firstDelta.countDown();
                }, cancel);
            } catch (Exception e) {
                throw new java.util.concurrent.CompletionException(e);
            }
        });
        assertThat(firstDelta.await(5, TimeUnit.SECONDS)).isTrue();
        cancel.cancel("barge-in");

        Throwable thrown = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
                () -> reply.get(5, TimeUnit.SECONDS)).getCause();
        release.countDown();

        assertThat(thrown).isInstanceOf(CancelledException.class).hasMessage("barge-in");
        assertThat(deltas).containsExactly("Hello");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenLongRetryAfter_whenCancelledDuringTheRetryPolicysWait_thenTheWaitEndsAtOnce() throws Exception {
        server.enqueue(json(503, SharedFixtures.openAi("error_503_model_overloaded.json")).newBuilder()
                .setHeader("retry-after", "20").build());
        OpenAiResponder responder = responder(null);
        RetryPolicy patient = new RetryPolicy(2, Duration.ofSeconds(30), Duration.ofMillis(5));
        CancelSignal cancel = new CancelSignal();

        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                patient.call(cancel, () -> responder.respond(HELLO, deltas::add, cancel));
                return null;
            } catch (Exception e) {
                return e;
            }
        });
        takeRequest();
        cancel.cancel("hang-up");

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(CancelledException.class).hasMessage("hang-up");
        assertThat(server.getRequestCount()).isEqualTo(1);
    }

    @Test
    void givenCancelledBeforeStart_whenResponding_thenNothingIsSent() {
        CancelSignal cancel = new CancelSignal();
        cancel.cancel("hung up");

        CancelledException e = catchThrowableOfType(CancelledException.class,
                () -> responder(null).respond(HELLO, deltas::add, cancel));

        assertThat(e).hasMessage("hung up");
        assertThat(server.getRequestCount()).isZero();
    }

    @Test
    void givenSinkCancelsAfterTheFirstDelta_whenResponding_thenNoFurtherDeltaIsDelivered() {
        server.enqueue(eventStream(contentEvent("a") + contentEvent("b") + contentEvent("c") + DONE_EVENT).build());
        CancelSignal cancel = new CancelSignal();

        catchThrowableOfType(CancelledException.class, () -> responder(null).respond(HELLO, delta -> {
            deltas.add(delta);
            cancel.cancel();
        }, cancel));

        assertThat(deltas).containsExactly("a");
    }

    @Test
    void givenOneCallStalls_whenAnotherRunsAtTheSameTime_thenTheOtherCompletes() throws Exception {
        CountDownLatch releaseSlow = new CountDownLatch(1);
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getBody().utf8().contains("slow please")) {
                    return eventStream(pausedBody(contentEvent("slow"), releaseSlow, DONE_EVENT)).build();
                }
                return eventStream(contentEvent("fast") + DONE_EVENT).build();
            }
        });
        OpenAiConfig patient = config(null).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30),
                Duration.ofSeconds(60));
        OpenAiResponder responder = new OpenAiResponder(client(patient));
        List<String> slowDeltas = new CopyOnWriteArrayList<>();
        CountDownLatch slowStarted = new CountDownLatch(1);
        CancelSignal slowCancel = new CancelSignal();

        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Usage> slow = threads.submit(() -> responder.respond(
                    new Responder.Request(List.of(ChatMessage.user("slow please")), 0),
                    delta -> {
                        slowDeltas.add(delta);
                        slowStarted.countDown();
                    }, slowCancel));
            assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();

            Future<Usage> fast = threads.submit(() -> responder.respond(
                    new Responder.Request(List.of(ChatMessage.user("quick")), 0), deltas::add, new CancelSignal()));
            fast.get(10, TimeUnit.SECONDS);

            assertThat(deltas).containsExactly("fast");
            assertThat(slow.isDone()).isFalse();
            slowCancel.cancel();
            releaseSlow.countDown();
            Object outcome;
            try {
                outcome = slow.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                outcome = e.getCause();
            }
            assertThat(outcome).isInstanceOf(CancelledException.class);
        }
        assertThat(slowDeltas).containsExactly("slow");
    }

    @Test
    void givenResponder_whenNamed_thenTheModelIsShown() {
        assertThat(responder(null).name()).isEqualTo("openai gpt-4o-mini");
    }
}
