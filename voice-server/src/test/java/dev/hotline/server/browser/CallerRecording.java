package dev.hotline.server.browser;

import dev.hotline.audio.AudioClip;
import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.Pcm16;
import dev.hotline.audio.Resampler;
import dev.hotline.audio.Wav;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a shared speech recording into what Chromium's fake microphone plays well: 16-bit PCM mono at
 * 48 kHz (the rate a capture device runs at, so the page's worklet resampler is exercised), with silence
 * before the speech (the greeting plays meanwhile) and after it (so the end of the turn is detected).
 */
final class CallerRecording {

    private static final int DEVICE_RATE = 48_000;

    private CallerRecording() {
    }

    static AudioClip prepare(Path speechWav, long leadingSilenceMillis, long trailingSilenceMillis)
            throws IOException {
        AudioClip speech = Wav.read(speechWav).toPcm16();
        if (speech.format().channels() != 1) {
            throw new IllegalArgumentException("expected a mono recording, got " + speech.format());
        }
        short[] samples = Resampler.resample(speech.toPcm16Samples(), speech.format().sampleRate(), DEVICE_RATE);
        int lead = (int) (leadingSilenceMillis * DEVICE_RATE / 1000);
        int trail = (int) (trailingSilenceMillis * DEVICE_RATE / 1000);
        short[] padded = new short[lead + samples.length + trail];
        System.arraycopy(samples, 0, padded, lead, samples.length);
        return new AudioClip(new AudioFormat(AudioFormat.Encoding.PCM16_LE, DEVICE_RATE, 1), Pcm16.toBytes(padded));
    }
}
