package dev.hotline.elevenlabs;

import dev.hotline.audio.AudioFormat;
import java.util.Optional;
import java.util.Set;

/**
 * Maps engine audio formats to ElevenLabs {@code output_format} values. Only formats the engine can play
 * without decoding are offered: G.711 at 8 kHz and mono 16-bit little-endian PCM (ElevenLabs' {@code pcm_*}
 * is raw signed 16-bit little-endian mono, no header).
 */
final class OutputFormats {

    /** PCM rates in the {@code output_format} enum of ElevenLabs' SDK, in Hz. */
    private static final Set<Integer> PCM_RATES = Set.of(8_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000);
    /** G.711 is offered at 8 kHz only ({@code ulaw_8000}, {@code alaw_8000}). */
    private static final int G711_RATE = 8_000;

    private OutputFormats() {
    }

    /** The {@code output_format} for {@code format}, or empty if ElevenLabs cannot produce it. */
    static Optional<String> of(AudioFormat format) {
        if (format.channels() != 1) {
            return Optional.empty();
        }
        return switch (format.encoding()) {
            case ULAW -> format.sampleRate() == G711_RATE ? Optional.of("ulaw_8000") : Optional.empty();
            case ALAW -> format.sampleRate() == G711_RATE ? Optional.of("alaw_8000") : Optional.empty();
            case PCM16_LE -> PCM_RATES.contains(format.sampleRate())
                    ? Optional.of("pcm_" + format.sampleRate()) : Optional.empty();
        };
    }

    /** The {@code output_format} for {@code format}, or an {@code IllegalArgumentException} naming the choices. */
    static String require(AudioFormat format) {
        return of(format).orElseThrow(() -> new IllegalArgumentException("ElevenLabs cannot produce " + format
                + "; supported: mono mu-law or A-law at 8 kHz, mono PCM16 at " + PCM_RATES.stream().sorted().toList()
                + " Hz"));
    }
}
