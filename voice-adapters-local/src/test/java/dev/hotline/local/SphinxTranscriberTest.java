package dev.hotline.local;

import dev.hotline.testkit.WordErrorRate;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.Pcm16;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SphinxTranscriberTest {

    @Test
    void givenLibrivoxSpeech_whenTranscribed_thenMostWordsAreRightAndUsageCountsTheAudio() throws Exception {
        SpeechSets.Sample sample = SpeechSets.librivox(TestAudio.speechDir()).get(1);
        Transcript transcript = SharedSphinx.get().transcribe(sample.utterance(), Transcriber.Hints.NONE,
                new CancelSignal());

        // "he was not an ill disposed young man": sphinx4 gets "he was not" and "young man" right.
        assertThat(transcript.text()).startsWith("he was not").endsWith("young man");
        assertThat(WordErrorRate.count(sample.reference(), transcript.text()).rate()).isLessThan(0.6);
        assertThat(transcript.usage().audioSeconds()).isCloseTo(2.99, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void givenThePhoneSet_whenTranscribed_thenTheWordErrorRateIsWhatTheBenchmarkReports() throws Exception {
        List<SpeechSets.Sample> phone = SpeechSets.phone(TestAudio.speechDir()).subList(0, 4);
        WordErrorRate.Count total = new WordErrorRate.Count(0, 0);
        for (SpeechSets.Sample sample : phone) {
            Transcript t = SharedSphinx.get().transcribe(sample.utterance(), Transcriber.Hints.NONE, new CancelSignal());
            total = total.plus(WordErrorRate.count(sample.reference(), t.text()));
        }
        // docs/benchmarks.md: 57 % on the whole phone set; far from perfect, far from noise.
        assertThat(total.rate()).isBetween(0.2, 0.85);
    }

    @Test
    void givenAnotherCallerInBetween_whenTheSameUtteranceIsTranscribedAgain_thenTheTextIsTheSame() throws Exception {
        List<SpeechSets.Sample> phone = SpeechSets.phone(TestAudio.speechDir());
        Utterance first = phone.get(7).utterance();
        Utterance other = SpeechSets.librivox(TestAudio.speechDir()).get(1).utterance();
        SphinxTranscriber sphinx = SharedSphinx.get();

        String before = sphinx.transcribe(first, Transcriber.Hints.NONE, new CancelSignal()).text();
        sphinx.transcribe(other, Transcriber.Hints.NONE, new CancelSignal());
        String after = sphinx.transcribe(first, Transcriber.Hints.NONE, new CancelSignal()).text();

        assertThat(after).isEqualTo(before).isNotEmpty();
    }

    @Test
    void givenSilence_whenTranscribed_thenTheTextIsEmpty() throws Exception {
        Utterance silence = new Utterance(AudioFormat.PCM16_8K, new byte[8_000 * 2]);
        assertThat(SharedSphinx.get().transcribe(silence, Transcriber.Hints.NONE, new CancelSignal()).text())
                .isEmpty();
    }

    @Test
    void givenAnUnsupportedRate_whenTranscribing_thenMisuseIsReportedBeforeDecoding() {
        Utterance cd = new Utterance(new AudioFormat(AudioFormat.Encoding.PCM16_LE, 44_100, 1), new byte[4_410]);
        assertThatThrownBy(() -> SharedSphinx.get().transcribe(cd, Transcriber.Hints.NONE, new CancelSignal()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("44100");
    }

    @Test
    void givenALongUtterance_whenCancelledWhileDecoding_thenCancelledIsThrown() throws Exception {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (SpeechSets.Sample sample : SpeechSets.librivox(TestAudio.speechDir())) {
            all.writeBytes(sample.utterance().pcm());
        }
        Utterance longOne = new Utterance(AudioFormat.PCM16_16K, all.toByteArray());
        SphinxTranscriber sphinx = SharedSphinx.get();
        CancelSignal cancel = new CancelSignal();
        CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(() -> {
            try {
                sphinx.transcribe(longOne, Transcriber.Hints.NONE, cancel);
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, r -> Thread.ofVirtual().start(r));

        // 24.7 s of speech takes seconds of CPU to decode; the cancel lands long before the end.
        Thread.sleep(50);
        cancel.cancel("hang-up");

        assertThat(outcome.get(30, TimeUnit.SECONDS)).isInstanceOf(CancelledException.class);
        Transcript after = sphinx.transcribe(SpeechSets.librivox(TestAudio.speechDir()).get(1).utterance(),
                Transcriber.Hints.NONE, new CancelSignal());
        assertThat(after.text()).as("the recognizer still works after a cancel").contains("young man");
        assertThat(Pcm16.toShorts(longOne.pcm())).isNotEmpty();
    }
}
