package dev.hotline.core.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Cuts a reply that arrives as text deltas into speakable pieces, as early as is safe, so speech can start
 * on the first sentence while the rest is still being written.
 *
 * <p>A piece ends at a sentence end: {@code . ! ?} or an ellipsis, followed by blanks and then a character
 * that is not a lower-case letter (this lookahead is why a piece is only emitted once the next word has
 * started). Abbreviations ({@code Dr.}, {@code e.g.}) and initials are not sentence ends; decimals such as
 * {@code 3.5} are not either, since no blank follows the point. A line break ends a piece. The first piece of
 * a reply may be cut early at a clause boundary (comma, semicolon, colon, dash) once it holds
 * {@code firstPieceMinChars}, to cut the time to first audio. No piece is longer than {@code maxPieceChars}:
 * a long run without a boundary is cut at its last blank.
 *
 * <p>Not thread-safe: one per reply, fed by the thread reading the reply.
 */
public final class SentenceChunker {

    private static final Set<String> ABBREVIATIONS = Set.of("mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "vs",
            "etc", "e.g", "i.e", "eg", "ie", "approx", "no", "inc", "ltd", "co", "mt", "ft", "u.s", "a.m", "p.m",
            "fig", "vol", "dept", "est", "min", "max", "sgt", "capt", "gen", "lt", "col", "rev");
    private static final String CLOSERS = ".!?…\"')]”’";

    private final int maxPieceChars;
    private final int firstPieceMinChars;
    private final StringBuilder buffer = new StringBuilder();
    private int emitted;

    /**
     * @param maxPieceChars the longest piece, at least 20
     * @param firstPieceMinChars the first piece may be cut at a clause boundary once this long; 0 for never
     */
    public SentenceChunker(int maxPieceChars, int firstPieceMinChars) {
        if (maxPieceChars < 20) {
            throw new IllegalArgumentException("maxPieceChars must be >= 20, was " + maxPieceChars);
        }
        if (firstPieceMinChars < 0 || firstPieceMinChars >= maxPieceChars) {
            throw new IllegalArgumentException("firstPieceMinChars must be in 0.." + (maxPieceChars - 1) + ", was "
                    + firstPieceMinChars);
        }
        this.maxPieceChars = maxPieceChars;
        this.firstPieceMinChars = firstPieceMinChars;
    }

    /**
     * The pieces a whole known text (a fixed line such as the greeting) is spoken in: cut at sentence ends, no
     * piece longer than {@code maxPieceChars}, no early first cut. The engine speaks fixed lines in exactly
     * these pieces, so a phrase cache must hold them, not only the whole line.
     */
    public static List<String> pieces(String text, int maxPieceChars) {
        List<String> pieces = new ArrayList<>();
        SentenceChunker chunker = new SentenceChunker(maxPieceChars, 0);
        chunker.append(text, pieces::add);
        chunker.finish(pieces::add);
        return List.copyOf(pieces);
    }

    /** Adds a delta; hands every piece it completes to {@code out}, in order. */
    public void append(String delta, Consumer<String> out) {
        buffer.append(delta);
        int end;
        while ((end = nextCut()) > 0) {
            emit(buffer.substring(0, end), out);
            buffer.delete(0, end);
        }
    }

    /** The reply is complete: hands the rest, if any, to {@code out}. */
    public void finish(Consumer<String> out) {
        emit(buffer.toString(), out);
        buffer.setLength(0);
    }

    /** The text received and not yet emitted. */
    public String pending() {
        return buffer.toString();
    }

    /** How many pieces were emitted. */
    public int piecesEmitted() {
        return emitted;
    }

    private void emit(String piece, Consumer<String> out) {
        String text = piece.strip();
        if (!text.isEmpty()) {
            emitted++;
            out.accept(text);
        }
    }

    /** Where the next piece ends (exclusive), or 0 if it cannot be decided yet. */
    private int nextCut() {
        int length = buffer.length();
        int limit = Math.min(length, maxPieceChars);
        for (int i = 0; i < limit; i++) {
            char c = buffer.charAt(i);
            if (c == '\n') {
                if (i > 0 && !buffer.substring(0, i).isBlank()) {
                    return i + 1;
                }
                continue;
            }
            if (c == '.' || c == '!' || c == '?' || c == '…') {
                int end = sentenceEnd(i);
                if (end < 0) {
                    return 0;
                }
                if (end > 0) {
                    return end;
                }
            } else if (earlyClauseEnd(i)) {
                return i + 1;
            }
        }
        if (length > maxPieceChars) {
            int blank = buffer.lastIndexOf(" ", maxPieceChars);
            return blank > maxPieceChars / 2 ? blank + 1 : maxPieceChars;
        }
        return 0;
    }

    /**
     * Whether the punctuation at {@code at} ends a sentence: the end of the piece (after closing punctuation
     * and blanks) if so, 0 if it does not, -1 if the text so far cannot tell.
     */
    private int sentenceEnd(int at) {
        int length = buffer.length();
        int j = at;
        while (j < length && CLOSERS.indexOf(buffer.charAt(j)) >= 0) {
            j++;
        }
        if (j == length) {
            return -1;
        }
        if (!Character.isWhitespace(buffer.charAt(j))) {
            return 0;
        }
        int k = j;
        while (k < length && Character.isWhitespace(buffer.charAt(k))) {
            k++;
        }
        if (k == length) {
            return -1;
        }
        if (buffer.charAt(at) == '.' && (isAbbreviation(at) || Character.isLowerCase(buffer.charAt(k)))) {
            return 0;
        }
        return j;
    }

    private boolean isAbbreviation(int dot) {
        int start = dot;
        while (start > 0 && (Character.isLetter(buffer.charAt(start - 1)) || buffer.charAt(start - 1) == '.')) {
            start--;
        }
        String word = buffer.substring(start, dot).toLowerCase(Locale.ROOT);
        if (word.length() == 1 && Character.isLetter(word.charAt(0))) {
            return Character.isUpperCase(buffer.charAt(start));
        }
        return ABBREVIATIONS.contains(word);
    }

    /** Whether the first piece may end after {@code at}: a clause boundary, late enough, then a blank. */
    private boolean earlyClauseEnd(int at) {
        if (emitted > 0 || firstPieceMinChars == 0 || at < firstPieceMinChars - 1 || at + 1 >= buffer.length()) {
            return false;
        }
        char c = buffer.charAt(at);
        boolean clause = c == ',' || c == ';' || c == ':' || c == '—' || c == '–';
        return clause && Character.isWhitespace(buffer.charAt(at + 1));
    }
}
