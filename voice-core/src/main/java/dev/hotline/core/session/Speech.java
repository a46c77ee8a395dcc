package dev.hotline.core.session;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.Utterance;
import java.util.ArrayList;
import java.util.List;

/**
 * One stretch of the persona talking: the greeting, a reply (with the caller's turn that led to it), or a
 * fixed line (an idle prompt, the goodbye). It is one cancellable unit: cancelling {@link #cancel} stops its
 * provider calls, its synthesis and its playout.
 *
 * <p>Piece texts and byte counts are guarded by the {@link Playout}'s lock; timing fields are written once
 * by the stage that reaches them and read by the session.
 */
final class Speech {

    /** What the persona is saying. */
    enum Kind {
        /** The greeting; the caller may talk over it. */
        GREETING(true),
        /** A reply to the caller's turn. */
        REPLY(true),
        /** A short fixed line: an idle prompt. */
        LINE(true),
        /** Asking for the access PIN; DTMF cuts it, speech does not. */
        PIN_PROMPT(false),
        /** The last words before hanging up: goodbye, PIN rejected, call refused. */
        FAREWELL(false);

        private final boolean interruptible;

        Kind(boolean interruptible) {
            this.interruptible = interruptible;
        }

        boolean interruptible() {
            return interruptible;
        }
    }

    final Kind kind;
    final int turn;
    final CancelSignal cancel;
    final PieceQueue pieces;
    /** When the caller's turn ended, by the monotonic clock; 0 for speech that answers no turn. */
    final long startNanos;
    /** The caller's silence already waited when the turn was detected, added to every timing. */
    final long silenceOffsetNanos;
    /** The call's audio time when the caller's turn ended. */
    final long startAudioNanos;

    // Guarded by the playout's lock.
    final List<String> texts = new ArrayList<>();
    final List<long[]> bytes = new ArrayList<>();
    boolean audioComplete;
    boolean anySent;
    /** Whether audio of the speech's own pieces (not a filler) was queued. */
    boolean anyBuffered;
    boolean playedReported;
    /** Guarded by the playout's lock: {@code allSent} was reported. */
    boolean allSentReported;

    // Written by the stage that gets there first; read by the session.
    volatile long transcriptReady;
    volatile long firstReplyText;
    volatile long firstSentenceReady;
    volatile long firstAudio;
    volatile long firstAudioSent;
    volatile CancelSignal stage;

    // Guarded by the session's lock.
    String transcript;
    boolean userAdded;
    /** A reply's utterance until its transcript is accepted, kept in case the caller goes on speaking. */
    Utterance utterance;
    /** The call's audio time at which {@link #utterance}'s audio ends. */
    long utteranceEndAudioNanos;
    /** An earlier turn's transcript that this reply answers together with its own utterance. */
    String carriedTranscript;
    /** The transcription of this reply's utterance started in the caller's pause, or {@code null}. */
    EarlyTranscript early;
    /** The audio time until which the caller counts as hearing something: the end of the last filler. */
    long heardUntilNanos;
    boolean timedOut;

    Speech(Kind kind, int turn, CancelSignal cancel, int queueCapacity, long startNanos, long silenceOffsetNanos,
            long startAudioNanos) {
        this.kind = kind;
        this.turn = turn;
        this.cancel = cancel;
        this.pieces = new PieceQueue(queueCapacity, cancel);
        this.startNanos = startNanos;
        this.silenceOffsetNanos = silenceOffsetNanos;
        this.startAudioNanos = startAudioNanos;
        this.heardUntilNanos = startAudioNanos;
    }
}
