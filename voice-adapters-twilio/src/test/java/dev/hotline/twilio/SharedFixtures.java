package dev.hotline.twilio;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Finds the shared fixtures through {@code hotline.shared.dir}; tests that need them skip when absent. */
final class SharedFixtures {

    private SharedFixtures() {
    }

    static Path twilio(String file) {
        String dir = System.getProperty("hotline.shared.dir");
        assumeTrue(dir != null, "hotline.shared.dir is not set; run through Maven");
        Path path = Path.of(dir, "fixtures", "twilio", file);
        assumeTrue(Files.exists(path), "shared fixture " + path + " is absent");
        return path;
    }

    static String read(String file) throws IOException {
        return Files.readString(twilio(file), StandardCharsets.UTF_8);
    }

    static List<String> captureLines() throws IOException {
        return Files.readAllLines(twilio("stream1_recorded.jsonl"), StandardCharsets.UTF_8).stream()
                .filter(line -> !line.isBlank())
                .toList();
    }
}
