package dev.hotline.audio;

import java.io.IOException;

/**
 * The bytes given to {@link Wav} are not a WAV file this toolkit can read: not RIFF/WAVE, cut short,
 * internally inconsistent, or in an encoding other than 16-bit PCM, mu-law or A-law. The message
 * says which, with the offending values.
 */
public final class WavFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message saying what is wrong with the input. */
    public WavFormatException(String message) {
        super(message);
    }
}
