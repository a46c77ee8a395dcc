package dev.hotline.core.turn;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.EnergyVad;
import dev.hotline.core.VoiceActivityDetector;

/**
 * The default voice activity detector: voice-audio's {@link EnergyVad} (frame level against a noise floor
 * found by minimum statistics, so steady background noise becomes its own floor), used as a plain
 * per-frame level detector. Its own onset and hangover are switched off because the {@link TurnDetector}
 * already applies {@code speechStart} and {@code endOfTurnSilence}.
 *
 * <p>Frames of any length are cut into the 20 ms frames {@link EnergyVad} takes; the probability returned is
 * 1 or 0, the verdict on the latest whole 20 ms frame.
 *
 * <p>Not thread-safe: one per call, fed by the call's inbound thread.
 */
public final class EnergyVoiceActivityDetector implements VoiceActivityDetector {

    /** Makes one detector per call. */
    public static final Factory FACTORY = new Factory() {
        @Override
        public VoiceActivityDetector create(int sampleRate) {
            return new EnergyVoiceActivityDetector(sampleRate);
        }

        @Override
        public String name() {
            return "energy";
        }
    };

    /**
     * Speech stands 12 dB above the quietest frame of the last three seconds (150 frames) and above
     * -50 dBFS (telephone line hiss sits around -60 to -70 dBFS); no onset or hangover of its own.
     */
    static final EnergyVad.Config CONFIG = new EnergyVad.Config(12.0, -50.0, 150, 1, 0);

    private final EnergyVad vad;
    private final short[] frame;
    private int filled;
    private float latest;

    /** A detector for 16-bit mono audio at {@code sampleRate} Hz. */
    public EnergyVoiceActivityDetector(int sampleRate) {
        this.vad = new EnergyVad(new AudioFormat(AudioFormat.Encoding.PCM16_LE, sampleRate, 1), CONFIG);
        this.frame = new short[vad.frameBytes() / 2];
    }

    @Override
    public float speechProbability(short[] samples, int offset, int length) {
        for (int i = offset; i < offset + length; ) {
            int n = Math.min(frame.length - filled, offset + length - i);
            System.arraycopy(samples, i, frame, filled, n);
            filled += n;
            i += n;
            if (filled == frame.length) {
                latest = vad.isSpeech(frame) ? 1f : 0f;
                filled = 0;
            }
        }
        return latest;
    }

    @Override
    public void reset() {
        vad.reset();
        filled = 0;
        latest = 0f;
    }
}
