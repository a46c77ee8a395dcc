package dev.hotline.local;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hotline.core.Persona;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A scripted persona, read from YAML: what {@link ScriptedResponder} says. The format is described in
 * {@code docs/providers-local.md}; {@link #syntheticJason()} is the shipped example.
 *
 * <p>Immutable and thread-safe. Every field is checked when the script is built: a bad file fails at
 * start-up with {@code IllegalArgumentException} naming each problem, never in the middle of a call.
 *
 * @param name the persona's display name
 * @param language ISO-639-1 code, or {@code null}
 * @param greeting spoken when the call starts
 * @param goodbye spoken when the caller says goodbye, and before the engine hangs up
 * @param didNotCatch spoken when transcription failed
 * @param apology spoken when something failed
 * @param idlePrompts spoken, in turn, when the caller is silent
 * @param goodbyeKeywords words or phrases that end the conversation
 * @param intents what the persona answers to, in order of preference on a tie
 * @param fallback said, in turn, when no intent matches
 */
public record PersonaScript(String name, String language, String greeting, String goodbye, String didNotCatch,
        String apology, List<String> idlePrompts, List<String> goodbyeKeywords, List<Intent> intents,
        List<String> fallback) {

    /** Where the default script sits on the class path. */
    public static final String SYNTHETIC_JASON_RESOURCE = "/dev/hotline/local/synthetic-jason.yaml";

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public PersonaScript {
        List<String> problems = new ArrayList<>();
        requireText(name, "name", problems);
        requireText(greeting, "greeting", problems);
        requireText(goodbye, "goodbye", problems);
        requireText(didNotCatch, "didNotCatch", problems);
        requireText(apology, "apology", problems);
        requireLines(idlePrompts, "idlePrompts", problems);
        requireLines(goodbyeKeywords, "goodbyeKeywords", problems);
        requireLines(fallback, "fallback", problems);
        if (intents == null) {
            intents = List.of();
        }
        for (int i = 0; i < intents.size(); i++) {
            Intent intent = intents.get(i);
            if (intent == null) {
                problems.add("intents[" + i + "] is empty");
                continue;
            }
            String where = "intents[" + i + "] (" + intent.name() + ")";
            requireText(intent.name(), "intents[" + i + "].name", problems);
            requireLines(intent.keywords(), where + ".keywords", problems);
            requireLines(intent.replies(), where + ".replies", problems);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("invalid persona script: " + String.join("; ", problems));
        }
        idlePrompts = List.copyOf(idlePrompts);
        goodbyeKeywords = goodbyeKeywords.stream().map(k -> k.toLowerCase(Locale.ROOT).strip()).toList();
        intents = List.copyOf(intents);
        fallback = List.copyOf(fallback);
    }

    /**
     * Something the caller may bring up, recognised by keywords, and the replies to it.
     *
     * @param name a label for logs and tests
     * @param keywords words or short phrases, matched whole and case-insensitively
     * @param replies said in turn, each time the intent is matched again in the same call
     */
    public record Intent(@JsonProperty("name") String name, @JsonProperty("keywords") List<String> keywords,
            @JsonProperty("replies") List<String> replies) {

        public Intent {
            keywords = keywords == null ? null
                    : keywords.stream().map(k -> k == null ? null : k.toLowerCase(Locale.ROOT).strip()).toList();
            replies = replies == null ? null : List.copyOf(replies);
        }
    }

    /** Reads a script from a YAML file. */
    public static PersonaScript load(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("persona script not found: " + file.toAbsolutePath());
        }
        try (InputStream in = Files.newInputStream(file)) {
            return parse(in, file.toString());
        }
    }

    /** The shipped "Synthetic Jason" artist hotline script. */
    public static PersonaScript syntheticJason() {
        try (InputStream in = PersonaScript.class.getResourceAsStream(SYNTHETIC_JASON_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(SYNTHETIC_JASON_RESOURCE + " is not on the class path");
            }
            return parse(in, SYNTHETIC_JASON_RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses YAML.
     *
     * @param source a name for error messages (the file's path)
     * @throws IllegalArgumentException if the YAML is malformed, has unknown keys, or misses required ones
     */
    static PersonaScript parse(InputStream in, String source) throws IOException {
        try {
            PersonaScript script = YAML.readValue(in, PersonaScript.class);
            if (script == null) {
                throw new IllegalArgumentException("persona script " + source + " is empty");
            }
            return script;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            if (e.getCause() instanceof IllegalArgumentException invalid) {
                throw new IllegalArgumentException("persona script " + source + ": " + invalid.getMessage(), e);
            }
            String where = e.getLocation() == null ? "" : " line " + e.getLocation().getLineNr();
            throw new IllegalArgumentException("persona script " + source + where + ": " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The engine's {@link Persona} for this script: the same greeting and fixed lines, a system prompt that
     * describes the persona for an LLM, and the persona's name and intents' keywords as the transcriber's
     * vocabulary hint.
     */
    public Persona toPersona() {
        String prompt = "You are " + name + ", answering a phone hotline. Reply in one to three short spoken "
                + "sentences, no lists, no emoji, no markdown.";
        return new Persona(name, greeting, prompt, goodbye, idlePrompts, didNotCatch, apology, name, language);
    }

    private static void requireText(String value, String field, List<String> problems) {
        if (value == null || value.isBlank()) {
            problems.add(field + " is missing or blank");
        }
    }

    private static void requireLines(List<String> lines, String field, List<String> problems) {
        if (lines == null || lines.isEmpty()) {
            problems.add(field + " needs at least one entry");
            return;
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i) == null || lines.get(i).isBlank()) {
                problems.add(field + "[" + i + "] is blank");
            }
        }
    }
}
