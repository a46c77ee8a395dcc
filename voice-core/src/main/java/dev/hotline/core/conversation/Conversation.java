package dev.hotline.core.conversation;

import dev.hotline.core.ChatMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * A call's memory as the LLM sees it: the persona's system prompt, then the latest caller and persona
 * messages. Bounded: at most {@code historyMessages} messages besides the system prompt (the oldest go
 * first, and the history never starts with a persona message), and at most {@code maxExchanges} replies
 * per call ({@link #limitReached()}).
 *
 * <p>Not thread-safe: the call session guards it with its lock.
 */
public final class Conversation {

    private final ChatMessage system;
    private final int historyMessages;
    private final int maxExchanges;
    private final Deque<ChatMessage> history = new ArrayDeque<>();
    private int exchanges;

    /**
     * @param systemPrompt the persona's instructions, always sent first
     * @param historyMessages the most caller and persona messages kept, at least 2
     * @param maxExchanges replies per call, at least 1
     */
    public Conversation(String systemPrompt, int historyMessages, int maxExchanges) {
        this.system = ChatMessage.system(Objects.requireNonNull(systemPrompt, "systemPrompt"));
        if (historyMessages < 2) {
            throw new IllegalArgumentException("historyMessages must be >= 2, was " + historyMessages);
        }
        if (maxExchanges < 1) {
            throw new IllegalArgumentException("maxExchanges must be >= 1, was " + maxExchanges);
        }
        this.historyMessages = historyMessages;
        this.maxExchanges = maxExchanges;
    }

    /** Adds what the caller said. */
    public void addUser(String text) {
        add(ChatMessage.user(text));
    }

    /**
     * Takes back the caller's last message if it is {@code text} and nothing came after it: the caller went
     * on speaking before it was answered, and it is sent again as part of a longer message. Returns whether
     * it was taken back.
     */
    public boolean retractLastUser(String text) {
        ChatMessage last = history.peekLast();
        if (last == null || !last.equals(ChatMessage.user(text))) {
            return false;
        }
        history.removeLast();
        return true;
    }

    /**
     * Adds what the persona said, as far as the caller heard it, and counts the exchange. Nothing is added
     * if the caller heard nothing, but the exchange still counts.
     */
    public void addAssistant(String heard) {
        exchanges++;
        if (!heard.isBlank()) {
            add(ChatMessage.assistant(heard.strip()));
        }
    }

    /** The messages to send: the system prompt, then the history, oldest first. */
    public List<ChatMessage> messages() {
        List<ChatMessage> out = new ArrayList<>(history.size() + 1);
        out.add(system);
        out.addAll(history);
        return out;
    }

    /** Replies given so far. */
    public int exchanges() {
        return exchanges;
    }

    /** Whether the call has had its last exchange. */
    public boolean limitReached() {
        return exchanges >= maxExchanges;
    }

    /** Forgets the history (at the end of the call). */
    public void clear() {
        history.clear();
    }

    private void add(ChatMessage message) {
        history.addLast(message);
        while (history.size() > historyMessages) {
            history.removeFirst();
        }
        while (!history.isEmpty() && history.peekFirst().role() == ChatMessage.Role.ASSISTANT) {
            history.removeFirst();
        }
    }
}
