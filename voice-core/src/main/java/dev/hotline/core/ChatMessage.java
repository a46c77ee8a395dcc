package dev.hotline.core;

import java.util.Objects;

/**
 * One message of a conversation as an LLM sees it.
 *
 * @param role who said it
 * @param content what was said
 */
public record ChatMessage(Role role, String content) {

    /** Who said a message. */
    public enum Role {
        /** The persona's instructions. */
        SYSTEM,
        /** The caller. */
        USER,
        /** The persona's replies, as far as the caller heard them. */
        ASSISTANT
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
