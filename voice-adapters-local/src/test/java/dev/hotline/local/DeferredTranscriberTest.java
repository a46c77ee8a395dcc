package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeferredTranscriberTest {

    private static final Utterance SHORT = new Utterance(AudioFormat.PCM16_8K, new byte[320]);

    /** Answers with the number of bytes it got, once it exists. */
    private static Transcriber counting() {
        return new Transcriber() {
            @Override
            public Transcript transcribe(Utterance utterance, Hints hints, CancelSignal cancel) {
                return Transcript.of(utterance.pcm().length + " bytes", Transcript.Usage.NONE);
            }

            @Override
            public String name() {
                return "counting";
            }
        };
    }

    @Test
    void givenASlowLoad_whenTranscribing_thenTheCallWaitsAndThenGetsTheLoadedResult() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        DeferredTranscriber deferred = new DeferredTranscriber("slow", () -> {
            release.await();
            return counting();
        });
        CompletableFuture<Transcript> result = CompletableFuture.supplyAsync(() -> {
            try {
                return deferred.transcribe(SHORT, Transcriber.Hints.NONE, new CancelSignal());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));

        assertThat(deferred.isDone()).isFalse();
        assertThat(result).isNotDone();
        release.countDown();

        assertThat(result.get(10, TimeUnit.SECONDS).text()).isEqualTo("320 bytes");
        assertThat(deferred.name()).isEqualTo("slow");
    }

    @Test
    void givenALoadThatNeverEnds_whenTheCallIsCancelled_thenItStopsWaiting() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        DeferredTranscriber deferred = new DeferredTranscriber("stuck", () -> {
            never.await();
            return counting();
        });
        CancelSignal cancel = new CancelSignal();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                deferred.transcribe(SHORT, Transcriber.Hints.NONE, cancel);
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> Thread.ofVirtual().start(r));

        cancel.cancel("hang-up");

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isInstanceOf(CancelledException.class);
        never.countDown();
    }

    @Test
    void givenAFailedLoad_whenTranscribing_thenUnavailableWithTheCause() {
        DeferredTranscriber deferred = new DeferredTranscriber("broken", () -> {
            throw new IllegalStateException("model file damaged");
        });
        assertThatThrownBy(() -> deferred.transcribe(SHORT, Transcriber.Hints.NONE, new CancelSignal()))
                .isInstanceOfSatisfying(ProviderException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ProviderException.Kind.UNAVAILABLE);
                    assertThat(e.getMessage()).contains("broken", "model file damaged");
                });
    }
}
