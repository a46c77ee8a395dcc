package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.ProviderException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VoskTranscriberTest {

    @Test
    void givenNoModelFolder_whenConstructed_thenTheMessageNamesThePathAndTheSetting(@TempDir Path dir) {
        Path missing = dir.resolve("vosk-model-small-en-us-0.15");
        assertThatThrownBy(() -> new VoskTranscriber(missing))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(missing.toString())
                .hasMessageContaining("HOTLINE_VOSK_MODEL");
    }

    @Test
    void givenAFolderWithoutTheAcousticModel_whenConstructed_thenTheMissingFileIsNamed(@TempDir Path dir) {
        assertThatThrownBy(() -> new VoskTranscriber(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(dir.resolve("am/final.mdl").toString());
    }

    @Test
    void givenADamagedModel_whenTheNativeLibraryLoadsIt_thenTheFailureNamesTheFolder(@TempDir Path dir)
            throws Exception {
        Files.createDirectories(dir.resolve("am"));
        Files.createDirectories(dir.resolve("conf"));
        Files.writeString(dir.resolve("am/final.mdl"), "not a Kaldi model");
        Files.writeString(dir.resolve("conf/mfcc.conf"), "--sample-frequency=16000\n");
        Files.writeString(dir.resolve("conf/model.conf"), "");

        assertThatThrownBy(() -> new VoskTranscriber(dir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("could not load the model in " + dir)
                .hasMessageContaining("Failed to create a model");
    }

    @Test
    void givenVoskResults_whenParsed_thenTheTextIsTakenAndGarbageIsAProviderFailure() throws Exception {
        assertThat(VoskTranscriber.textOf("{\n  \"text\" : \"press one\"\n}")).isEqualTo("press one");
        assertThat(VoskTranscriber.textOf("{\"text\" : \"\"}")).isEmpty();
        assertThatThrownBy(() -> VoskTranscriber.textOf("{\"partial\" : \"x\"}"))
                .isInstanceOfSatisfying(ProviderException.class,
                        e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.MALFORMED_RESPONSE));
        assertThatThrownBy(() -> VoskTranscriber.textOf("not json"))
                .isInstanceOf(ProviderException.class);
    }
}
