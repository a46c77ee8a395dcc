package dev.hotline.audio;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds the shared recordings through the system property {@code hotline.shared.dir}; tests that
 * need them are skipped, with a message, when they are absent.
 */
final class SharedFixtures {

    private SharedFixtures() {
    }

    /** {@code ${hotline.shared.dir}/fixtures/speech}, or skips the calling test. */
    static Path speechDir() {
        String shared = System.getProperty("hotline.shared.dir");
        assumeTrue(shared != null, "system property hotline.shared.dir is not set; skipping the real-recording test");
        Path speech = Path.of(shared, "fixtures", "speech");
        assumeTrue(Files.isDirectory(speech.resolve("phone")) && Files.isDirectory(speech.resolve("librivox")),
                () -> "no recordings at " + speech + "; skipping the real-recording test");
        return speech;
    }

    /** The .wav files in {@code speechDir()/sub}, sorted by name. */
    static List<Path> recordings(String sub) {
        try (Stream<Path> listing = Files.list(speechDir().resolve(sub))) {
            return listing.filter(p -> p.getFileName().toString().endsWith(".wav")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
