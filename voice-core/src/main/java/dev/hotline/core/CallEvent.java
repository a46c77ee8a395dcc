package dev.hotline.core;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened on a call, as data. Every event names its call and when it happened (wall-clock,
 * for records; durations inside a turn are measured with a monotonic clock).
 */
public sealed interface CallEvent {

    /** The call's id ({@link CallInfo#callId()}). */
    String callId();

    /** When the event happened. */
    Instant at();

    /** The media started and the engine took the call. */
    record CallStarted(String callId, Instant at, CallInfo call) implements CallEvent {
        public CallStarted {
            Objects.requireNonNull(call, "call");
        }
    }

    /**
     * The call ended.
     *
     * @param reason why: {@code "caller hung up"}, {@code "goodbye"}, {@code "max duration"}, ...
     * @param duration how long the call lasted
     */
    record CallEnded(String callId, Instant at, String reason, Duration duration) implements CallEvent {
    }

    /**
     * The call's state machine moved.
     *
     * @param from the state left
     * @param to the state entered
     */
    record StateChanged(String callId, Instant at, String from, String to) implements CallEvent {
    }

    /**
     * A turn finished: the caller spoke and the persona answered (or the turn was cut short).
     *
     * @param turn the turn's number within the call, from 1
     * @param transcript what the caller said, as transcribed
     * @param reply what the persona said, as far as the caller heard it
     * @param timings when each stage finished
     * @param interrupted whether the caller barged in before the reply ended
     */
    record TurnCompleted(String callId, Instant at, int turn, String transcript, String reply,
            TurnTimings timings, boolean interrupted) implements CallEvent {
    }

    /**
     * The caller finished speaking and a turn began: the utterance goes to the transcriber.
     *
     * @param turn the turn's number within the call, from 1
     * @param utterance how long the caller's utterance lasted, pre-roll included
     */
    record TurnStarted(String callId, Instant at, int turn, Duration utterance) implements CallEvent {
    }

    /**
     * The caller pressed a key.
     *
     * @param digit {@code 0-9}, {@code *}, {@code #} or {@code A-D}
     */
    record DtmfReceived(String callId, Instant at, char digit) implements CallEvent {
    }

    /**
     * A caller utterance was heard but dropped without a reply.
     *
     * @param transcript what was transcribed
     * @param why which filter rule dropped it
     */
    record UtteranceDropped(String callId, Instant at, String transcript, String why) implements CallEvent {
    }

    /**
     * The caller talked over the persona and the reply was cut.
     *
     * @param heardChars how many characters of the reply the caller heard
     */
    record BargeIn(String callId, Instant at, int turn, int heardChars) implements CallEvent {
    }

    /**
     * A provider call cost something.
     *
     * @param role {@code "stt"}, {@code "llm"} or {@code "tts"}
     * @param provider the provider's name
     * @param sttSeconds seconds of audio transcribed
     * @param promptTokens LLM prompt tokens
     * @param completionTokens LLM completion tokens
     * @param ttsCharacters characters synthesized
     * @param cached whether the result came from a cache
     */
    record UsageReported(String callId, Instant at, String role, String provider, double sttSeconds,
            long promptTokens, long completionTokens, long ttsCharacters, boolean cached) implements CallEvent {
    }

    /**
     * Something failed. The call went on (a retry, a fallback, a spoken apology) unless {@code fatal}.
     *
     * @param stage where: {@code "stt"}, {@code "llm"}, {@code "tts"}, {@code "transport"}, ...
     * @param cause what failed
     * @param fatal whether the call ended because of it
     */
    record Error(String callId, Instant at, String stage, Throwable cause, boolean fatal) implements CallEvent {
    }

    /**
     * When each stage of a turn finished, measured from the end of the caller's speech. A stage that did not
     * happen is {@code null}.
     *
     * @param transcriptReady the transcript came back
     * @param firstReplyText the LLM's first delta arrived
     * @param firstSentenceReady the first speakable piece was ready for TTS
     * @param firstAudio the TTS's first audio arrived
     * @param firstAudioSent the first reply audio went to the transport: the voice-to-voice latency
     * @param speechEndAudio where the caller's speech ended by the VAD, in the call's audio time (the inbound
     *     audio received since the call began): the moment the timings count from, on the caller's own
     *     timeline, so a test caller can tell the VAD's lag from the time spent in sockets and queues
     */
    record TurnTimings(Duration transcriptReady, Duration firstReplyText, Duration firstSentenceReady,
            Duration firstAudio, Duration firstAudioSent, Duration speechEndAudio) {

        /** Voice-to-voice latency: end of caller speech to first reply audio sent, or {@code null}. */
        public Duration voiceToVoice() {
            return firstAudioSent;
        }
    }
}
