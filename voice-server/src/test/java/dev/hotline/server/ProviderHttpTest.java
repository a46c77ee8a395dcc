package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Utterance;
import dev.hotline.openai.OpenAiClient;
import dev.hotline.openai.OpenAiConfig;
import dev.hotline.openai.OpenAiTranscriber;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;

/**
 * The providers' shared HTTP client keeps a connection per concurrent request for the next one, against the
 * testkit's fake OpenAI over plain HTTP/1.1 on loopback, where OkHttp's default pool (five idle connections)
 * closed the rest.
 */
class ProviderHttpTest {

    private static final int CONCURRENT = 12;

    @Test
    void given_more_concurrent_transcriptions_than_okhttps_default_pool_then_a_second_round_opens_no_connection()
            throws Exception {
        AtomicInteger opened = new AtomicInteger();
        OkHttpClient http = Bootstrap.providerHttp(CONCURRENT).newBuilder()
                .eventListener(countingConnects(opened))
                .build();
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start().transcriptionDelay(Duration.ofMillis(300));
                OpenAiClient client = OpenAiClient.create(config(openAi), http)) {
            Transcriber transcriber = new OpenAiTranscriber(client);

            assertThat(round(transcriber)).as("transcripts, first round").hasSize(CONCURRENT);
            assertThat(opened).as("connections opened by the first round").hasValue(CONCURRENT);
            assertThat(http.connectionPool().idleConnectionCount()).as("idle after the first round").isEqualTo(CONCURRENT);

            assertThat(round(transcriber)).as("transcripts, second round").hasSize(CONCURRENT);
            assertThat(opened).as("connections opened by both rounds").hasValue(CONCURRENT);
        }
    }

    @Test
    void given_okhttps_default_pool_then_the_same_second_round_opens_connections_again() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        OkHttpClient http = new OkHttpClient.Builder().eventListener(countingConnects(opened)).build();
        try (FakeOpenAiServer openAi = FakeOpenAiServer.start().transcriptionDelay(Duration.ofMillis(300));
                OpenAiClient client = OpenAiClient.create(config(openAi), http)) {
            Transcriber transcriber = new OpenAiTranscriber(client);

            round(transcriber);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (http.connectionPool().idleConnectionCount() > 5 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(http.connectionPool().idleConnectionCount()).as("idle once OkHttp's clean-up ran").isEqualTo(5);
            round(transcriber);

            assertThat(opened.get()).as("connections opened by two rounds with five kept idle")
                    .isGreaterThan(CONCURRENT);
        }
    }

    private static OpenAiConfig config(FakeOpenAiServer openAi) {
        return OpenAiConfig.fromEnvironment(Map.of(OpenAiConfig.ENV_API_KEY, "sk-test",
                OpenAiConfig.ENV_BASE_URL, openAi.baseUrl()));
    }

    /** {@link #CONCURRENT} transcriptions at once, each long enough that all are in flight together. */
    private static List<String> round(Transcriber transcriber) throws Exception {
        Utterance utterance = new Utterance(AudioFormat.PCM16_8K, new byte[16_000]);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> pending = new ArrayList<>();
            for (int i = 0; i < CONCURRENT; i++) {
                pending.add(threads.submit(() -> transcriber.transcribe(utterance, Transcriber.Hints.NONE,
                        new CancelSignal()).text()));
            }
            List<String> texts = new ArrayList<>();
            for (Future<String> future : pending) {
                texts.add(future.get());
            }
            return texts;
        }
    }

    private static EventListener countingConnects(AtomicInteger opened) {
        return new EventListener() {
            @Override
            public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
                opened.incrementAndGet();
            }
        };
    }
}
