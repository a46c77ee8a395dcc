package dev.hotline.local;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.Responder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Answers from a {@link PersonaScript} instead of an LLM: keyword intents, fallback lines and a goodbye.
 * For demos, tests and no-key mode, and as the fallback when the LLM is down.
 *
 * <p><b>How a reply is chosen.</b> With no caller message yet, the greeting. Otherwise the caller's last
 * message is matched against the goodbye keywords (a match gives the goodbye), then against every intent's
 * keywords: the intent with the most distinct keywords present wins, the earlier one in the script on a tie.
 * No match gives a fallback line. Each intent's replies (and the fallback lines) are used in turn: the
 * n-th time the same intent matches within a conversation gives reply n modulo the number of replies.
 * Keywords match whole words (or whole phrases), case-insensitively.
 *
 * <p><b>Deterministic.</b> The reply depends only on the conversation passed in: the same messages give the
 * same reply, on any machine, with no randomness and no state kept between requests.
 *
 * <p><b>Streaming.</b> The reply is delivered word by word (each delta a word with the whitespace that
 * follows it); the cancel signal is checked before every delta. {@code maxTokens}, if set, caps the words
 * delivered and the usage then reports {@code finishReason "length"}; usage counts words as tokens.
 *
 * <p><b>Threading.</b> Immutable; any number of calls at once.
 */
public final class ScriptedResponder implements Responder {

    private static final Pattern NOT_WORD = Pattern.compile("[^\\p{L}\\p{N}']+");
    private static final Pattern DELTA = Pattern.compile("\\S+\\s*");

    private final PersonaScript script;

    public ScriptedResponder(PersonaScript script) {
        this.script = Objects.requireNonNull(script, "script");
    }

    /** A responder with the shipped "Synthetic Jason" script. */
    public static ScriptedResponder syntheticJason() {
        return new ScriptedResponder(PersonaScript.syntheticJason());
    }

    /** The script answered from. */
    public PersonaScript script() {
        return script;
    }

    @Override
    public Usage respond(Request request, TextSink sink, CancelSignal cancel) throws IOException {
        cancel.throwIfCancelled();
        String reply = replyTo(request.messages());
        List<String> deltas = new ArrayList<>();
        DELTA.matcher(reply.strip()).results().forEach(m -> deltas.add(m.group()));
        int limit = request.maxTokens() > 0 ? Math.min(request.maxTokens(), deltas.size()) : deltas.size();
        for (int i = 0; i < limit; i++) {
            cancel.throwIfCancelled();
            sink.onText(i == limit - 1 ? deltas.get(i).stripTrailing() : deltas.get(i));
        }
        long promptWords = request.messages().stream().mapToLong(m -> words(m.content()).size()).sum();
        return new Usage(promptWords, limit, limit < deltas.size() ? "length" : "stop");
    }

    @Override
    public String name() {
        return "scripted (" + script.name() + ")";
    }

    /** The whole reply to {@code messages}, as {@link #respond} streams it. */
    public String replyTo(List<ChatMessage> messages) {
        List<String> callerTurns = messages.stream()
                .filter(m -> m.role() == ChatMessage.Role.USER)
                .map(ChatMessage::content)
                .toList();
        if (callerTurns.isEmpty()) {
            return script.greeting();
        }
        String last = callerTurns.getLast();
        if (matchesAny(normalise(last), script.goodbyeKeywords())) {
            return script.goodbye();
        }
        int intent = bestIntent(last);
        int earlier = 0;
        for (int i = 0; i < callerTurns.size() - 1; i++) {
            String turn = normalise(callerTurns.get(i));
            if (!matchesAny(turn, script.goodbyeKeywords()) && bestIntent(callerTurns.get(i)) == intent) {
                earlier++;
            }
        }
        List<String> lines = intent < 0 ? script.fallback() : script.intents().get(intent).replies();
        return lines.get(earlier % lines.size());
    }

    /** Index of the best intent for {@code text}, or -1 for none. */
    private int bestIntent(String text) {
        String normalised = normalise(text);
        int best = -1;
        int bestScore = 0;
        for (int i = 0; i < script.intents().size(); i++) {
            int score = 0;
            for (String keyword : script.intents().get(i).keywords()) {
                if (contains(normalised, keyword)) {
                    score++;
                }
            }
            if (score > bestScore) {
                best = i;
                bestScore = score;
            }
        }
        return best;
    }

    private static boolean matchesAny(String normalised, List<String> keywords) {
        return keywords.stream().anyMatch(k -> contains(normalised, k));
    }

    /** Whole-word match: both sides are space-separated words, padded with spaces. */
    private static boolean contains(String normalised, String keyword) {
        return normalised.contains(" " + String.join(" ", words(keyword)) + " ");
    }

    private static String normalise(String text) {
        return " " + String.join(" ", words(text)) + " ";
    }

    private static List<String> words(String text) {
        String lower = text.toLowerCase(Locale.ROOT).replace('\u2019', '\'');
        List<String> words = new ArrayList<>();
        for (String word : NOT_WORD.split(lower)) {
            if (!word.isEmpty()) {
                words.add(word);
            }
        }
        return words;
    }
}
