package dev.hotline.testkit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the shared fixtures through the {@code hotline.shared.dir} system property; skips when absent. */
public final class Fixtures {

    private Fixtures() {
    }

    /** The fixture at {@code relative} under {@code shared/fixtures}; the test is skipped if it is missing. */
    public static Path fixture(String relative) {
        String shared = System.getProperty("hotline.shared.dir");
        assumeTrue(shared != null, "hotline.shared.dir is not set; run through Maven to use ../shared fixtures");
        Path file = Path.of(shared, "fixtures", relative);
        assumeTrue(Files.isRegularFile(file), "fixture " + file + " is absent");
        return file;
    }
}
