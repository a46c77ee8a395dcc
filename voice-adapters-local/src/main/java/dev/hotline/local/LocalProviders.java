package dev.hotline.local;

import dev.hotline.core.Persona;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Responder;
import dev.hotline.core.Synthesizer;
import dev.hotline.core.Transcriber;
import dev.hotline.core.VoiceActivityDetector;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embedded providers, built with one call, for a hotline with no keys and no network: FreeTTS speaks,
 * Silero hears speech, sphinx4 (or Vosk, with a downloaded model) transcribes, and a scripted persona
 * answers. The server also takes single pieces from here as fallbacks for cloud providers.
 *
 * <p><b>Start-up.</b> {@link #start} returns once the synthesizer, the VAD and the persona are ready
 * (well under a second); sphinx4 loads its models on a thread of its own (seconds) and the first
 * transcription waits for it ({@link DeferredTranscriber}). A configured Vosk model is loaded before
 * {@code start} returns, so a wrong path stops the server at once with a message naming it.
 *
 * <p><b>Lifecycle and threading.</b> Every provider here is shared by all calls and thread-safe as its
 * port requires; VAD detectors are made per call by {@link #vad()}. {@link #close} releases the models,
 * once no call uses them any more.
 *
 * <p><b>Failures.</b> {@link #start} throws {@code IllegalArgumentException} for an unreadable persona
 * script and {@code IllegalStateException} for a missing Vosk model, each naming the path.
 */
public final class LocalProviders implements AutoCloseable {

    /** Environment variable: folder of an unpacked Vosk model; unset for the built-in sphinx4. */
    public static final String ENV_VOSK_MODEL = "HOTLINE_VOSK_MODEL";
    /** Environment variable: a persona script (YAML); unset for the built-in Synthetic Jason. */
    public static final String ENV_PERSONA_SCRIPT = "HOTLINE_PERSONA_SCRIPT";

    /**
     * What to build.
     *
     * @param voskModel folder of a Vosk model, or {@code null} for sphinx4
     * @param personaScript a persona script file, or {@code null} for the built-in Synthetic Jason
     * @param ttsVoices how many FreeTTS voices may speak at once; at least 1
     */
    public record Settings(Path voskModel, Path personaScript, int ttsVoices) {
        public Settings {
            if (ttsVoices < 1) {
                throw new IllegalArgumentException("ttsVoices must be >= 1, was " + ttsVoices);
            }
        }

        /** sphinx4, Synthetic Jason, two voices. */
        public static Settings defaults() {
            return new Settings(null, null, 2);
        }

        /** Reads {@link #ENV_VOSK_MODEL} and {@link #ENV_PERSONA_SCRIPT}; blank counts as unset. */
        public static Settings fromEnvironment(Map<String, String> env) {
            return new Settings(path(env.get(ENV_VOSK_MODEL)), path(env.get(ENV_PERSONA_SCRIPT)), 2);
        }

        private static Path path(String value) {
            return value == null || value.isBlank() ? null : Path.of(value.strip());
        }
    }

    private final FreeTtsSynthesizer synthesizer;
    private final SileroVad.Factory vad;
    private final Transcriber transcriber;
    private final ScriptedResponder responder;
    private final Map<String, String> banner;

    private LocalProviders(FreeTtsSynthesizer synthesizer, SileroVad.Factory vad, Transcriber transcriber,
            ScriptedResponder responder, Map<String, String> banner) {
        this.synthesizer = synthesizer;
        this.vad = vad;
        this.transcriber = transcriber;
        this.responder = responder;
        this.banner = banner;
    }

    /** Builds every embedded provider; see the class comment for what is ready when this returns. */
    public static LocalProviders start(Settings settings) throws IOException {
        PersonaScript script = settings.personaScript() == null ? PersonaScript.syntheticJason()
                : PersonaScript.load(settings.personaScript());
        ScriptedResponder responder = new ScriptedResponder(script);
        VoskTranscriber vosk = settings.voskModel() != null ? new VoskTranscriber(settings.voskModel()) : null;
        FreeTtsSynthesizer synthesizer = new FreeTtsSynthesizer(settings.ttsVoices());
        SileroVad.Factory vad;
        try {
            synthesizer.warmUp();
            vad = SileroVad.factory();
        } catch (ProviderException | RuntimeException e) {
            synthesizer.close();
            if (vosk != null) {
                vosk.close();
            }
            throw e;
        }
        // sphinx4 starts loading only now, so it does not compete for the CPU with what start() waits for.
        Transcriber transcriber = vosk != null ? vosk
                : new DeferredTranscriber("sphinx4 en-us", SphinxTranscriber::new);
        Map<String, String> banner = new LinkedHashMap<>();
        banner.put("vad", vad.name() + ", embedded model");
        banner.put("stt", transcriber.name() + (settings.voskModel() != null
                ? ", model " + settings.voskModel().toAbsolutePath()
                : ", embedded model (loading in the background; low accuracy, set " + ENV_VOSK_MODEL
                        + " for Vosk)"));
        banner.put("llm", responder.name() + ", scripted replies from "
                + (settings.personaScript() != null ? settings.personaScript().toAbsolutePath() : "the built-in script"));
        banner.put("tts", synthesizer.name() + ", embedded voice");
        return new LocalProviders(synthesizer, vad, transcriber, responder, Collections.unmodifiableMap(banner));
    }

    /** FreeTTS kevin16. */
    public Synthesizer synthesizer() {
        return synthesizer;
    }

    /** Silero VAD; make one detector per call. */
    public VoiceActivityDetector.Factory vad() {
        return vad;
    }

    /** Vosk if a model was configured, else sphinx4 (possibly still loading). */
    public Transcriber transcriber() {
        return transcriber;
    }

    /** The scripted persona. */
    public Responder responder() {
        return responder;
    }

    /** The persona the script describes: greeting, goodbye and fixed lines for the engine. */
    public Persona persona() {
        return responder.script().toPersona();
    }

    /**
     * One line per role for the start-up banner, keyed {@code vad}, {@code stt}, {@code llm}, {@code tts}:
     * which provider serves it and where its model comes from.
     */
    public Map<String, String> banner() {
        return banner;
    }

    /** Releases every model. */
    @Override
    public void close() {
        synthesizer.close();
        vad.close();
        if (transcriber instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("could not close " + transcriber.name() + ": " + e.getMessage(), e);
            }
        }
    }
}
