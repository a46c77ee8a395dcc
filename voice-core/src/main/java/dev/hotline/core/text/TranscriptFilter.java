package dev.hotline.core.text;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides whether a transcript is worth a reply, and makes it safe to hand to the LLM.
 *
 * <p>Dropped: empty transcripts, transcripts without a letter or digit, and known speech-recognizer
 * hallucinations (Whisper invents "Thank you for watching" and the like on silence and noise), compared
 * ignoring case, punctuation and spacing. Kept transcripts are sanitized: control characters and
 * non-speech tags such as {@code [Music]} or {@code (applause)} removed, blanks collapsed, and the text cut
 * at a word boundary to the configured length.
 *
 * <p>Immutable and thread-safe.
 */
public final class TranscriptFilter {

    private static final Pattern TAGS = Pattern.compile("\\[[^\\]]{0,40}\\]|\\([^)]{0,40}\\)|\\*[^*]{0,40}\\*");
    private static final Pattern CONTROL = Pattern.compile("[\\p{Cc}\\p{Cf}&&[^\\t\\n\\r]]");
    private static final Pattern BLANKS = Pattern.compile("\\s+");
    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}]+");

    private final Set<String> hallucinations = new HashSet<>();
    private final int maxChars;

    /**
     * @param hallucinations phrases to drop, compared after normalization
     * @param maxChars the longest text passed on; longer text is cut at a word boundary
     */
    public TranscriptFilter(List<String> hallucinations, int maxChars) {
        Objects.requireNonNull(hallucinations, "hallucinations");
        if (maxChars < 1) {
            throw new IllegalArgumentException("maxChars must be >= 1, was " + maxChars);
        }
        for (String phrase : hallucinations) {
            String key = normalize(Objects.requireNonNull(phrase, "hallucination"));
            if (!key.isEmpty()) {
                this.hallucinations.add(key);
            }
        }
        this.maxChars = maxChars;
    }

    /** What the filter decided. */
    public sealed interface Result {
        /** Pass {@code text} on to the conversation. */
        record Accepted(String text) implements Result {
        }

        /** Drop the utterance; {@code why} names the rule. */
        record Dropped(String text, String why) implements Result {
        }
    }

    /** Filters one transcript. */
    public Result filter(String transcript) {
        Objects.requireNonNull(transcript, "transcript");
        String text = sanitize(transcript);
        if (text.isEmpty()) {
            return new Result.Dropped(transcript, "empty");
        }
        String key = normalize(text);
        if (key.isEmpty()) {
            return new Result.Dropped(transcript, "punctuation only");
        }
        if (hallucinations.contains(key)) {
            return new Result.Dropped(transcript, "known hallucination");
        }
        return new Result.Accepted(cap(text));
    }

    private static String sanitize(String raw) {
        String text = CONTROL.matcher(raw).replaceAll("");
        text = TAGS.matcher(text).replaceAll(" ");
        return BLANKS.matcher(text).replaceAll(" ").strip();
    }

    private String cap(String text) {
        if (text.length() <= maxChars) {
            return text;
        }
        int cut = text.lastIndexOf(' ', maxChars);
        return (cut > maxChars / 2 ? text.substring(0, cut) : text.substring(0, maxChars)).strip();
    }

    private static String normalize(String text) {
        return NOT_WORD.matcher(text.toLowerCase(Locale.ROOT)).replaceAll(" ").strip();
    }
}
