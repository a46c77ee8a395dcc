package dev.hotline.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WordErrorRateTest {

    @Test
    void givenIdenticalTextUpToCaseAndPunctuation_whenCounted_thenThereAreNoErrors() {
        assertThat(WordErrorRate.count("Your message has been saved.", "your message has been saved"))
                .isEqualTo(new WordErrorRate.Count(0, 5));
    }

    @Test
    void givenOneOfEachError_whenCounted_thenEachCostsOne() {
        // "the" deleted, "cat" -> "bat" substituted, "now" inserted.
        assertThat(WordErrorRate.count("the cat sat down", "bat sat down now"))
                .isEqualTo(new WordErrorRate.Count(3, 4));
    }

    @Test
    void givenSymbolsAndDigits_whenNormalised_thenTheyAreSpelledAsSpoken() {
        assertThat(WordErrorRate.normalise("Press 1 to enter, press * or #. Call-Forward"))
                .containsExactly("press", "one", "to", "enter", "press", "star", "or", "pound", "call", "forward");
    }

    @Test
    void givenAnEmptyHypothesis_whenCounted_thenEveryReferenceWordIsAnError() {
        assertThat(WordErrorRate.count("he was not", "").rate()).isEqualTo(1.0);
    }
}
