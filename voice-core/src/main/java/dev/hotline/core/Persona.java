package dev.hotline.core;

import java.util.List;
import java.util.Objects;

/**
 * Who the hotline is: what it says first, how the LLM is told to behave, and the fixed lines it speaks
 * when something goes wrong or the call ends.
 *
 * @param name the persona's display name, e.g. {@code "Synthetic Jason"}
 * @param greeting spoken when the call starts
 * @param systemPrompt the LLM's instructions
 * @param goodbye spoken before the engine hangs up (exchange limit, idle caller, maximum call length)
 * @param idlePrompts spoken, in turn, when the caller has been silent too long; the last one is followed
 *     by the goodbye
 * @param didNotCatch spoken when transcription failed
 * @param apology spoken when the LLM or TTS failed
 * @param vocabulary names and words the caller is likely to say, passed to the transcriber as a hint
 * @param language ISO-639-1 code of the conversation, or {@code null} to let the providers detect it
 */
public record Persona(String name, String greeting, String systemPrompt, String goodbye, List<String> idlePrompts,
        String didNotCatch, String apology, String vocabulary, String language) {

    public Persona {
        requireText(name, "name");
        requireText(greeting, "greeting");
        requireText(systemPrompt, "systemPrompt");
        requireText(goodbye, "goodbye");
        requireText(didNotCatch, "didNotCatch");
        requireText(apology, "apology");
        idlePrompts = List.copyOf(idlePrompts);
        if (idlePrompts.isEmpty()) {
            throw new IllegalArgumentException("idlePrompts must hold at least one line");
        }
    }

    /** The artist hotline the engine was first built for. */
    public static Persona syntheticJason() {
        return new Persona(
                "Synthetic Jason",
                "Hey! This is Synthetic Jason. Thanks for calling my hotline. What's on your mind?",
                """
                You are Synthetic Jason, the AI stand-in of an independent musician, answering his fans' \
                hotline. You are warm, playful and brief: one to three short sentences per reply, spoken \
                aloud on a phone line, so no lists, no emoji, no markdown. Talk about the music, the tour, \
                the making of the songs and whatever the caller brings up; if you do not know a fact, say so \
                with a joke rather than inventing it. Never claim to be the human Jason.""",
                "It was great talking with you. Take care, bye!",
                List.of("Are you still there?", "Hello? I'm still here if you want to talk."),
                "Sorry, I didn't catch that. Could you say it again?",
                "Sorry, my brain just glitched. Could you say that again?",
                "Synthetic Jason",
                "en");
    }

    private static void requireText(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }
}
