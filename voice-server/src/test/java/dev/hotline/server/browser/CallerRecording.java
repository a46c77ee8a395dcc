package dev.hotline.server.browser;

import dev.hotline.audio.AudioClip;
import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.Pcm16;
import dev.hotline.audio.Resampler;
import dev.hotline.audio.Wav;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds what Chromium's fake microphone plays: shared speech recordings between stretches of silence, as
 * 16-bit PCM mono at 48 kHz (the rate a capture device runs at, so the page's worklet resampler is
 * exercised). Not thread-safe.
 */
final class CallerRecording {

    private static final int DEVICE_RATE = 48_000;
    private final ByteArrayOutputStream pcm = new ByteArrayOutputStream();

    /** Appends {@code millis} of digital silence. */
    CallerRecording silence(long millis) {
        pcm.writeBytes(new byte[(int) (millis * DEVICE_RATE / 1000) * 2]);
        return this;
    }

    /** Appends a mono PCM WAV recording, resampled to the device rate. */
    CallerRecording speech(Path wav) throws IOException {
        AudioClip speech = Wav.read(wav).toPcm16();
        if (speech.format().channels() != 1) {
            throw new IllegalArgumentException("expected a mono recording, got " + speech.format() + " in " + wav);
        }
        pcm.writeBytes(Pcm16.toBytes(
                Resampler.resample(speech.toPcm16Samples(), speech.format().sampleRate(), DEVICE_RATE)));
        return this;
    }

    /** Everything appended so far. */
    AudioClip toClip() {
        return new AudioClip(new AudioFormat(AudioFormat.Encoding.PCM16_LE, DEVICE_RATE, 1), pcm.toByteArray());
    }
}
