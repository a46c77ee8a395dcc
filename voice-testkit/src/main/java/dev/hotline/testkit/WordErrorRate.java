package dev.hotline.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Word error rate: (substitutions + deletions + insertions) / reference words, by word-level Levenshtein
 * alignment, after normalising both sides the same way (lower case, no punctuation, symbols and digits
 * spelled out as a recognizer writes them). Used to measure recognizers and to check that synthesized
 * speech is intelligible.
 */
public final class WordErrorRate {

    private static final Map<String, String> SPOKEN = Map.ofEntries(
            Map.entry("*", "star"), Map.entry("#", "pound"), Map.entry("0", "zero"), Map.entry("1", "one"),
            Map.entry("2", "two"), Map.entry("3", "three"), Map.entry("4", "four"), Map.entry("5", "five"),
            Map.entry("6", "six"), Map.entry("7", "seven"), Map.entry("8", "eight"), Map.entry("9", "nine"));

    private WordErrorRate() {
    }

    /** Errors and reference length of one pair; add them up over a set before dividing. */
    public record Count(int errors, int referenceWords) {
        /** This count and {@code other} together. */
        public Count plus(Count other) {
            return new Count(errors + other.errors, referenceWords + other.referenceWords);
        }

        /** Errors per reference word; 0 for an empty reference. */
        public double rate() {
            return referenceWords == 0 ? 0 : errors / (double) referenceWords;
        }
    }

    /** Errors of {@code hypothesis} against {@code reference}, and the reference's length in words. */
    public static Count count(String reference, String hypothesis) {
        List<String> ref = normalise(reference);
        List<String> hyp = normalise(hypothesis);
        int[] previous = new int[hyp.size() + 1];
        int[] current = new int[hyp.size() + 1];
        for (int j = 0; j <= hyp.size(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= ref.size(); i++) {
            current[0] = i;
            for (int j = 1; j <= hyp.size(); j++) {
                int substitute = previous[j - 1] + (ref.get(i - 1).equals(hyp.get(j - 1)) ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return new Count(previous[hyp.size()], ref.size());
    }

    /** The words of {@code text} as both sides are compared: lower case, no punctuation, symbols spoken. */
    public static List<String> normalise(String text) {
        List<String> words = new ArrayList<>();
        String spaced = text.toLowerCase(Locale.ROOT).replace("*", " * ").replace("#", " # ").replace('-', ' ');
        for (String token : spaced.split("\\s+")) {
            String spoken = SPOKEN.get(token);
            if (spoken != null) {
                words.add(spoken);
                continue;
            }
            String word = token.replaceAll("[^a-z0-9']", "");
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }
}
