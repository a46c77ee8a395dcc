package dev.hotline.openai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.Responder;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Utterance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;

/** One client serves both adapters: connections are reused, and HTTP/2 streams do not wait for each other. */
class SharedClientTest extends LoopbackServerTest {

    private static final Responder.Request HELLO = new Responder.Request(List.of(ChatMessage.user("hi")), 0);

    @Test
    void givenOneClientForBothAdapters_whenCalledInTurn_thenOneConnectionCarriesEveryExchange() throws Exception {
        server.enqueue(eventStream(contentEvent("one") + DONE_EVENT).build());
        server.enqueue(json(200, "{\"text\":\"two\"}"));
        server.enqueue(eventStream(contentEvent("three") + DONE_EVENT).build());
        OpenAiClient client = client(config(null));
        OpenAiResponder responder = new OpenAiResponder(client);
        OpenAiTranscriber transcriber = new OpenAiTranscriber(client);

        responder.respond(HELLO, delta -> { }, new CancelSignal());
        transcriber.transcribe(new Utterance(AudioFormat.PCM16_16K, new byte[320]), Transcriber.Hints.NONE,
                new CancelSignal());
        responder.respond(HELLO, delta -> { }, new CancelSignal());

        List<RecordedRequest> requests = List.of(takeRequest(), takeRequest(), takeRequest());
        assertThat(requests).extracting(RecordedRequest::getConnectionIndex).containsOnly(0);
        assertThat(requests).extracting(RecordedRequest::getExchangeIndex).containsExactly(0, 1, 2);
    }

    @Test
    void givenBaseUrlWithoutPath_whenCalling_thenTheEndpointHangsOffTheRoot() throws Exception {
        server.enqueue(json(200, "{\"text\":\"root\"}"));
        OpenAiConfig atRoot = OpenAiConfig.forServer("http://" + server.getHostName() + ":" + server.getPort() + "/",
                null);

        new OpenAiTranscriber(client(atRoot)).transcribe(new Utterance(AudioFormat.PCM16_16K, new byte[320]),
                Transcriber.Hints.NONE, new CancelSignal());

        RecordedRequest request = takeRequest();
        assertThat(request.getUrl().encodedPath()).isEqualTo("/audio/transcriptions");
    }

    @Test
    void givenHttpsServerOfferingHttp2_whenResponding_thenAlpnPicksHttp2() throws Exception {
        HeldCertificate certificate = new HeldCertificate.Builder()
                .addSubjectAlternativeName("localhost")
                .addSubjectAlternativeName("127.0.0.1")
                .build();
        HandshakeCertificates serverCertificates = new HandshakeCertificates.Builder()
                .heldCertificate(certificate)
                .build();
        HandshakeCertificates clientCertificates = new HandshakeCertificates.Builder()
                .addTrustedCertificate(certificate.certificate())
                .build();
        try (MockWebServer tls = new MockWebServer()) {
            tls.useHttps(serverCertificates.sslSocketFactory());
            tls.enqueue(eventStream(contentEvent("secure") + DONE_EVENT).build());
            tls.start();
            OkHttpClient trusting = shared.newBuilder()
                    .sslSocketFactory(clientCertificates.sslSocketFactory(), clientCertificates.trustManager())
                    .build();
            OpenAiConfig config = OpenAiConfig.forServer(tls.url("/v1").toString(), FAKE_KEY);
            List<String> deltas = new CopyOnWriteArrayList<>();

            new OpenAiResponder(OpenAiClient.create(config, trusting)).respond(HELLO, deltas::add, new CancelSignal());

            RecordedRequest request = tls.takeRequest(5, TimeUnit.SECONDS);
            assertThat(deltas).containsExactly("secure");
            assertThat(request.getHandshake()).isNotNull();
            assertThat(request.getVersion()).isEqualTo("HTTP/2");
            assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + FAKE_KEY);
            trusting.connectionPool().evictAll();
        }
    }

    @Test
    void givenHttp2_whenOneStreamStalls_thenAnotherStreamOnTheSameConnectionCompletes() throws Exception {
        CountDownLatch releaseSlow = new CountDownLatch(1);
        try (MockWebServer h2 = new MockWebServer()) {
            h2.setProtocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE));
            h2.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    if (request.getBody().utf8().contains("slow please")) {
                        return eventStream(pausedBody(contentEvent("slow"), releaseSlow, DONE_EVENT)).build();
                    }
                    return eventStream(contentEvent("fast") + DONE_EVENT).build();
                }
            });
            h2.start();
            OkHttpClient h2Client = shared.newBuilder().protocols(List.of(Protocol.H2_PRIOR_KNOWLEDGE)).build();
            OpenAiConfig config = OpenAiConfig.forServer(h2.url("/v1").toString(), null)
                    .withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofSeconds(60));
            OpenAiResponder responder = new OpenAiResponder(OpenAiClient.create(config, h2Client));
            List<String> slowDeltas = new CopyOnWriteArrayList<>();
            List<String> fastDeltas = new CopyOnWriteArrayList<>();
            CountDownLatch slowStarted = new CountDownLatch(1);

            try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
                Future<Responder.Usage> slow = threads.submit(() -> responder.respond(
                        new Responder.Request(List.of(ChatMessage.user("slow please")), 0), delta -> {
                            slowDeltas.add(delta);
                            slowStarted.countDown();
                        }, new CancelSignal()));
                assertThat(slowStarted.await(5, TimeUnit.SECONDS)).isTrue();

                responder.respond(HELLO, fastDeltas::add, new CancelSignal());

                assertThat(fastDeltas).containsExactly("fast");
                assertThat(slow.isDone()).isFalse();
                releaseSlow.countDown();
                slow.get(10, TimeUnit.SECONDS);
            }
            assertThat(slowDeltas).containsExactly("slow");
            RecordedRequest first = h2.takeRequest(5, TimeUnit.SECONDS);
            RecordedRequest second = h2.takeRequest(5, TimeUnit.SECONDS);
            assertThat(first.getVersion()).isEqualTo("HTTP/2");
            assertThat(second.getConnectionIndex()).isEqualTo(first.getConnectionIndex());
            // Let the server shut down without waiting for the pooled connection to time out.
            h2Client.connectionPool().evictAll();
        }
    }
}
