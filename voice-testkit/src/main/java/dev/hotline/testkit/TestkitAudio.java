package dev.hotline.testkit;

import dev.hotline.audio.AudioClip;
import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;
import dev.hotline.audio.Pcm16;
import dev.hotline.audio.Resampler;
import dev.hotline.audio.Wav;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The audio file handling the test kit shares, on top of {@code voice-audio}: WAV files in as the
 * telephone line carries them, and what a caller heard out as a WAV file.
 *
 * <p>Stateless and thread-safe. Unreadable or unsupported files are {@link IOException}s
 * ({@link dev.hotline.audio.WavFormatException} names the problem).
 */
public final class TestkitAudio {

    /** The telephone sample rate Twilio streams at, in Hz. */
    public static final int TELEPHONE_RATE = 8_000;
    /** One mu-law byte that decodes to zero: what Twilio sends for silence. */
    public static final byte ULAW_SILENCE = (byte) 0xFF;

    private TestkitAudio() {
    }

    /**
     * Reads a WAV file (whatever {@link Wav} reads: PCM16, mu-law, A-law; stereo is mixed down) and returns
     * it as 8 kHz mu-law, the way a phone line would carry it.
     *
     * @throws IOException if the file cannot be read or is not a supported WAV file
     * @throws IllegalArgumentException if its sample rate is not one {@link Resampler} converts
     */
    public static byte[] readWavAsUlaw8k(Path file) throws IOException {
        AudioClip clip = Wav.read(file);
        short[] samples = clip.toPcm16Samples();
        if (clip.format().channels() == 2) {
            samples = Pcm16.stereoToMono(samples);
        } else if (clip.format().channels() != 1) {
            throw new IllegalArgumentException(file + " has " + clip.format().channels() + " channels; mono or stereo only");
        }
        int rate = clip.format().sampleRate();
        return G711.linearToUlaw(rate == TELEPHONE_RATE ? samples : Resampler.resample(samples, rate, TELEPHONE_RATE));
    }

    /** Writes 8 kHz mu-law audio as a 16-bit PCM WAV file, the easiest kind to play anywhere. */
    public static void writeUlawAsWav(byte[] ulaw, Path file) throws IOException {
        Wav.write(new AudioClip(AudioFormat.PCM16_8K, G711.ulawToPcm16le(ulaw)), file);
    }
}
