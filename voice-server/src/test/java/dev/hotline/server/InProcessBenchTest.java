package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.testkit.cli.BenchCommand;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code hotline bench} without {@code --url}: the real server, wired by {@link Bootstrap}, started in-process
 * against the test kit's fake OpenAI and ElevenLabs, called by simulated Twilio callers.
 */
class InProcessBenchTest {

    @Test
    void givenTheInProcessLauncher_whenBenchingTwoCalls_thenTheRealServerAnswersEveryTurn() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        int status = new BenchCommand(InProcessHotline::start).run(new String[] {"--calls", "2", "--duration", "12",
            "--stt-ms", "50", "--llm-ttfb-ms", "50", "--tokens-per-second", "200", "--tts-ttfb-ms", "50",
            "--progress-s", "5"}, out);

        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(status).as(text).isZero();
        assertThat(text).contains("in-process hotline at ws://127.0.0.1:");
        assertThat(text).contains("calls: 2 placed, 2 completed, 0 failed");
        assertThat(text).containsPattern("turns: [1-9]\\d* answered, 0 without reply");
        assertThat(text).contains("protocol errors: 0");
    }
}
