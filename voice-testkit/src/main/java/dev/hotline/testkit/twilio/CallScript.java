package dev.hotline.testkit.twilio;

import dev.hotline.audio.G711;
import dev.hotline.testkit.TestkitAudio;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a simulated caller says and when: utterances of 8 kHz mu-law audio, and the timing rules between
 * them. Immutable; build one with {@link #builder()}.
 *
 * <p>The caller waits for the greeting (until it has played and {@code pauseBeforeSpeaking} of quiet
 * followed, or {@code greetingTimeout} passed without any audio), then says each utterance. After each one
 * it waits for the reply to play out and for {@code pauseBeforeSpeaking} of quiet, or for
 * {@code replyTimeout} if no reply comes, before the next. An utterance with a barge-in delay instead starts
 * that long after the previous reply began to play, talking over it. After the last reply it hangs up.
 *
 * @param utterances what the caller says, in order
 * @param greetingTimeout how long to wait for a greeting that does not come
 * @param pauseBeforeSpeaking quiet after a reply before the caller speaks again (a caller's reaction time)
 * @param replyTimeout how long to wait for a reply that does not come
 * @param maxCallDuration the call ends at this age, whatever the script says
 */
public record CallScript(List<Utterance> utterances, Duration greetingTimeout, Duration pauseBeforeSpeaking,
        Duration replyTimeout, Duration maxCallDuration) {

    /** The longest call a script may ask for. */
    public static final Duration MAX_CALL = Duration.ofHours(1);

    /**
     * One thing the caller says.
     *
     * @param ulaw 8 kHz mu-law audio, sent in 20 ms frames (the last one padded with silence)
     * @param bargeInAfter null to wait for the previous reply to finish; otherwise start talking this long
     *     after the previous reply began to play
     * @param label a name for reports (a file name)
     */
    public record Utterance(byte[] ulaw, Duration bargeInAfter, String label) {
        /**
         * A 20 ms frame whose RMS is below this is not speech, for finding where speech ends: about -40 dBFS,
         * well above line noise and well below any spoken syllable.
         */
        static final double SPEECH_RMS = 330;

        public Utterance {
            if (ulaw.length == 0) {
                throw new IllegalArgumentException("utterance '" + label + "' has no audio");
            }
            ulaw = ulaw.clone();
            if (bargeInAfter != null && bargeInAfter.isNegative()) {
                throw new IllegalArgumentException("bargeInAfter must be >= 0, was " + bargeInAfter);
            }
            Objects.requireNonNull(label, "label");
        }

        @Override
        public byte[] ulaw() {
            return ulaw.clone();
        }

        int length() {
            return ulaw.length;
        }

        byte at(int i) {
            return ulaw[i];
        }

        /**
         * Bytes from the start to the end of the last 20 ms frame that holds speech: where the caller stops
         * talking, before any trailing silence in the file. The whole length if no frame is loud enough.
         */
        int speechEnd() {
            for (int end = (ulaw.length + 159) / 160 * 160; end > 0; end -= 160) {
                int from = end - 160;
                double sum = 0;
                int n = 0;
                for (int i = from; i < Math.min(end, ulaw.length); i++) {
                    double sample = G711.ulawToLinear(ulaw[i]);
                    sum += sample * sample;
                    n++;
                }
                if (n > 0 && Math.sqrt(sum / n) >= SPEECH_RMS) {
                    return Math.min(end, ulaw.length);
                }
            }
            return ulaw.length;
        }

        /** How long the utterance plays. */
        public Duration duration() {
            return Duration.ofMillis(ulaw.length / 8L);
        }
    }

    public CallScript {
        utterances = List.copyOf(utterances);
        requireBetween("greetingTimeout", greetingTimeout, Duration.ZERO, MAX_CALL);
        requireBetween("pauseBeforeSpeaking", pauseBeforeSpeaking, Duration.ofMillis(20), Duration.ofMinutes(1));
        requireBetween("replyTimeout", replyTimeout, Duration.ofMillis(20), MAX_CALL);
        requireBetween("maxCallDuration", maxCallDuration, Duration.ofMillis(20), MAX_CALL);
    }

    private static void requireBetween(String name, Duration value, Duration min, Duration max) {
        Objects.requireNonNull(value, name);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    /** A builder with a 5 s greeting timeout, 800 ms pause, 15 s reply timeout and a 10-minute call limit. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link CallScript}. Not thread-safe. */
    public static final class Builder {
        private final List<Utterance> utterances = new ArrayList<>();
        private Duration greetingTimeout = Duration.ofSeconds(5);
        private Duration pauseBeforeSpeaking = Duration.ofMillis(800);
        private Duration replyTimeout = Duration.ofSeconds(15);
        private Duration maxCallDuration = Duration.ofMinutes(10);

        /** Adds an utterance that waits for the previous reply to finish. */
        public Builder say(byte[] ulaw, String label) {
            utterances.add(new Utterance(ulaw, null, label));
            return this;
        }

        /** Adds an utterance that starts {@code after} the previous reply began to play. */
        public Builder interrupt(byte[] ulaw, Duration after, String label) {
            utterances.add(new Utterance(ulaw, Objects.requireNonNull(after, "after"), label));
            return this;
        }

        /** Adds a WAV file (16-bit PCM at any rate, or mu-law), converted to 8 kHz mu-law. */
        public Builder sayWav(Path wav) throws IOException {
            return say(TestkitAudio.readWavAsUlaw8k(wav), wav.getFileName().toString());
        }

        /** Adds a WAV file that starts {@code after} the previous reply began to play. */
        public Builder interruptWav(Path wav, Duration after) throws IOException {
            return interrupt(TestkitAudio.readWavAsUlaw8k(wav), after, wav.getFileName().toString());
        }

        public Builder greetingTimeout(Duration value) {
            this.greetingTimeout = value;
            return this;
        }

        public Builder pauseBeforeSpeaking(Duration value) {
            this.pauseBeforeSpeaking = value;
            return this;
        }

        public Builder replyTimeout(Duration value) {
            this.replyTimeout = value;
            return this;
        }

        public Builder maxCallDuration(Duration value) {
            this.maxCallDuration = value;
            return this;
        }

        public CallScript build() {
            return new CallScript(utterances, greetingTimeout, pauseBeforeSpeaking, replyTimeout, maxCallDuration);
        }
    }
}
