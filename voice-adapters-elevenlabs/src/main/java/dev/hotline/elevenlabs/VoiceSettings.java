package dev.hotline.elevenlabs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * ElevenLabs {@code voice_settings}. Every field is optional: {@code null} leaves the voice's own stored
 * setting in force, so only the fields that are set go on the wire.
 *
 * <p>Immutable and validated at construction (ranges from the ElevenLabs API reference).
 *
 * @param stability 0..1; lower is more expressive, higher more even
 * @param similarityBoost 0..1; how closely to stick to the original voice
 * @param style 0..1; style exaggeration (adds latency above 0)
 * @param useSpeakerBoost boosts similarity to the speaker (adds a little latency)
 * @param speed 0.7..1.2; 1.0 is the voice's normal pace
 */
public record VoiceSettings(Double stability, Double similarityBoost, Double style, Boolean useSpeakerBoost,
        Double speed) {

    /** No overrides: the voice's stored settings apply. */
    public static final VoiceSettings DEFAULT = new VoiceSettings(null, null, null, null, null);

    /** Slowest speed the API accepts. */
    static final double MIN_SPEED = 0.7;
    /** Fastest speed the API accepts. */
    static final double MAX_SPEED = 1.2;

    public VoiceSettings {
        requireUnit("stability", stability);
        requireUnit("similarityBoost", similarityBoost);
        requireUnit("style", style);
        if (speed != null && (speed.isNaN() || speed < MIN_SPEED || speed > MAX_SPEED)) {
            throw new IllegalArgumentException("speed must be between " + MIN_SPEED + " and " + MAX_SPEED
                    + ", was " + speed);
        }
    }

    private static void requireUnit(String name, Double value) {
        if (value != null && (value.isNaN() || value < 0 || value > 1)) {
            throw new IllegalArgumentException(name + " must be between 0 and 1, was " + value);
        }
    }

    /** Whether no field is set. */
    public boolean isEmpty() {
        return stability == null && similarityBoost == null && style == null && useSpeakerBoost == null
                && speed == null;
    }

    /** The wire form: snake_case names, only the fields that are set, in a stable order. */
    Map<String, Object> toWire() {
        Map<String, Object> wire = new LinkedHashMap<>();
        putIfSet(wire, "stability", stability);
        putIfSet(wire, "similarity_boost", similarityBoost);
        putIfSet(wire, "style", style);
        putIfSet(wire, "use_speaker_boost", useSpeakerBoost);
        putIfSet(wire, "speed", speed);
        return wire;
    }

    private static void putIfSet(Map<String, Object> wire, String name, Object value) {
        if (value != null) {
            wire.put(name, value);
        }
    }
}
