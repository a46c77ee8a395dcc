package dev.hotline.local;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.EnergyVad;
import dev.hotline.core.VoiceActivityDetector;
import java.util.Arrays;

/** voice-audio's energy VAD seen through the port, for comparisons: 1 for speech, 0 otherwise, per 20 ms frame. */
final class EnergyVadDetector implements VoiceActivityDetector {

    private final EnergyVad vad;

    EnergyVadDetector(int sampleRate) {
        this.vad = new EnergyVad(new AudioFormat(AudioFormat.Encoding.PCM16_LE, sampleRate, 1));
    }

    @Override
    public float speechProbability(short[] samples, int offset, int length) {
        return vad.isSpeech(Arrays.copyOfRange(samples, offset, offset + length)) ? 1f : 0f;
    }

    @Override
    public void reset() {
        vad.reset();
    }
}
