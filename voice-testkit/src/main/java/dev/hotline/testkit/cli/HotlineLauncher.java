package dev.hotline.testkit.cli;

import dev.hotline.testkit.elevenlabs.FakeElevenLabsServer;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import java.net.URI;
import java.time.Duration;

/**
 * Starts a hotline in this process with fake providers, for {@code hotline bench} without {@code --url}.
 * The server module supplies the implementation (it knows the wiring); the test kit never depends on it.
 */
@FunctionalInterface
public interface HotlineLauncher {

    /**
     * Starts a hotline whose speech-to-text and replies go to {@code openAi} and whose speech goes to
     * {@code elevenLabs}.
     *
     * @throws Exception if it cannot start; the message says why
     */
    RunningHotline start(FakeOpenAiServer openAi, FakeElevenLabsServer elevenLabs) throws Exception;

    /** A hotline started by a {@link HotlineLauncher}. {@link #close()} stops it and its calls. */
    interface RunningHotline extends AutoCloseable {

        /** The {@code ws://} URL Twilio's media stream would open. */
        URI mediaStreamUrl();

        /**
         * The silence the hotline waits for before it treats the caller's turn as over: part of every
         * voice-to-voice latency, and not engine overhead.
         */
        Duration endOfTurnSilence();

        @Override
        void close();
    }
}
