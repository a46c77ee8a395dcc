package dev.hotline.core.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Synthesizer;
import dev.hotline.core.Synthesizer.Request;
import dev.hotline.core.Synthesizer.Usage;
import dev.hotline.core.testing.TestAudio;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CachingSynthesizer} in front of a provider that replays queued answers (a real phone recording from
 * the shared fixtures) and counts its requests, so every hit, miss and bypass is visible.
 */
@Timeout(20)
class CachingSynthesizerTest {

    private static final String GREETING = "Hey! This is Synthetic Jason.";
    private static final String STILL_THERE = "Are you still there?";
    private static final Set<String> PHRASES = Set.of(GREETING, STILL_THERE);

    @TempDir
    Path cacheDir;

    private final Provider provider = new Provider();
    private byte[] greetingAudio;

    /**
     * A provider answering each request with the next queued answer (audio or a failure), in 20 ms chunks,
     * checking the cancel signal before each chunk, and counting requests.
     */
    private static final class Provider implements Synthesizer {
        private final Deque<Object> answers = new ArrayDeque<>();
        private int requests;

        @Override
        public synchronized Usage synthesize(Request request, AudioSink sink, CancelSignal cancel) throws IOException {
            cancel.throwIfCancelled();
            requests++;
            Object answer = answers.poll();
            if (answer == null) {
                throw new IllegalStateException("no answer queued for request " + requests);
            }
            if (answer instanceof ProviderException failure) {
                throw failure;
            }
            byte[] audio = (byte[]) answer;
            int chunk = request.format().bytesForMillis(20);
            for (int offset = 0; offset < audio.length; offset += chunk) {
                cancel.throwIfCancelled();
                sink.onAudio(Arrays.copyOfRange(audio, offset, Math.min(audio.length, offset + chunk)));
            }
            return new Usage(request.text().length(), false);
        }

        synchronized void enqueue(Object answer) {
            answers.add(answer);
        }

        synchronized int requests() {
            return requests;
        }

        @Override
        public boolean supports(AudioFormat format) {
            return format.equals(AudioFormat.PCM16_8K) || format.equals(AudioFormat.ULAW_8K);
        }

        @Override
        public String name() {
            return "replaying provider";
        }
    }

    @BeforeEach
    void loadAudio() throws IOException {
        Optional<Path> recording = TestAudio.phone("agent-newlocation.wav");
        assumeTrue(recording.isPresent(), "the shared speech fixtures (hotline.shared.dir) are not available");
        short[] samples = TestAudio.readWav(recording.get()).samples();
        ByteBuffer bytes = ByteBuffer.allocate(samples.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asShortBuffer().put(samples);
        greetingAudio = bytes.array();
    }

    private CachingSynthesizer cache(long maxBytes, Path directory) {
        return new CachingSynthesizer(provider, "replaying|voice-a|model-b|{}", PHRASES, maxBytes, directory);
    }

    private void enqueueAudio(byte[] audio) {
        provider.enqueue(audio);
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
        assertThat(provider.requests()).isEqualTo(1);
        assertThat(cache.stats()).isEqualTo(new CachingSynthesizer.Stats(1, 1, 0, 1, greetingAudio.length, 0));
    }

    @Test
    void givenACacheWarmedAtStart_whenEachPhraseIsSpoken_thenAllComeFromMemoryAndWarmingAgainAsksNothing()
            throws Exception {
        CachingSynthesizer cache = cache(1 << 20, null);
        enqueueAudio(greetingAudio);
        enqueueAudio(greetingAudio);

        assertThat(cache.warm(AudioFormat.PCM16_8K, new CancelSignal())).isEqualTo(2);
        Played greeting = play(cache, GREETING);
        Played stillThere = play(cache, STILL_THERE);

        assertThat(greeting.usage().cached()).isTrue();
        assertThat(greeting.audio()).isEqualTo(greetingAudio);
        assertThat(stillThere.usage().cached()).isTrue();
        assertThat(provider.requests()).isEqualTo(2);
        assertThat(cache.warm(AudioFormat.PCM16_8K, new CancelSignal())).isZero();
        assertThat(provider.requests()).as("already cached: no request").isEqualTo(2);
    }

    @Test
    void givenAProviderFailingOnePhrase_whenWarming_thenTheOtherIsCachedAndNothingIsThrown() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, null);
        provider.enqueue(new ProviderException("elevenlabs", ProviderException.Kind.RATE_LIMITED, "429 too many requests"));
        enqueueAudio(greetingAudio);

        assertThat(cache.warm(AudioFormat.PCM16_8K, new CancelSignal())).isEqualTo(1);

        assertThat(cache.stats().entries()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(2);
    }

    @Test
    void givenACancelledSignal_whenWarming_thenNothingIsAsked() {
        CachingSynthesizer cache = cache(1 << 20, null);
        CancelSignal cancel = new CancelSignal();
        cancel.cancel("shutting down");

        assertThat(cache.warm(AudioFormat.PCM16_8K, cancel)).isZero();
        assertThat(provider.requests()).isZero();
    }

    @Test
    void givenCachedPhrase_whenHit_thenAudioComesInSmallWholeSampleChunks() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, null);
        enqueueAudio(greetingAudio);
        play(cache, GREETING);
        List<byte[]> chunks = new ArrayList<>();

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

        assertThat(provider.requests()).isEqualTo(2);
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
        assertThat(provider.requests()).isEqualTo(2);
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

        assertThat(provider.requests()).isEqualTo(3);
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
        assertThat(provider.requests()).isEqualTo(2);
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
        assertThat(provider.requests()).isEqualTo(1);
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
        assertThat(provider.requests()).isEqualTo(2);
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
        provider.enqueue(new ProviderException("replaying", ProviderException.Kind.AUTHENTICATION, "key refused", 401,
                null, null));
        enqueueAudio(greetingAudio);

        assertThatThrownBy(() -> play(cache, GREETING)).isInstanceOf(ProviderException.class);
        Played retry = play(cache, GREETING);

        assertThat(retry.usage().cached()).isFalse();
        assertThat(provider.requests()).isEqualTo(2);
    }

    @Test
    void givenCancelledMidStream_whenSpoken_thenPartialAudioIsNotCached() throws Exception {
        CachingSynthesizer cache = cache(1 << 20, null);
        enqueueAudio(greetingAudio);
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
        List<byte[]> chunks = new ArrayList<>();

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
}
