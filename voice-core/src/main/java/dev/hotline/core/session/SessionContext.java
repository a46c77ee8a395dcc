package dev.hotline.core.session;

import dev.hotline.core.CallObserver;
import dev.hotline.core.CallSettings;
import dev.hotline.core.Persona;
import dev.hotline.core.Responder;
import dev.hotline.core.Synthesizer;
import dev.hotline.core.Transcriber;
import dev.hotline.core.VoiceActivityDetector;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;

/**
 * What every call of one engine shares: the providers, the persona, the settings, the observer and the
 * clocks. Immutable; built by {@link dev.hotline.core.Engine}.
 *
 * @param transcriber speech-to-text
 * @param responder the LLM
 * @param fallbackResponder answers when the responder fails, or {@code null} to speak the persona's apology
 * @param synthesizers the primary synthesizer followed by its fallbacks; not empty
 * @param vad makes one voice activity detector per call
 * @param persona who the hotline is
 * @param settings the tunables
 * @param observer receives every event
 * @param clock stamps events
 * @param nanoTime measures latency
 * @param threads makes the call's threads
 */
public record SessionContext(Transcriber transcriber, Responder responder, Responder fallbackResponder,
        List<Synthesizer> synthesizers, VoiceActivityDetector.Factory vad, Persona persona, CallSettings settings,
        CallObserver observer, InstantSource clock, LongSupplier nanoTime, ThreadFactory threads) {

    public SessionContext {
        Objects.requireNonNull(transcriber, "transcriber");
        Objects.requireNonNull(responder, "responder");
        synthesizers = List.copyOf(synthesizers);
        if (synthesizers.isEmpty()) {
            throw new IllegalArgumentException("at least one synthesizer is needed");
        }
        Objects.requireNonNull(vad, "vad");
        Objects.requireNonNull(persona, "persona");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(nanoTime, "nanoTime");
        Objects.requireNonNull(threads, "threads");
    }
}
