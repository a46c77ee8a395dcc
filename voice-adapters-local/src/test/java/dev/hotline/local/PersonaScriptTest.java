package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.Persona;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersonaScriptTest {

    private static final String MINIMAL = """
            name: Test Line
            greeting: Hello, test line.
            goodbye: Bye now.
            didNotCatch: Say again?
            apology: Oops.
            idlePrompts: ["Still there?"]
            goodbyeKeywords: [bye]
            intents:
              - name: price
                keywords: [price, cost]
                replies: [It is free.]
            fallback: [No idea.]
            """;

    @Test
    void givenAFile_whenLoaded_thenEveryFieldIsRead(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, MINIMAL);
        PersonaScript script = PersonaScript.load(file);
        assertThat(script.name()).isEqualTo("Test Line");
        assertThat(script.language()).isNull();
        assertThat(script.intents()).singleElement().satisfies(i -> {
            assertThat(i.keywords()).containsExactly("price", "cost");
            assertThat(i.replies()).containsExactly("It is free.");
        });
        Persona persona = script.toPersona();
        assertThat(persona.greeting()).isEqualTo("Hello, test line.");
        assertThat(persona.idlePrompts()).containsExactly("Still there?");
    }

    @Test
    void givenMissingFields_whenParsed_thenOneMessageNamesEveryProblem() {
        String yaml = "name: X\ngreeting: Hi\nintents:\n  - name: a\n    keywords: []\n";
        assertThatThrownBy(() -> parse(yaml))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("goodbye is missing")
                .hasMessageContaining("fallback needs at least one entry")
                .hasMessageContaining("intents[0] (a).keywords needs at least one entry")
                .hasMessageContaining("intents[0] (a).replies needs at least one entry");
    }

    @Test
    void givenAnUnknownKey_whenParsed_thenItIsNamed() {
        assertThatThrownBy(() -> parse(MINIMAL + "greting: typo\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("greting");
    }

    @Test
    void givenMalformedYaml_whenParsed_thenTheSourceIsNamed() {
        assertThatThrownBy(() -> parse("name: [unclosed\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("test.yaml");
    }

    @Test
    void givenAMissingFile_whenLoaded_thenThePathIsNamed(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> PersonaScript.load(missing))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toString());
    }

    private static PersonaScript parse(String yaml) throws Exception {
        return PersonaScript.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)), "test.yaml");
    }
}
