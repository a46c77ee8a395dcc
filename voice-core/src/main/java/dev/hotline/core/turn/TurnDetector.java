package dev.hotline.core.turn;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallSettings;
import dev.hotline.core.Utterance;
import java.time.Duration;
import java.util.Arrays;

/**
 * Finds the caller's turns in a stream of frames, in audio time: a turn starts once speech has lasted
 * {@code speechStart} (so clicks and short noises do not start one) and ends after {@code endOfTurnSilence}
 * of silence, or when it reaches {@code maxUtterance}. The utterance handed on includes up to
 * {@code preRoll} of the audio before the speech was first heard, so the first syllable is not clipped.
 *
 * <p>Frames may have any length; each frame counts as speech or silence as a whole, by comparing the VAD's
 * probability with {@code speechThreshold}.
 *
 * <p><b>Where the silence starts.</b> A VAD goes on hearing speech for a while after the voice has faded:
 * Silero's probability stays above the threshold for 80-180 ms of a word's dying tail in the shared phone
 * recordings, frames at -42 to -62 dBFS, and for as long over a noisy line's floor (-43 to -48 dBFS in the
 * shared LibriVox recordings at 8 kHz). The end-of-turn silence is counted from where the speech faded
 * instead: speech frames just before the first silent frame count as silence, up to {@link #MAX_QUIET_CREDIT},
 * when they are quiet, that is more than {@link #ACTIVITY_MARGIN_DB} under the turn's speech level (the margin
 * of ITU-T P.56's active speech level: what lies further under it is not counted as speech activity) or under
 * {@link #QUIET_SPEECH_RMS} whatever the level. The speech level is the mean power of the turn's frames that
 * the VAD calls speech and that are over {@code QUIET_SPEECH_RMS}. Quiet speech that goes on still resets the
 * count at every frame, so a turn never ends while the VAD hears speech; it only ends up to that much sooner
 * after it.
 *
 * <p><b>Bounded.</b> The pre-roll ring holds {@code preRoll + 2 * speechStart}; the utterance buffer grows
 * on demand up to {@code preRoll + maxUtterance} and is kept for the call's next turn: a call holds about its
 * longest utterance so far (a few seconds: 16 kB a second at 8 kHz). A buffer made anew for every turn lived
 * as long as the caller spoke, several young collections, so it was copied by each of them; at 200 calls
 * speaking at once that was most of what a young collection of the hotline had to copy. Kept, it is copied
 * into the old generation once and then written in place.
 *
 * <p>Not thread-safe: one per call, fed by the inbound thread.
 */
public final class TurnDetector {

    /** What a frame changed. */
    public enum Event {
        /** Nothing worth telling. */
        NONE,
        /** Speech has lasted long enough to be a turn (the start of speech was {@code speechStart} ago or more). */
        SPEECH_STARTED,
        /** The turn ended; take it with {@link #takeUtterance()}. */
        TURN_ENDED
    }

    private enum State { SILENCE, CANDIDATE, SPEECH }

    /** The smallest utterance buffer, grown by doubling. */
    private static final int INITIAL_CAPACITY_SAMPLES = 16_000;
    /**
     * RMS (16-bit units; -50 dBFS) below which a frame the VAD calls speech is a fading tail at any speech level:
     * under the quietest window that started speech in the shared recordings (RMS 230, -43 dBFS), over a phone
     * line's noise floor (RMS 8-17).
     */
    static final int QUIET_SPEECH_RMS = 100;
    /**
     * How far under the turn's speech level a frame the VAD calls speech is a fading tail, in dB: ITU-T P.56's
     * margin between the active speech level and the activity threshold.
     */
    static final double ACTIVITY_MARGIN_DB = 15.9;
    private static final double ACTIVITY_MARGIN = Math.pow(10, -ACTIVITY_MARGIN_DB / 10);
    private static final long QUIET_SPEECH_POWER = (long) QUIET_SPEECH_RMS * QUIET_SPEECH_RMS;
    /** The most of a quiet tail counted as silence. */
    static final Duration MAX_QUIET_CREDIT = Duration.ofMillis(200);
    /** Trailing silence kept at the end of an utterance, so the recognizer hears the last word end. */
    private static final Duration TRAILING_SILENCE_KEPT = Duration.ofMillis(200);

    private final int sampleRate;
    private final double threshold;
    private final long speechStartSamples;
    private final long endSilenceSamples;
    private final int preRollSamples;
    private final int maxUtteranceSamples;
    private final int trailingKeptSamples;
    private final long maxQuietCreditSamples;
    private final short[] ring;
    private int ringPos;
    private int ringFill;

    private State state = State.SILENCE;
    private long candidateVoiced;
    private long candidateGap;
    private long candidateElapsed;
    private long voiced;
    private long silenceRun;
    /** Samples of the quiet speech frames just before now, in a turn (see the class comment). */
    private long quietTail;
    /** The energy (sum of squares) and length of the turn's speech frames over {@link #QUIET_SPEECH_RMS}. */
    private double speechEnergy;
    private long speechSamples;
    private short[] utterance;
    private int utteranceLength;
    private Utterance finished;
    private boolean endedBySilence;
    private long trailingDropped;

    /** A detector for audio at {@code sampleRate} Hz with the turn settings of {@code settings}. */
    public TurnDetector(CallSettings settings, int sampleRate) {
        if (sampleRate <= 0) {
            throw new IllegalArgumentException("sampleRate must be > 0, was " + sampleRate);
        }
        this.sampleRate = sampleRate;
        this.threshold = settings.speechThreshold();
        this.speechStartSamples = samples(settings.speechStart());
        this.endSilenceSamples = samples(settings.endOfTurnSilence());
        this.preRollSamples = (int) samples(settings.preRoll());
        this.maxUtteranceSamples = Math.toIntExact(preRollSamples + samples(settings.maxUtterance()));
        this.trailingKeptSamples = (int) samples(TRAILING_SILENCE_KEPT);
        this.maxQuietCreditSamples = samples(MAX_QUIET_CREDIT);
        this.ring = new short[Math.toIntExact(preRollSamples + 2 * speechStartSamples)];
    }

    /**
     * Feeds one frame.
     *
     * @param pcm the frame's samples
     * @param length how many samples of {@code pcm} to use
     * @param speechProbability the VAD's verdict on the frame
     */
    public Event onFrame(short[] pcm, int length, float speechProbability) {
        boolean speech = speechProbability >= threshold;
        remember(pcm, length);
        switch (state) {
            case SILENCE -> {
                if (speech) {
                    state = State.CANDIDATE;
                    candidateVoiced = length;
                    candidateGap = 0;
                    candidateElapsed = length;
                    return maybeStart();
                }
                return Event.NONE;
            }
            case CANDIDATE -> {
                candidateElapsed += length;
                if (speech) {
                    candidateVoiced += length;
                    candidateGap = 0;
                    return maybeStart();
                }
                candidateGap += length;
                if (candidateGap > speechStartSamples) {
                    state = State.SILENCE;
                }
                return Event.NONE;
            }
            case SPEECH -> {
                append(pcm, length);
                if (speech) {
                    voiced += length;
                    silenceRun = 0;
                    quietTail = quiet(pcm, length) ? quietTail + length : 0;
                } else {
                    silenceRun += Math.min(quietTail, maxQuietCreditSamples) + length;
                    quietTail = 0;
                }
                if (silenceRun >= endSilenceSamples || utteranceLength >= maxUtteranceSamples) {
                    finish();
                    return Event.TURN_ENDED;
                }
                return Event.NONE;
            }
            default -> throw new IllegalStateException("unknown state " + state);
        }
    }

    /** Whether speech is going on (a candidate or a started turn). */
    public boolean hearingSpeech() {
        return state != State.SILENCE;
    }

    /** Whether a turn has started and not yet ended. */
    public boolean inTurn() {
        return state == State.SPEECH;
    }

    /** How much speech (voiced audio only) was heard since the current speech began; zero in silence. */
    public Duration voicedSoFar() {
        long samples = switch (state) {
            case SILENCE -> 0;
            case CANDIDATE -> candidateVoiced;
            case SPEECH -> voiced;
        };
        return Duration.ofNanos(samples * 1_000_000_000L / sampleRate);
    }

    /** The silence since the last speech frame of the current turn; zero outside a turn. */
    public Duration silenceSoFar() {
        return state == State.SPEECH ? Duration.ofNanos(silenceRun * 1_000_000_000L / sampleRate) : Duration.ZERO;
    }

    /** A copy of the turn so far (pre-roll included), or {@code null} outside a turn. */
    public Utterance snapshot() {
        return state == State.SPEECH ? toUtterance(utterance, utteranceLength) : null;
    }

    /**
     * The utterance the turn would hand on if silence ended it now: the turn so far less the trailing silence
     * past the 200 ms kept, as {@link #takeUtterance()} would give it; {@code null} outside a turn. If the turn
     * then ends by silence with no more speech, its utterance is this one, sample for sample.
     */
    public Utterance utteranceIfEndedNow() {
        if (state != State.SPEECH) {
            return null;
        }
        long dropTrailing = Math.min(utteranceLength, Math.max(0, silenceRun - trailingKeptSamples));
        return toUtterance(utterance, (int) (utteranceLength - dropTrailing));
    }

    /** The utterance of the turn that just ended, once; {@code null} if there is none. */
    public Utterance takeUtterance() {
        Utterance out = finished;
        finished = null;
        return out;
    }

    /** Whether the last turn ended because of silence (rather than the utterance cap). */
    public boolean lastTurnEndedBySilence() {
        return endedBySilence;
    }

    /**
     * How much audio of the last turn's trailing silence was left out of its utterance: the utterance's
     * audio ended this long before the frame that ended the turn.
     */
    public Duration trailingSilenceDropped() {
        return Duration.ofNanos(trailingDropped * 1_000_000_000L / sampleRate);
    }

    /** Forgets everything: the pre-roll, any turn in progress, any utterance not taken. */
    public void reset() {
        state = State.SILENCE;
        ringPos = 0;
        ringFill = 0;
        utteranceLength = 0;
        quietTail = 0;
        finished = null;
    }

    private Event maybeStart() {
        if (candidateVoiced < speechStartSamples) {
            return Event.NONE;
        }
        state = State.SPEECH;
        voiced = candidateVoiced;
        silenceRun = candidateGap;
        quietTail = 0;
        speechEnergy = 0;
        speechSamples = 0;
        int keep = (int) Math.min(ringFill, candidateElapsed + preRollSamples);
        if (utterance == null || utterance.length < keep) {
            utterance = new short[Math.min(Math.max(INITIAL_CAPACITY_SAMPLES, keep * 2), maxUtteranceSamples)];
        }
        int start = Math.floorMod(ringPos - keep, ring.length);
        int first = Math.min(keep, ring.length - start);
        System.arraycopy(ring, start, utterance, 0, first);
        System.arraycopy(ring, 0, utterance, first, keep - first);
        utteranceLength = keep;
        return Event.SPEECH_STARTED;
    }

    /**
     * Whether a frame the VAD calls speech is a fading tail: under {@link #QUIET_SPEECH_RMS}, or more than
     * {@link #ACTIVITY_MARGIN_DB} under the speech level of the turn so far (this frame included).
     */
    private boolean quiet(short[] pcm, int length) {
        long energy = 0;
        for (int i = 0; i < length; i++) {
            energy += pcm[i] * pcm[i];
        }
        if (energy < QUIET_SPEECH_POWER * length) {
            return true;
        }
        speechEnergy += energy;
        speechSamples += length;
        return energy < speechEnergy / speechSamples * ACTIVITY_MARGIN * length;
    }

    private void finish() {
        endedBySilence = silenceRun >= endSilenceSamples;
        long dropTrailing = Math.min(utteranceLength, Math.max(0, silenceRun - trailingKeptSamples));
        int length = (int) (utteranceLength - dropTrailing);
        trailingDropped = dropTrailing;
        finished = toUtterance(utterance, length);
        utteranceLength = 0;
        state = State.SILENCE;
        voiced = 0;
        silenceRun = 0;
        quietTail = 0;
    }

    /** Writes {@code pcm[i]} at {@code (ringPos + i) % ring.length}, in at most two copies (once per frame). */
    private void remember(short[] pcm, int length) {
        int skipped = Math.max(0, length - ring.length); // overwritten within this frame anyway
        int n = length - skipped;
        int start = (ringPos + skipped) % ring.length;
        int first = Math.min(n, ring.length - start);
        System.arraycopy(pcm, skipped, ring, start, first);
        System.arraycopy(pcm, skipped + first, ring, 0, n - first);
        ringPos = (ringPos + length) % ring.length;
        ringFill = Math.min(ring.length, ringFill + length);
    }

    private void append(short[] pcm, int length) {
        int room = maxUtteranceSamples - utteranceLength;
        int n = Math.min(room, length);
        if (utteranceLength + n > utterance.length) {
            utterance = Arrays.copyOf(utterance, Math.min(maxUtteranceSamples,
                    Math.max(utterance.length * 2, utteranceLength + n)));
        }
        System.arraycopy(pcm, 0, utterance, utteranceLength, n);
        utteranceLength += n;
    }

    private Utterance toUtterance(short[] samples, int length) {
        byte[] bytes = new byte[length * 2];
        for (int i = 0; i < length; i++) {
            bytes[2 * i] = (byte) samples[i];
            bytes[2 * i + 1] = (byte) (samples[i] >> 8);
        }
        return new Utterance(new AudioFormat(AudioFormat.Encoding.PCM16_LE, sampleRate, 1), bytes);
    }

    private long samples(Duration d) {
        return d.toNanos() * sampleRate / 1_000_000_000L;
    }
}
