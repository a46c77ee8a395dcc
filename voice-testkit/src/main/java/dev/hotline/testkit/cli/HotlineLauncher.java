package dev.hotline.testkit.cli;

import dev.hotline.testkit.elevenlabs.FakeElevenLabsServer;
import dev.hotline.testkit.openai.FakeOpenAiServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Starts a hotline with fake providers, for {@code hotline bench} without {@code --url}: in this process, or in
 * a child process. The server module supplies the implementations (it knows the wiring); the test kit never
 * depends on it.
 */
@FunctionalInterface
public interface HotlineLauncher {

    /**
     * Starts a hotline whose speech-to-text and replies go to {@code openAi} and whose speech goes to
     * {@code elevenLabs}, and that reports every finished turn, as its engine timed it, to {@code turns}
     * (from any thread; a hotline with no engine reports nothing).
     *
     * @throws Exception if it cannot start; the message says why
     */
    RunningHotline start(FakeOpenAiServer openAi, FakeElevenLabsServer elevenLabs, Consumer<EngineTurn> turns)
            throws Exception;

    /**
     * One turn as the engine timed it, reported when the turn is over (its reply played, cut, or the call
     * ended). Every duration is measured from the end of the caller's speech as the engine's own VAD placed it,
     * so it includes the end-of-turn silence; a stage that did not happen is empty.
     *
     * @param streamSid the media stream the turn belongs to, as Twilio's {@code start} named it
     * @param turn the turn's number within the call, from 1 (the caller's n-th utterance, unless one was dropped)
     * @param transcriptReady the transcript came back
     * @param firstSentenceReady the first speakable piece of the reply was ready for speech synthesis
     * @param firstAudio the first synthesized audio arrived
     * @param firstAudioSent the first reply audio went to the caller's socket: the engine's voice-to-voice
     * @param speechEndAudio where the engine's VAD placed the end of the caller's speech, in the call's audio
     *     time (the inbound audio received since the call began, which is the audio the caller sent)
     * @param interrupted whether the caller talked over the reply
     */
    record EngineTurn(String streamSid, int turn, Optional<Duration> transcriptReady, Optional<Duration> firstSentenceReady,
            Optional<Duration> firstAudio, Optional<Duration> firstAudioSent, Optional<Duration> speechEndAudio,
            boolean interrupted) {
    }

    /**
     * One stop-the-world garbage collection pause of a hotline's process.
     *
     * @param seenAtNanos when the bench read it, on this process's {@link System#nanoTime()} clock
     * @param heapAfterBytes the heap in use right after it
     * @param pause how long the application was stopped
     */
    record GcPause(long seenAtNanos, long heapAfterBytes, Duration pause) {
    }

    /** A hotline started by a {@link HotlineLauncher}. {@link #close()} stops it and its calls. */
    interface RunningHotline extends AutoCloseable {

        /** The {@code ws://} URL Twilio's media stream would open. */
        URI mediaStreamUrl();

        /**
         * The silence the hotline waits for before it treats the caller's turn as over: part of every
         * voice-to-voice latency, and not engine overhead.
         */
        Duration endOfTurnSilence();

        /**
         * The pause after which the hotline transcribes the turn so far ahead of its end; zero when it does not.
         * That much of the end-of-turn silence is left for the transcriber's latency to hide in.
         */
        default Duration earlyTranscript() {
            return Duration.ZERO;
        }

        /**
         * The process the hotline runs in when it is not this one, so its CPU and memory can be reported apart
         * from the callers'; empty when it shares this process.
         */
        default Optional<ProcessHandle> process() {
            return Optional.empty();
        }

        /**
         * The garbage collections of the hotline's process so far, oldest first, when it runs apart and can tell
         * (its GC log); empty otherwise.
         */
        default List<GcPause> gcPauses() {
            return List.of();
        }

        /** Lines the hotline logged at WARN or above so far, when it can tell; -1 when it cannot. */
        default long warnings() {
            return -1;
        }

        @Override
        void close();
    }
}
