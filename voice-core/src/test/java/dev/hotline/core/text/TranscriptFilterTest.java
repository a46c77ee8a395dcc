package dev.hotline.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.CallSettings;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TranscriptFilterTest {

    private final TranscriptFilter filter = new TranscriptFilter(CallSettings.DEFAULT_HALLUCINATIONS, 40);

    @ParameterizedTest
    @ValueSource(strings = {"Thank you for watching!", "  thank you for watching.  ", "Subtitles by the Amara.org community",
            "you", "You.", "THANKS FOR WATCHING"})
    void givenAKnownHallucination_whenFiltered_thenDropped(String transcript) {
        assertThat(filter.filter(transcript)).isInstanceOf(TranscriptFilter.Result.Dropped.class)
                .extracting(r -> ((TranscriptFilter.Result.Dropped) r).why()).isEqualTo("known hallucination");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "[BLANK_AUDIO]", "(music)"})
    void givenNothingSpoken_whenFiltered_thenDroppedAsEmpty(String transcript) {
        assertThat(filter.filter(transcript)).isEqualTo(new TranscriptFilter.Result.Dropped(transcript, "empty"));
    }

    @Test
    void givenPunctuationOnly_whenFiltered_thenDropped() {
        assertThat(filter.filter("... ?!")).isEqualTo(new TranscriptFilter.Result.Dropped("... ?!", "punctuation only"));
    }

    @Test
    void givenRealSpeechContainingAHallucinationPhrase_whenFiltered_thenKept() {
        assertThat(filter.filter("Thank you for the new album"))
                .isEqualTo(new TranscriptFilter.Result.Accepted("Thank you for the new album"));
    }

    @Test
    void givenControlCharactersTagsAndBlanks_whenFiltered_thenSanitized() {
        assertThat(filter.filter("  hello\u0000\u200b  [Music]   there\n\tJason "))
                .isEqualTo(new TranscriptFilter.Result.Accepted("hello there Jason"));
    }

    @Test
    void givenAVeryLongTranscript_whenFiltered_thenCutAtAWordBoundaryWithinTheCap() {
        TranscriptFilter.Result result = filter.filter("one two three four five six seven eight nine ten eleven");

        String text = ((TranscriptFilter.Result.Accepted) result).text();
        assertThat(text).hasSizeLessThanOrEqualTo(40).isEqualTo("one two three four five six seven eight");
    }

    @Test
    void givenAConfiguredList_whenFiltered_thenItsPhrasesAreDropped() {
        TranscriptFilter custom = new TranscriptFilter(List.of("bye bye"), 100);

        assertThat(custom.filter("Bye-bye!")).isInstanceOf(TranscriptFilter.Result.Dropped.class);
        assertThat(custom.filter("you")).isInstanceOf(TranscriptFilter.Result.Accepted.class);
    }

    @Test
    void givenABadCap_whenConstructed_thenRejected() {
        assertThatThrownBy(() -> new TranscriptFilter(List.of(), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxChars");
    }
}
