package dev.hotline.audio;

import java.util.Arrays;
import java.util.Objects;

/**
 * An energy voice-activity detector with an adaptive noise floor: one decision per frame.
 *
 * <p><b>How it decides.</b> For each frame it measures the level in dBFS ({@link Energy}). The noise
 * floor is the lowest level of the last {@link Config#noiseWindowFrames()} frames (a sliding minimum,
 * so it follows steady noise up within one window and down at once, and speech, which always has
 * short dips between syllables, does not drag it up). A frame is <em>loud</em> when its level is at
 * least {@link Config#thresholdDb()} above the floor and at least {@link Config#minSpeechDbfs()}.
 * Speech starts after {@link Config#onsetFrames()} loud frames in a row (so a click is ignored) and
 * ends {@link Config#hangoverFrames()} frames after the last loud frame (so word tails and short
 * pauses stay inside the utterance). Steady noise of any level or spectrum (hiss, hum) becomes the
 * floor and is rejected once the detector has seen it for one window; until then a sudden rise in
 * noise counts as speech.
 *
 * <p><b>Lifecycle and threading.</b> One instance per stream, fed every frame in order; not
 * thread-safe. {@link #reset()} forgets the floor and the current utterance.
 */
public final class EnergyVad {

    /**
     * Tuning of an {@link EnergyVad}. {@link #DEFAULT} was chosen on the real recordings in
     * {@code fixtures/speech} mixed with silence, white noise and mains hum (see EnergyVadTest and
     * docs/audio.md for the measured rates).
     *
     * @param thresholdDb how far above the noise floor a frame must be to count as loud, in dB; > 0
     * @param minSpeechDbfs the quietest level that can count as loud, in dBFS; keeps near-silence silent
     * @param noiseWindowFrames frames the noise floor's sliding minimum spans; > 0
     * @param onsetFrames consecutive loud frames that start speech; > 0
     * @param hangoverFrames frames speech continues after the last loud frame; >= 0
     */
    public record Config(double thresholdDb, double minSpeechDbfs, int noiseWindowFrames, int onsetFrames,
                         int hangoverFrames) {

        /** 9 dB over a 2 s floor window, louder than -55 dBFS, 40 ms onset, 300 ms hangover (20 ms frames). */
        public static final Config DEFAULT = new Config(9.0, -55.0, 100, 2, 15);

        /** @throws IllegalArgumentException if a value is out of its range (see the parameters) */
        public Config {
            if (!(thresholdDb > 0)) {
                throw new IllegalArgumentException("thresholdDb must be > 0, was " + thresholdDb);
            }
            if (!(minSpeechDbfs <= 0)) {
                throw new IllegalArgumentException("minSpeechDbfs must be <= 0, was " + minSpeechDbfs);
            }
            if (noiseWindowFrames <= 0) {
                throw new IllegalArgumentException("noiseWindowFrames must be > 0, was " + noiseWindowFrames);
            }
            if (onsetFrames <= 0) {
                throw new IllegalArgumentException("onsetFrames must be > 0, was " + onsetFrames);
            }
            if (hangoverFrames < 0) {
                throw new IllegalArgumentException("hangoverFrames must be >= 0, was " + hangoverFrames);
            }
        }
    }

    private final AudioFormat format;
    private final Config config;
    private final int frameBytes;
    private final double[] levels;
    private int levelCount;
    private int nextLevel;
    private int loudRun;
    private int hangoverLeft;
    private boolean speaking;
    private double lastLevel = Energy.SILENCE_DBFS;
    private double noiseFloor = Energy.SILENCE_DBFS;

    /** A detector for 20 ms frames of {@code format} with {@link Config#DEFAULT}. */
    public EnergyVad(AudioFormat format) {
        this(format, Config.DEFAULT);
    }

    /** A detector for 20 ms frames ({@link Framer#DEFAULT_FRAME_MILLIS}) of {@code format}. */
    public EnergyVad(AudioFormat format, Config config) {
        this.format = Objects.requireNonNull(format, "format");
        this.config = Objects.requireNonNull(config, "config");
        this.frameBytes = new Framer(format).frameBytes();
        this.levels = new double[config.noiseWindowFrames()];
    }

    /** Bytes every frame given to {@link #isSpeech(byte[])} must have (20 ms of the format). */
    public int frameBytes() {
        return frameBytes;
    }

    /** The tuning in use. */
    public Config config() {
        return config;
    }

    /**
     * Decides whether the next frame, encoded in the detector's format, is speech.
     *
     * @throws IllegalArgumentException if the frame is not {@link #frameBytes()} long
     */
    public boolean isSpeech(byte[] frame) {
        if (frame.length != frameBytes) {
            throw new IllegalArgumentException("a frame of " + format + " must be " + frameBytes + " bytes, was "
                    + frame.length);
        }
        return decide(Energy.dbfs(Energy.rms(frame, format.encoding())));
    }

    /**
     * Decides whether the next frame, as 16-bit samples (channels interleaved), is speech.
     *
     * @throws IllegalArgumentException if the frame is not 20 ms of samples of the format
     */
    public boolean isSpeech(short[] frame) {
        int expected = frameBytes / format.encoding().bytesPerSample();
        if (frame.length != expected) {
            throw new IllegalArgumentException("a frame of " + format + " must be " + expected + " samples, was "
                    + frame.length);
        }
        return decide(Energy.dbfs(Energy.rms(frame)));
    }

    /** The level of the last frame, in dBFS ({@link Energy#SILENCE_DBFS} before the first). */
    public double lastLevelDbfs() {
        return lastLevel;
    }

    /** The current noise floor, in dBFS ({@link Energy#SILENCE_DBFS} before the first frame). */
    public double noiseFloorDbfs() {
        return noiseFloor;
    }

    /** Forgets the noise floor and any utterance in progress. */
    public void reset() {
        Arrays.fill(levels, 0);
        levelCount = 0;
        nextLevel = 0;
        loudRun = 0;
        hangoverLeft = 0;
        speaking = false;
        lastLevel = Energy.SILENCE_DBFS;
        noiseFloor = Energy.SILENCE_DBFS;
    }

    private boolean decide(double level) {
        lastLevel = level;
        levels[nextLevel] = level;
        nextLevel = (nextLevel + 1) % levels.length;
        levelCount = Math.min(levelCount + 1, levels.length);
        double floor = level;
        for (int i = 0; i < levelCount; i++) {
            floor = Math.min(floor, levels[i]);
        }
        noiseFloor = floor;

        boolean loud = level >= floor + config.thresholdDb() && level >= config.minSpeechDbfs();
        if (loud) {
            loudRun++;
            if (loudRun >= config.onsetFrames()) {
                speaking = true;
                hangoverLeft = config.hangoverFrames();
            }
        } else {
            loudRun = 0;
            if (hangoverLeft > 0) {
                hangoverLeft--;
            } else {
                speaking = false;
            }
        }
        return speaking;
    }
}
