package dev.hotline.core.session;

import dev.hotline.core.Utterance;
import java.util.Objects;

/**
 * A caller turn that was not answered yet when the caller went on speaking: it is answered together with
 * the next utterance. Either its audio (it had not been transcribed yet) or its transcript (it had) is kept.
 *
 * <p>Immutable. The session holds at most one, under its lock, until the next utterance ends or the call
 * ends.
 *
 * @param audio the earlier utterance, or {@code null} if it was transcribed
 * @param audioEndNanos the call's audio time at which the earlier utterance's audio ends
 * @param transcript the earlier turn's accepted transcript, or {@code null} if it was not transcribed
 */
record CarriedTurn(Utterance audio, long audioEndNanos, String transcript) {

    CarriedTurn {
        if ((audio == null) == (transcript == null)) {
            throw new IllegalArgumentException("a carried turn keeps either its audio or its transcript");
        }
    }

    /** An earlier utterance not transcribed yet, whose audio ends at {@code audioEndNanos}. */
    static CarriedTurn ofAudio(Utterance audio, long audioEndNanos) {
        return new CarriedTurn(Objects.requireNonNull(audio, "audio"), audioEndNanos, null);
    }

    /** An earlier turn already transcribed as {@code transcript}. */
    static CarriedTurn ofTranscript(String transcript) {
        return new CarriedTurn(null, 0, Objects.requireNonNull(transcript, "transcript"));
    }

    /**
     * One utterance: the earlier audio, {@code gapNanos} of silence, then {@code later}, at most
     * {@code maxBytes} long. Over the cap, the gap is shortened first (it holds no words), then the earliest
     * audio is left out; {@code later} is kept whole up to the cap.
     */
    static Utterance join(Utterance earlier, long gapNanos, Utterance later, int maxBytes) {
        if (!earlier.format().equals(later.format())) {
            throw new IllegalArgumentException("cannot join " + earlier.format() + " and " + later.format());
        }
        if (maxBytes < 2) {
            throw new IllegalArgumentException("maxBytes must be >= 2, was " + maxBytes);
        }
        int cap = maxBytes - maxBytes % 2;
        int laterBytes = Math.min(later.pcm().length, cap);
        int room = cap - laterBytes;
        int earlierBytes = Math.min(earlier.pcm().length, room);
        long gapSamples = Math.max(0, gapNanos) * earlier.format().sampleRate() / 1_000_000_000L;
        int gapBytes = (int) Math.min(2 * gapSamples, room - earlierBytes);
        byte[] pcm = new byte[earlierBytes + gapBytes + laterBytes];
        System.arraycopy(earlier.pcm(), earlier.pcm().length - earlierBytes, pcm, 0, earlierBytes);
        System.arraycopy(later.pcm(), 0, pcm, earlierBytes + gapBytes, laterBytes);
        return new Utterance(earlier.format(), pcm);
    }
}
