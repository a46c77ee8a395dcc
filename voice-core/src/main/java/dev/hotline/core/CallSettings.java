package dev.hotline.core;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Every tunable of a call: turn detection, barge-in, conversation limits, idle handling, failure handling,
 * pacing and the optional access PIN. Immutable and validated at construction; start from
 * {@link #defaults()} and change fields with {@link #toBuilder()} or the {@code with...} methods.
 *
 * <p>All durations are in audio time (the call's clock is the caller's audio frames) except
 * {@link #retryBudget} and {@link #retryBackoff}, which bound waits between provider attempts.
 *
 * @param speechStart speech must last this long before a turn starts (clicks and short noises do not)
 * @param endOfTurnSilence silence after speech that ends the caller's turn
 * @param earlyTranscript once the caller's silence has lasted this long, the turn so far is sent to the
 *     transcriber while the rest of {@code endOfTurnSilence} runs; if the turn then ends with no more speech,
 *     that transcript answers it and the transcriber's latency, up to the silence still to come, is hidden.
 *     Speech before the turn ends discards it (an extra transcription the provider bills). Default 350 ms: with
 *     the default 700 ms silence, up to 350 ms of the transcriber's latency is hidden. Zero turns this off;
 *     otherwise less than {@code endOfTurnSilence}
 * @param preRoll audio kept from before the detected speech start, so the first syllable is not clipped
 * @param maxUtterance the longest utterance; a turn is ended when it reaches this
 * @param speechThreshold VAD probability at or above which a frame counts as speech, in (0, 1)
 * @param bargeIn caller speech lasting this long while the persona talks interrupts it
 * @param bargeInMinWords if &gt; 0, the interrupting speech must also hold at least this many words
 *     (transcribed) so that "mhm" and "okay" do not interrupt; 0 turns the rule off
 * @param maxExchanges caller-persona exchanges per call; the persona says goodbye after the last one
 * @param historyMessages the most user and assistant messages kept for the LLM; the oldest are dropped
 *     first, the system prompt is always kept
 * @param maxTranscriptChars transcripts are cut to this many characters before they reach the LLM
 * @param maxReplyChars a reply is cut after this many characters (at a sentence end where possible)
 * @param maxReplyTokens the token limit passed to the responder; 0 for the provider's default
 * @param hallucinations transcripts that are dropped without a reply (compared ignoring case, punctuation
 *     and surrounding blanks): known speech-recognizer hallucinations on silence and noise
 * @param idlePromptAfter caller silence after which an idle prompt is spoken
 * @param idlePromptsBeforeGoodbye idle prompts spoken in a row before the persona says goodbye and hangs up
 * @param maxCallLength the longest call; it ends with a spoken goodbye
 * @param silenceBound the caller never waits longer than this after their turn without hearing something:
 *     when the reply is slower, {@link #fillerPhrase} is spoken once
 * @param responderTimeout the reply's first audio must be ready this long after the caller's turn ended;
 *     otherwise the turn is abandoned with a spoken apology
 * @param fillerPhrase spoken when the reply takes longer than {@link #silenceBound}
 * @param maxRetries the most retries of one provider call after a transient failure
 * @param retryBudget the total time one provider call may spend waiting between retries
 * @param retryBackoff the first retry's wait; doubled per attempt with jitter
 * @param playoutChunkMs reply audio is sent to the transport in chunks of this many milliseconds (20-100),
 *     each followed by a mark (default 100: each chunk costs a media frame, a mark and the mark's echo, and
 *     at 40 ms those were a tenth of the server's CPU at 200 calls; what a barge-in knows was heard is exact to
 *     a chunk, and the text kept is cut back to a word anyway)
 * @param maxQueuedMs the most audio, in milliseconds, sent to the transport and not yet played (default 800:
 *     when a chunk's mark comes back, 700 ms are still queued to ride out the echo's round trip and stalls on
 *     either side; 200 ms starved playback under CPU contention, and 400 ms starved the first replies of 200
 *     calls started together on a slower machine (51-264 gaps a run, against 1 and 15 at 800 ms); a barge-in's
 *     {@code clear} drops at most this much, so it costs the caller nothing)
 * @param maxBufferedAudio the most synthesized audio held ahead of playout per call
 * @param maxPieceChars the longest speakable piece handed to the synthesizer
 * @param firstPieceMinChars the first piece of a reply may be cut at a clause boundary (a comma) once it
 *     holds this many characters, to cut the time to first audio; 0 turns early cutting off
 * @param streamingSynthesis whether to feed a {@link StreamingSynthesizer} the reply as it is written
 *     instead of one request per piece
 * @param accessPin digits the caller must enter by DTMF before the conversation, or {@code null} for none
 * @param pinPrompt spoken to ask for the PIN
 * @param pinRetryPrompt spoken after a wrong PIN when tries are left
 * @param pinRejected spoken before hanging up when every try was wrong
 * @param pinTries wrong PINs allowed before the call is ended
 */
public record CallSettings(
        Duration speechStart,
        Duration endOfTurnSilence,
        Duration earlyTranscript,
        Duration preRoll,
        Duration maxUtterance,
        double speechThreshold,
        Duration bargeIn,
        int bargeInMinWords,
        int maxExchanges,
        int historyMessages,
        int maxTranscriptChars,
        int maxReplyChars,
        int maxReplyTokens,
        List<String> hallucinations,
        Duration idlePromptAfter,
        int idlePromptsBeforeGoodbye,
        Duration maxCallLength,
        Duration silenceBound,
        Duration responderTimeout,
        String fillerPhrase,
        int maxRetries,
        Duration retryBudget,
        Duration retryBackoff,
        int playoutChunkMs,
        int maxQueuedMs,
        Duration maxBufferedAudio,
        int maxPieceChars,
        int firstPieceMinChars,
        boolean streamingSynthesis,
        String accessPin,
        String pinPrompt,
        String pinRetryPrompt,
        String pinRejected,
        int pinTries) {

    /** Whisper's best-known inventions on silence, music and noise. */
    public static final List<String> DEFAULT_HALLUCINATIONS = List.of(
            "thank you for watching",
            "thanks for watching",
            "thank you for watching and see you next time",
            "please subscribe",
            "like and subscribe",
            "subtitles by the amara org community",
            "subtitles by the amaraorg community",
            "transcribed by esoteric",
            "you",
            "thank you",
            "bye",
            "so");

    /** The longest utterance any setting may ask for, so the utterance buffer stays bounded. */
    public static final Duration MAX_UTTERANCE_LIMIT = Duration.ofMinutes(2);

    public CallSettings {
        positive(speechStart, "speechStart");
        positive(endOfTurnSilence, "endOfTurnSilence");
        notNegative(earlyTranscript, "earlyTranscript");
        if (earlyTranscript.compareTo(endOfTurnSilence) >= 0) {
            throw new IllegalArgumentException("earlyTranscript (" + earlyTranscript
                    + ") must be shorter than endOfTurnSilence (" + endOfTurnSilence + "), or zero for off");
        }
        notNegative(preRoll, "preRoll");
        if (preRoll.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new IllegalArgumentException("preRoll must be <= 5 s, was " + preRoll);
        }
        positive(maxUtterance, "maxUtterance");
        if (maxUtterance.compareTo(MAX_UTTERANCE_LIMIT) > 0) {
            throw new IllegalArgumentException("maxUtterance must be <= " + MAX_UTTERANCE_LIMIT + ", was " + maxUtterance);
        }
        if (maxUtterance.compareTo(speechStart) <= 0) {
            throw new IllegalArgumentException("maxUtterance (" + maxUtterance + ") must be longer than speechStart ("
                    + speechStart + ")");
        }
        if (!(speechThreshold > 0 && speechThreshold < 1)) {
            throw new IllegalArgumentException("speechThreshold must be in (0, 1), was " + speechThreshold);
        }
        positive(bargeIn, "bargeIn");
        atLeast(bargeInMinWords, 0, "bargeInMinWords");
        atLeast(maxExchanges, 1, "maxExchanges");
        atLeast(historyMessages, 2, "historyMessages");
        atLeast(maxTranscriptChars, 1, "maxTranscriptChars");
        atLeast(maxReplyChars, 1, "maxReplyChars");
        atLeast(maxReplyTokens, 0, "maxReplyTokens");
        Objects.requireNonNull(hallucinations, "hallucinations");
        hallucinations = List.copyOf(hallucinations);
        positive(idlePromptAfter, "idlePromptAfter");
        atLeast(idlePromptsBeforeGoodbye, 0, "idlePromptsBeforeGoodbye");
        positive(maxCallLength, "maxCallLength");
        positive(silenceBound, "silenceBound");
        positive(responderTimeout, "responderTimeout");
        if (responderTimeout.compareTo(silenceBound) < 0) {
            throw new IllegalArgumentException("responderTimeout (" + responderTimeout
                    + ") must be >= silenceBound (" + silenceBound + ")");
        }
        requireText(fillerPhrase, "fillerPhrase");
        atLeast(maxRetries, 0, "maxRetries");
        notNegative(retryBudget, "retryBudget");
        notNegative(retryBackoff, "retryBackoff");
        if (playoutChunkMs < 20 || playoutChunkMs > 100) {
            throw new IllegalArgumentException("playoutChunkMs must be in 20..100, was " + playoutChunkMs);
        }
        if (maxQueuedMs < playoutChunkMs || maxQueuedMs > 10_000) {
            throw new IllegalArgumentException("maxQueuedMs must be in playoutChunkMs (" + playoutChunkMs
                    + ")..10000, was " + maxQueuedMs);
        }
        positive(maxBufferedAudio, "maxBufferedAudio");
        if (maxBufferedAudio.compareTo(Duration.ofMinutes(2)) > 0) {
            throw new IllegalArgumentException("maxBufferedAudio must be <= 2 min, was " + maxBufferedAudio);
        }
        atLeast(maxPieceChars, 20, "maxPieceChars");
        atLeast(firstPieceMinChars, 0, "firstPieceMinChars");
        if (firstPieceMinChars >= maxPieceChars) {
            throw new IllegalArgumentException("firstPieceMinChars (" + firstPieceMinChars
                    + ") must be < maxPieceChars (" + maxPieceChars + ")");
        }
        if (accessPin != null && !accessPin.matches("[0-9]{1,12}")) {
            throw new IllegalArgumentException("accessPin must be 1 to 12 digits, or null for none");
        }
        requireText(pinPrompt, "pinPrompt");
        requireText(pinRetryPrompt, "pinRetryPrompt");
        requireText(pinRejected, "pinRejected");
        atLeast(pinTries, 1, "pinTries");
    }

    /** Like the record's own, but the access PIN is masked: settings get logged, secrets must not be. */
    @Override
    public String toString() {
        return "CallSettings[speechStart=" + speechStart + ", endOfTurnSilence=" + endOfTurnSilence
                + ", earlyTranscript=" + earlyTranscript + ", preRoll="
                + preRoll + ", maxUtterance=" + maxUtterance + ", speechThreshold=" + speechThreshold + ", bargeIn="
                + bargeIn + ", bargeInMinWords=" + bargeInMinWords + ", maxExchanges=" + maxExchanges
                + ", historyMessages=" + historyMessages + ", maxTranscriptChars=" + maxTranscriptChars
                + ", maxReplyChars=" + maxReplyChars + ", maxReplyTokens=" + maxReplyTokens + ", hallucinations="
                + hallucinations.size() + " phrases, idlePromptAfter=" + idlePromptAfter
                + ", idlePromptsBeforeGoodbye=" + idlePromptsBeforeGoodbye + ", maxCallLength=" + maxCallLength
                + ", silenceBound=" + silenceBound + ", responderTimeout=" + responderTimeout + ", maxRetries="
                + maxRetries + ", retryBudget=" + retryBudget + ", retryBackoff=" + retryBackoff
                + ", playoutChunkMs=" + playoutChunkMs + ", maxQueuedMs=" + maxQueuedMs + ", maxBufferedAudio="
                + maxBufferedAudio + ", maxPieceChars=" + maxPieceChars + ", firstPieceMinChars="
                + firstPieceMinChars + ", streamingSynthesis=" + streamingSynthesis + ", accessPin="
                + (accessPin == null ? "none" : "****") + ", pinTries=" + pinTries + "]";
    }

    /** The defaults of issue 3: 0.2 s speech start, 0.7 s end-of-turn silence, 0.5 s pre-roll, and so on. */
    public static CallSettings defaults() {
        return new Builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these settings. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /** These settings with another end-of-turn silence. */
    public CallSettings withEndOfTurnSilence(Duration value) {
        return toBuilder().endOfTurnSilence(value).build();
    }

    /** These settings with another barge-in threshold. */
    public CallSettings withBargeIn(Duration value) {
        return toBuilder().bargeIn(value).build();
    }

    /** These settings with another maximum call length. */
    public CallSettings withMaxCallLength(Duration value) {
        return toBuilder().maxCallLength(value).build();
    }

    /** These settings with an access PIN ({@code null} for none). */
    public CallSettings withAccessPin(String pin) {
        return toBuilder().accessPin(pin).build();
    }

    /** These settings with streaming synthesis on or off. */
    public CallSettings withStreamingSynthesis(boolean value) {
        return toBuilder().streamingSynthesis(value).build();
    }

    private static void positive(Duration value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(field + " must be > 0, was " + value);
        }
    }

    private static void notNegative(Duration value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isNegative()) {
            throw new IllegalArgumentException(field + " must be >= 0, was " + value);
        }
    }

    private static void atLeast(int value, int min, String field) {
        if (value < min) {
            throw new IllegalArgumentException(field + " must be >= " + min + ", was " + value);
        }
    }

    private static void requireText(String value, String field) {
        Objects.requireNonNull(value, field);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be blank");
        }
    }

    /** Builds {@link CallSettings}; starts from the defaults. Not thread-safe. */
    public static final class Builder {
        private Duration speechStart = Duration.ofMillis(200);
        private Duration endOfTurnSilence = Duration.ofMillis(700);
        private Duration earlyTranscript = Duration.ofMillis(350);
        private Duration preRoll = Duration.ofMillis(500);
        private Duration maxUtterance = Duration.ofSeconds(30);
        private double speechThreshold = 0.5;
        private Duration bargeIn = Duration.ofMillis(500);
        private int bargeInMinWords = 0;
        private int maxExchanges = 20;
        private int historyMessages = 24;
        private int maxTranscriptChars = 1_000;
        private int maxReplyChars = 600;
        private int maxReplyTokens = 200;
        private List<String> hallucinations = DEFAULT_HALLUCINATIONS;
        private Duration idlePromptAfter = Duration.ofSeconds(15);
        private int idlePromptsBeforeGoodbye = 2;
        private Duration maxCallLength = Duration.ofMinutes(10);
        private Duration silenceBound = Duration.ofSeconds(3);
        private Duration responderTimeout = Duration.ofSeconds(10);
        private String fillerPhrase = "Hmm, one moment.";
        private int maxRetries = 2;
        private Duration retryBudget = Duration.ofMillis(1_500);
        private Duration retryBackoff = Duration.ofMillis(200);
        private int playoutChunkMs = 100;
        private int maxQueuedMs = 800;
        private Duration maxBufferedAudio = Duration.ofSeconds(20);
        private int maxPieceChars = 200;
        private int firstPieceMinChars = 30;
        private boolean streamingSynthesis = false;
        private String accessPin = null;
        private String pinPrompt = "Please enter your PIN, then press pound.";
        private String pinRetryPrompt = "That PIN was not right. Please try again, then press pound.";
        private String pinRejected = "Sorry, that PIN was not right. Goodbye.";
        private int pinTries = 3;

        private Builder() {
        }

        private Builder(CallSettings s) {
            speechStart = s.speechStart;
            endOfTurnSilence = s.endOfTurnSilence;
            earlyTranscript = s.earlyTranscript;
            preRoll = s.preRoll;
            maxUtterance = s.maxUtterance;
            speechThreshold = s.speechThreshold;
            bargeIn = s.bargeIn;
            bargeInMinWords = s.bargeInMinWords;
            maxExchanges = s.maxExchanges;
            historyMessages = s.historyMessages;
            maxTranscriptChars = s.maxTranscriptChars;
            maxReplyChars = s.maxReplyChars;
            maxReplyTokens = s.maxReplyTokens;
            hallucinations = s.hallucinations;
            idlePromptAfter = s.idlePromptAfter;
            idlePromptsBeforeGoodbye = s.idlePromptsBeforeGoodbye;
            maxCallLength = s.maxCallLength;
            silenceBound = s.silenceBound;
            responderTimeout = s.responderTimeout;
            fillerPhrase = s.fillerPhrase;
            maxRetries = s.maxRetries;
            retryBudget = s.retryBudget;
            retryBackoff = s.retryBackoff;
            playoutChunkMs = s.playoutChunkMs;
            maxQueuedMs = s.maxQueuedMs;
            maxBufferedAudio = s.maxBufferedAudio;
            maxPieceChars = s.maxPieceChars;
            firstPieceMinChars = s.firstPieceMinChars;
            streamingSynthesis = s.streamingSynthesis;
            accessPin = s.accessPin;
            pinPrompt = s.pinPrompt;
            pinRetryPrompt = s.pinRetryPrompt;
            pinRejected = s.pinRejected;
            pinTries = s.pinTries;
        }

        public Builder speechStart(Duration v) { speechStart = v; return this; }
        public Builder endOfTurnSilence(Duration v) { endOfTurnSilence = v; return this; }
        public Builder earlyTranscript(Duration v) { earlyTranscript = v; return this; }
        public Builder preRoll(Duration v) { preRoll = v; return this; }
        public Builder maxUtterance(Duration v) { maxUtterance = v; return this; }
        public Builder speechThreshold(double v) { speechThreshold = v; return this; }
        public Builder bargeIn(Duration v) { bargeIn = v; return this; }
        public Builder bargeInMinWords(int v) { bargeInMinWords = v; return this; }
        public Builder maxExchanges(int v) { maxExchanges = v; return this; }
        public Builder historyMessages(int v) { historyMessages = v; return this; }
        public Builder maxTranscriptChars(int v) { maxTranscriptChars = v; return this; }
        public Builder maxReplyChars(int v) { maxReplyChars = v; return this; }
        public Builder maxReplyTokens(int v) { maxReplyTokens = v; return this; }
        public Builder hallucinations(List<String> v) { hallucinations = v; return this; }
        public Builder idlePromptAfter(Duration v) { idlePromptAfter = v; return this; }
        public Builder idlePromptsBeforeGoodbye(int v) { idlePromptsBeforeGoodbye = v; return this; }
        public Builder maxCallLength(Duration v) { maxCallLength = v; return this; }
        public Builder silenceBound(Duration v) { silenceBound = v; return this; }
        public Builder responderTimeout(Duration v) { responderTimeout = v; return this; }
        public Builder fillerPhrase(String v) { fillerPhrase = v; return this; }
        public Builder maxRetries(int v) { maxRetries = v; return this; }
        public Builder retryBudget(Duration v) { retryBudget = v; return this; }
        public Builder retryBackoff(Duration v) { retryBackoff = v; return this; }
        public Builder playoutChunkMs(int v) { playoutChunkMs = v; return this; }
        public Builder maxQueuedMs(int v) { maxQueuedMs = v; return this; }
        public Builder maxBufferedAudio(Duration v) { maxBufferedAudio = v; return this; }
        public Builder maxPieceChars(int v) { maxPieceChars = v; return this; }
        public Builder firstPieceMinChars(int v) { firstPieceMinChars = v; return this; }
        public Builder streamingSynthesis(boolean v) { streamingSynthesis = v; return this; }
        public Builder accessPin(String v) { accessPin = v; return this; }
        public Builder pinPrompt(String v) { pinPrompt = v; return this; }
        public Builder pinRetryPrompt(String v) { pinRetryPrompt = v; return this; }
        public Builder pinRejected(String v) { pinRejected = v; return this; }
        public Builder pinTries(int v) { pinTries = v; return this; }

        /** Validates and builds; {@link IllegalArgumentException} names the first bad field. */
        public CallSettings build() {
            return new CallSettings(speechStart, endOfTurnSilence, earlyTranscript, preRoll, maxUtterance, speechThreshold, bargeIn,
                    bargeInMinWords, maxExchanges, historyMessages, maxTranscriptChars, maxReplyChars, maxReplyTokens,
                    hallucinations, idlePromptAfter, idlePromptsBeforeGoodbye, maxCallLength, silenceBound,
                    responderTimeout, fillerPhrase, maxRetries, retryBudget, retryBackoff, playoutChunkMs, maxQueuedMs,
                    maxBufferedAudio, maxPieceChars, firstPieceMinChars, streamingSynthesis, accessPin, pinPrompt,
                    pinRetryPrompt, pinRejected, pinTries);
        }
    }
}
