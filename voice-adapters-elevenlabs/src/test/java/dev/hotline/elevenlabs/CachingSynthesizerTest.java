package dev.hotline.elevenlabs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Synthesizer.Request;
import dev.hotline.core.Synthesizer.Usage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import okhttp3.mockwebserver.MockResponse;
import okhttp3.mockwebserver.MockWebServer;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link CachingSynthesizer} in front of the real ElevenLabs HTTP synthesizer talking to a loopback server. */
@Timeout(20)
class CachingSynthesizerTest {

    private static final String GREETING = "Hey! This is Synthetic Jason.";
    private static final String STILL_THERE = "Are you still there?";
    private static final Set<String> PHRASES = Set.of(GREETING, STILL_THERE);

    @TempDir
    Path cacheDir;

    private MockWebServer server;
    private ElevenLabsSynthesizer provider;
    private byte[] greetingAudio;

    @BeforeEach
    void start() throws IOException {
        server = new MockWebServer();
        server.start();
        provider = new ElevenLabsSynthesizer(ElevenLabsConfig.of("sk_cache_test_key", "JBFqnCBsd6RMkjVDRZzb")
                .withBaseUrl(server.url("/").toString())
                .withRetry(1, Duration.ZERO));
        greetingAudio = TestData.phonePrompt();
    }

    @AfterEach
    void stop() throws IOException {
        provider.close();
        server.shutdown();
    }

    private CachingSynthesizer cache(long maxBytes, Path directory) {
        return new CachingSynthesizer(provider, provider.cacheKeyPrefix(), PHRASES, maxBytes, directory);
    }

    private void enqueueAudio(byte[] audio) {
        server.enqueue(new MockResponse().setBody(new Buffer().write(audio)));
    }

    private static Played play(CachingSynthesizer cache, String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Usage usage = cache.synthesize(Request.of(text, AudioFormat.PCM16_8K), out::writeBytes, new CancelSignal());
        return new Played(out.toByteArray(), usage);
    }

    private record Played(byte[] audio, Usage usage) {
    }

    @Test
    void givenAllowlistedPhrase_whenSpokenTwice_thenSecondTimeComesFromMemoryWithoutARequest() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, null);
        enqueueAudio(greetingAudio);

        Played first = play(cache, GREETING);
        Played second = play(cache, "  Hey!   This is Synthetic Jason. ");

        assertThat(first.audio()).isEqualTo(greetingAudio);
        assertThat(first.usage().cached()).isFalse();
        assertThat(second.audio()).isEqualTo(greetingAudio);
        assertThat(second.usage()).isEqualTo(new Usage("  Hey!   This is Synthetic Jason. ".length(), true));
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(cache.stats()).isEqualTo(new CachingSynthesizer.Stats(1, 1, 0, 1, greetingAudio.length, 0));
    }

    @Test
    void givenCachedPhrase_whenHit_thenAudioComesInSmallWholeSampleChunks() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, null);
        enqueueAudio(greetingAudio);
        play(cache, GREETING);
        List<byte[]> chunks = new java.util.ArrayList<>();

        cache.synthesize(Request.of(GREETING, AudioFormat.PCM16_8K), chunks::add, new CancelSignal());

        int hundredMillis = AudioFormat.PCM16_8K.bytesForMillis(CachingSynthesizer.HIT_CHUNK_MILLIS);
        assertThat(chunks).hasSize((greetingAudio.length + hundredMillis - 1) / hundredMillis);
        assertThat(chunks).allSatisfy(chunk -> assertThat(chunk.length % 2).isZero());
    }

    @Test
    void givenPhraseNotOnTheAllowlist_whenSpokenTwice_thenBothGoToTheProvider() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, cacheDir);
        enqueueAudio(greetingAudio);
        enqueueAudio(greetingAudio);

        play(cache, "Let me think about that.");
        play(cache, "Let me think about that.");

        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(cache.stats().bypassed()).isEqualTo(2);
        assertThat(cache.hits()).isZero();
        assertThat(cache.misses()).isZero();
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void givenAnotherFormat_whenSpoken_thenItIsASeparateEntry() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, null);
        enqueueAudio(greetingAudio);
        enqueueAudio(new byte[] {1, 2, 3});

        play(cache, GREETING);
        ByteArrayOutputStream ulaw = new ByteArrayOutputStream();
        cache.synthesize(Request.of(GREETING, AudioFormat.ULAW_8K), ulaw::writeBytes, new CancelSignal());

        assertThat(ulaw.toByteArray()).containsExactly(1, 2, 3);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void givenMemoryBoundForOnePhrase_whenASecondIsCached_thenTheLeastRecentlyUsedIsEvicted() throws Exception {
        byte[] shortAudio = Arrays.copyOf(greetingAudio, greetingAudio.length / 2);
        CachingSynthesizer cache = cache(greetingAudio.length + 10, null);
        enqueueAudio(greetingAudio);
        enqueueAudio(shortAudio);
        enqueueAudio(greetingAudio);

        play(cache, GREETING);
        play(cache, STILL_THERE);
        play(cache, GREETING);

        assertThat(server.getRequestCount()).isEqualTo(3);
        assertThat(cache.stats().entries()).isEqualTo(1);
        assertThat(cache.stats().bytes()).isEqualTo(greetingAudio.length).isLessThanOrEqualTo(greetingAudio.length + 10);
    }

    @Test
    void givenPhraseLargerThanTheBound_whenSpoken_thenNotCached() throws Exception {
        CachingSynthesizer cache = cache(100, null);
        enqueueAudio(greetingAudio);
        enqueueAudio(greetingAudio);

        Played first = play(cache, GREETING);
        play(cache, GREETING);

        assertThat(first.audio()).isEqualTo(greetingAudio);
        assertThat(server.getRequestCount()).isEqualTo(2);
        assertThat(cache.stats().entries()).isZero();
    }

    @Test
    void givenADirectory_whenRestarted_thenTheGreetingComesFromDiskWithoutARequest() throws Exception {
        enqueueAudio(greetingAudio);
        play(cache(1 << 20, cacheDir), GREETING);

        CachingSynthesizer afterRestart = cache(1 << 20, cacheDir);
        Played played = play(afterRestart, GREETING);

        assertThat(played.audio()).isEqualTo(greetingAudio);
        assertThat(played.usage().cached()).isTrue();
        assertThat(server.getRequestCount()).isEqualTo(1);
        assertThat(afterRestart.hits()).isEqualTo(1);
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertThat(files).singleElement().satisfies(file ->
                    assertThat(file.getFileName().toString()).matches("[0-9a-f]{64}\\.phrase"));
        }
    }

    @Test
    void givenACorruptFile_whenRestarted_thenItIsIgnoredAndReplaced() throws Exception {
        enqueueAudio(greetingAudio);
        play(cache(1 << 20, cacheDir), GREETING);
        Path file;
        try (Stream<Path> files = Files.list(cacheDir)) {
            file = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(file, bytes);
        enqueueAudio(greetingAudio);

        CachingSynthesizer afterRestart = cache(1 << 20, cacheDir);
        Played played = play(afterRestart, GREETING);
        CachingSynthesizer afterSecondRestart = cache(1 << 20, cacheDir);
        Played fromRepairedFile = play(afterSecondRestart, GREETING);

        assertThat(played.audio()).isEqualTo(greetingAudio);
        assertThat(played.usage().cached()).isFalse();
        assertThat(fromRepairedFile.usage().cached()).isTrue();
        assertThat(fromRepairedFile.audio()).isEqualTo(greetingAudio);
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void givenATruncatedFile_whenLoading_thenIgnored() throws Exception {
        enqueueAudio(greetingAudio);
        play(cache(1 << 20, cacheDir), GREETING);
        try (Stream<Path> files = Files.list(cacheDir)) {
            Path file = files.findFirst().orElseThrow();
            byte[] bytes = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(bytes, bytes.length - 100));
        }
        enqueueAudio(greetingAudio);

        Played played = play(cache(1 << 20, cacheDir), GREETING);

        assertThat(played.usage().cached()).isFalse();
        assertThat(played.audio()).isEqualTo(greetingAudio);
    }

    @Test
    void givenProviderFails_whenSpoken_thenNothingIsCachedAndTheErrorPassesThrough() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, cacheDir);
        server.enqueue(new MockResponse().setResponseCode(401)
                .setBody(TestData.errorBody("error_401_invalid_api_key.json")));
        enqueueAudio(greetingAudio);

        assertThatThrownBy(() -> play(cache, GREETING)).isInstanceOf(ProviderException.class);
        Played retry = play(cache, GREETING);

        assertThat(retry.usage().cached()).isFalse();
        assertThat(server.getRequestCount()).isEqualTo(2);
    }

    @Test
    void givenCancelledMidStream_whenSpoken_thenPartialAudioIsNotCached() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, null);
        server.enqueue(new MockResponse().setBody(new Buffer().write(greetingAudio))
                .throttleBody(1000, 20, java.util.concurrent.TimeUnit.MILLISECONDS));
        enqueueAudio(greetingAudio);
        CancelSignal cancel = new CancelSignal();

        assertThatThrownBy(() -> cache.synthesize(Request.of(GREETING, AudioFormat.PCM16_8K), chunk -> cancel.cancel(),
                cancel)).isInstanceOf(CancelledException.class);
        Played next = play(cache, GREETING);

        assertThat(next.usage().cached()).isFalse();
        assertThat(next.audio()).isEqualTo(greetingAudio);
        assertThat(cache.stats().entries()).isEqualTo(1);
    }

    @Test
    void givenCachedPhrase_whenCancelledBeforeDelivery_thenNoChunk() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, null);
        enqueueAudio(greetingAudio);
        play(cache, GREETING);
        CancelSignal cancel = new CancelSignal();
        cancel.cancel("hang-up");
        List<byte[]> chunks = new java.util.ArrayList<>();

        assertThatThrownBy(() -> cache.synthesize(Request.of(GREETING, AudioFormat.PCM16_8K), chunks::add, cancel))
                .isInstanceOf(CancelledException.class);
        assertThat(chunks).isEmpty();
    }

    @Test
    void givenInvalidArguments_whenConstructing_thenClearErrors() {
        assertThatThrownBy(() -> new CachingSynthesizer(provider, " ", PHRASES, 10, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyPrefix");
        assertThatThrownBy(() -> new CachingSynthesizer(provider, "p", PHRASES, 0, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxBytes must be > 0, was 0");
    }

    @Test
    void givenTwoVoices_whenKeyed_thenPrefixesDiffer() {
        ElevenLabsConfig base = ElevenLabsConfig.of("sk_secret_never_in_a_key", "voiceA");
        ElevenLabsSynthesizer a = new ElevenLabsSynthesizer(base);
        ElevenLabsSynthesizer b = new ElevenLabsSynthesizer(base.withVoiceSettings(
                new VoiceSettings(0.3, null, null, null, null)));
        ElevenLabsSynthesizer c = new ElevenLabsSynthesizer(base.withModel("eleven_turbo_v2_5"));

        assertThat(Set.of(a.cacheKeyPrefix(), b.cacheKeyPrefix(), c.cacheKeyPrefix())).hasSize(3);
        assertThat(a.cacheKeyPrefix()).doesNotContain("sk_secret_never_in_a_key").contains("voiceA");
        a.close();
        b.close();
        c.close();
    }
}
