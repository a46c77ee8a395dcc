package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.Synthesizer;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FreeTtsSynthesizerTest {

    private static final String TWO_SENTENCES =
            "Thank you for calling the hotline. Please tell me briefly how I can help you today.";

    private static FreeTtsSynthesizer tts;

    @BeforeAll
    static void start() throws Exception {
        tts = new FreeTtsSynthesizer(2);
        tts.warmUp();
    }

    @AfterAll
    static void stop() {
        tts.close();
    }

    @Test
    void givenTwoSentences_whenSpokenAsPcm16k_thenSeveralAudibleChunksOfPlausibleLengthArrive() throws Exception {
        List<byte[]> chunks = new ArrayList<>();
        Synthesizer.Usage usage = tts.synthesize(Synthesizer.Request.of(TWO_SENTENCES, AudioFormat.PCM16_16K),
                chunks::add, new CancelSignal());

        assertThat(usage.characters()).isEqualTo(TWO_SENTENCES.length());
        assertThat(chunks).hasSizeGreaterThan(1).allSatisfy(c -> assertThat(c.length % 2).isZero());
        short[] pcm = TestAudio.pcm16le(concat(chunks));
        double seconds = pcm.length / 16_000.0;
        assertThat(seconds).as("16 words take a few seconds to say").isBetween(2.0, 12.0);
        assertThat(TestAudio.rms(pcm, 0, pcm.length)).as("not silence").isGreaterThan(300);
    }

    @Test
    void givenTheSameText_whenSpokenAsMuLaw8k_thenItHasHalfTheSamplesOf16kOneBytePerSample() throws Exception {
        ByteArrayOutputStream pcm = new ByteArrayOutputStream();
        ByteArrayOutputStream ulaw = new ByteArrayOutputStream();
        tts.synthesize(Synthesizer.Request.of("Hello there.", AudioFormat.PCM16_16K), pcm::writeBytes,
                new CancelSignal());
        tts.synthesize(Synthesizer.Request.of("Hello there.", AudioFormat.ULAW_8K), ulaw::writeBytes,
                new CancelSignal());

        int samples16k = pcm.size() / 2;
        assertThat(ulaw.size()).isCloseTo(samples16k / 2, org.assertj.core.data.Offset.offset(4));
        long silentBytes = 0;
        for (byte b : ulaw.toByteArray()) {
            if (b == (byte) 0xFF || b == (byte) 0x7F) {
                silentBytes++;
            }
        }
        assertThat(silentBytes).as("mu-law silence bytes").isLessThan(ulaw.size() / 2);
    }

    @Test
    void givenA24kRequest_whenSpoken_thenTheDurationMatchesThe16kOne() throws Exception {
        ByteArrayOutputStream pcm16 = new ByteArrayOutputStream();
        ByteArrayOutputStream pcm24 = new ByteArrayOutputStream();
        tts.synthesize(Synthesizer.Request.of("Good morning.", AudioFormat.PCM16_16K), pcm16::writeBytes,
                new CancelSignal());
        tts.synthesize(Synthesizer.Request.of("Good morning.", AudioFormat.PCM16_24K), pcm24::writeBytes,
                new CancelSignal());

        double seconds16 = pcm16.size() / 2 / 16_000.0;
        double seconds24 = pcm24.size() / 2 / 24_000.0;
        assertThat(seconds24).isCloseTo(seconds16, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void givenACancelAfterTheFirstChunk_whenSpeaking_thenNoFurtherChunkArrivesAndCancelledIsThrown() {
        CancelSignal cancel = new CancelSignal();
        AtomicInteger chunks = new AtomicInteger();
        assertThatThrownBy(() -> tts.synthesize(Synthesizer.Request.of(TWO_SENTENCES, AudioFormat.ULAW_8K), c -> {
            chunks.incrementAndGet();
            cancel.cancel("barge-in");
        }, cancel)).isInstanceOf(CancelledException.class).hasMessage("barge-in");
        assertThat(chunks).hasValue(1);
    }

    @Test
    void givenAnAlreadyCancelledSignal_whenSpeaking_thenNothingIsDelivered() {
        CancelSignal cancel = new CancelSignal();
        cancel.cancel("hang-up");
        List<byte[]> chunks = new ArrayList<>();
        assertThatThrownBy(() -> tts.synthesize(Synthesizer.Request.of("Hello.", AudioFormat.ULAW_8K), chunks::add,
                cancel)).isInstanceOf(CancelledException.class);
        assertThat(chunks).isEmpty();
    }

    @Test
    void givenStereo_whenAsked_thenItIsRefusedBeforeAnyWork() {
        AudioFormat stereo = new AudioFormat(AudioFormat.Encoding.PCM16_LE, 16_000, 2);
        assertThat(tts.supports(stereo)).isFalse();
        assertThat(tts.supports(AudioFormat.ULAW_8K)).isTrue();
        assertThatThrownBy(() -> tts.synthesize(Synthesizer.Request.of("Hello.", stereo), c -> { },
                new CancelSignal())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2ch");
    }

    @Test
    void givenMoreCallsThanVoices_whenSpeakingAtOnce_thenEveryCallGetsTheSameAudioAsAlone() throws Exception {
        ByteArrayOutputStream alone = new ByteArrayOutputStream();
        tts.synthesize(Synthesizer.Request.of("One two three.", AudioFormat.ULAW_8K), alone::writeBytes,
                new CancelSignal());
        byte[][] results = new byte[6][];
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < results.length; t++) {
            int slot = t;
            threads.add(Thread.ofVirtual().start(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try {
                    tts.synthesize(Synthesizer.Request.of("One two three.", AudioFormat.ULAW_8K), out::writeBytes,
                            new CancelSignal());
                } catch (Exception e) {
                    failures.add(e);
                }
                results[slot] = out.toByteArray();
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }
        assertThat(failures).isEmpty();
        for (byte[] result : results) {
            assertThat(result).isEqualTo(alone.toByteArray());
        }
    }

    @Test
    void givenAClosedSynthesizer_whenSpeaking_thenItIsMisuse() throws Exception {
        FreeTtsSynthesizer closed = new FreeTtsSynthesizer(1);
        closed.close();
        assertThatThrownBy(() -> closed.synthesize(Synthesizer.Request.of("Hi.", AudioFormat.ULAW_8K), c -> { },
                new CancelSignal())).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void givenOnlyPunctuation_whenSpoken_thenNoChunkAndNoError() throws Exception {
        List<byte[]> chunks = new ArrayList<>();
        Synthesizer.Usage usage = tts.synthesize(Synthesizer.Request.of("...", AudioFormat.ULAW_8K), chunks::add,
                new CancelSignal());
        assertThat(chunks).isEmpty();
        assertThat(usage.characters()).isEqualTo(3);
    }

    private static byte[] concat(List<byte[]> chunks) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        chunks.forEach(out::writeBytes);
        return out.toByteArray();
    }
}
