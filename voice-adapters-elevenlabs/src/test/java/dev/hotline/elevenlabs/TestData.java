package dev.hotline.elevenlabs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** The shared fixtures ({@code hotline.shared.dir}); tests that need them skip when they are absent. */
final class TestData {

    static final ObjectMapper JSON = new ObjectMapper();

    private TestData() {
    }

    static Path shared() {
        String dir = System.getProperty("hotline.shared.dir");
        assumeTrue(dir != null && Files.isDirectory(Path.of(dir, "fixtures")),
                "shared fixtures not found (system property hotline.shared.dir=" + dir + ")");
        return Path.of(dir, "fixtures");
    }

    static Path elevenLabsFixture(String name) {
        Path file = shared().resolve("elevenlabs").resolve(name);
        assumeTrue(Files.isRegularFile(file), "fixture missing: " + file);
        return file;
    }

    static JsonNode json(String fixture) throws IOException {
        return JSON.readTree(elevenLabsFixture(fixture).toFile());
    }

    /** An HTTP error body as recorded: the fixture's {@code body}, or the whole file when it has none. */
    static String errorBody(String fixture) throws IOException {
        JsonNode node = json(fixture);
        return JSON.writeValueAsString(node.has("body") ? node.get("body") : node);
    }

    /** The sample data of a real 16-bit mono WAV recording from {@code fixtures/speech}. */
    static byte[] speechPcm(String relativePath) throws IOException {
        Path file = shared().resolve("speech").resolve(relativePath);
        assumeTrue(Files.isRegularFile(file), "speech fixture missing: " + file);
        byte[] wav = Files.readAllBytes(file);
        ByteBuffer buffer = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        buffer.position(12);
        while (buffer.remaining() >= 8) {
            byte[] id = new byte[4];
            buffer.get(id);
            int size = buffer.getInt();
            if (new String(id, StandardCharsets.US_ASCII).equals("data")) {
                int start = buffer.position();
                return Arrays.copyOfRange(wav, start, Math.min(wav.length, start + size));
            }
            buffer.position(buffer.position() + size + (size & 1));
        }
        throw new IOException("no data chunk in " + file);
    }

    /** 8 kHz phone prompt audio ("Please enter a new extension, followed by pound."). */
    static byte[] phonePrompt() throws IOException {
        return speechPcm("phone/agent-newlocation.wav");
    }
}
