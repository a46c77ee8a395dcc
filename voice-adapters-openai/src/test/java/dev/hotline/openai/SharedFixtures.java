package dev.hotline.openai;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads the recorded provider bodies and speech in {@code ../shared/fixtures}, skipping tests without them. */
final class SharedFixtures {

    private SharedFixtures() {
    }

    /** {@code fixtures/<relative>}, or the test is skipped when the shared folder is absent. */
    static Path path(String relative) {
        String shared = System.getProperty("hotline.shared.dir");
        assumeTrue(shared != null, "hotline.shared.dir is not set: run the tests through Maven");
        Path file = Path.of(shared, "fixtures", relative);
        assumeTrue(Files.isReadable(file), "shared fixture " + file + " is absent");
        return file;
    }

    static String openAi(String name) {
        return string("openai/" + name);
    }

    static String string(String relative) {
        try {
            return Files.readString(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(String relative) {
        try {
            return Files.readAllBytes(path(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
