package dev.hotline.core.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceChunkerTest {

    private static List<String> chunk(SentenceChunker chunker, String... deltas) {
        List<String> out = new ArrayList<>();
        for (String delta : deltas) {
            chunker.append(delta, out::add);
        }
        chunker.finish(out::add);
        return out;
    }

    private static List<String> oneCharAtATime(SentenceChunker chunker, String text) {
        return chunk(chunker, text.split(""));
    }

    @Test
    void givenAWholeFixedLine_whenCutIntoPieces_thenSentenceByLongSentenceCutAtABlank() {
        assertThat(SentenceChunker.pieces("It was great talking with you. Take care, bye!", 200))
                .containsExactly("It was great talking with you.", "Take care, bye!");
        assertThat(SentenceChunker.pieces("Dr. Smith says hi. " + "word ".repeat(10).strip(), 20))
                .allSatisfy(piece -> assertThat(piece.length()).isLessThanOrEqualTo(20))
                .first().isEqualTo("Dr. Smith says hi.");
    }

    @Test
    void givenTwoSentences_whenStreamed_thenTwoPieces() {
        assertThat(chunk(new SentenceChunker(200, 0), "Hello there", ". How are", " you today?"))
                .containsExactly("Hello there.", "How are you today?");
    }

    @Test
    void givenASentenceEnd_whenTheNextWordHasNotStarted_thenThePieceWaitsForTheLookahead() {
        SentenceChunker chunker = new SentenceChunker(200, 0);
        List<String> out = new ArrayList<>();

        chunker.append("It costs 3.", out::add);
        assertThat(out).isEmpty();
        chunker.append("5 dollars. Next", out::add);

        assertThat(out).containsExactly("It costs 3.5 dollars.");
    }

    @Test
    void givenAbbreviationsAndInitials_whenStreamedOneCharAtATime_thenNotSplitThere() {
        assertThat(oneCharAtATime(new SentenceChunker(200, 0),
                "Dr. Smith met J. R. Tolkien, e.g. at St. Mary's. Then they left!"))
                .containsExactly("Dr. Smith met J. R. Tolkien, e.g. at St. Mary's.", "Then they left!");
    }

    @Test
    void givenALowerCaseWordAfterAPoint_whenStreamed_thenNotASentenceEnd() {
        assertThat(chunk(new SentenceChunker(200, 0), "We met at 5 p.m. and talked. Good."))
                .containsExactly("We met at 5 p.m. and talked.", "Good.");
    }

    @Test
    void givenQuestionsExclamationsQuotesAndEllipses_whenStreamed_thenCutAfterTheClosers() {
        assertThat(chunk(new SentenceChunker(200, 0), "He said \"wow!\" Then... Silence? Yes."))
                .containsExactly("He said \"wow!\"", "Then...", "Silence?", "Yes.");
    }

    @Test
    void givenALongFirstClause_whenStreamed_thenTheFirstPieceIsCutEarlyAtTheComma() {
        assertThat(chunk(new SentenceChunker(200, 20), "Well, the tour starts in early May, and it runs all "
                + "summer long. After that, we rest."))
                .containsExactly("Well, the tour starts in early May,", "and it runs all summer long.",
                        "After that, we rest.");
    }

    @Test
    void givenNoBoundaryForLong_whenStreamed_thenPiecesAreCappedAtABlank() {
        String words = "word ".repeat(30).strip();

        List<String> pieces = chunk(new SentenceChunker(40, 0), words);

        assertThat(pieces).allMatch(p -> p.length() <= 40);
        assertThat(String.join(" ", pieces)).isEqualTo(words);
    }

    @Test
    void givenLineBreaks_whenStreamed_thenEachLineIsAPiece() {
        assertThat(chunk(new SentenceChunker(200, 0), "First line\nsecond line\n\nthird"))
                .containsExactly("First line", "second line", "third");
    }

    @Test
    void givenAnyDeltaSplit_whenStreamed_thenThePiecesAreTheSame() {
        String text = "Hi! I'm Jason, and this is my hotline. Dr. Who is on at 7.30 tonight... Call again?";
        List<String> whole = chunk(new SentenceChunker(200, 10), text);
        for (int split = 1; split < text.length(); split++) {
            assertThat(chunk(new SentenceChunker(200, 10), text.substring(0, split), text.substring(split)))
                    .as("split at %d", split).isEqualTo(whole);
        }
        assertThat(oneCharAtATime(new SentenceChunker(200, 10), text)).isEqualTo(whole);
    }

    @Test
    void givenBadLimits_whenConstructed_thenRejected() {
        assertThatThrownBy(() -> new SentenceChunker(10, 0)).hasMessageContaining("maxPieceChars");
        assertThatThrownBy(() -> new SentenceChunker(100, 100)).hasMessageContaining("firstPieceMinChars");
    }
}
