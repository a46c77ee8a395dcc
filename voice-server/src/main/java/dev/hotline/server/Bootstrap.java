package dev.hotline.server;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallObserver;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.Engine;
import dev.hotline.core.Persona;
import dev.hotline.core.Responder;
import dev.hotline.core.Synthesizer;
import dev.hotline.core.Transcriber;
import dev.hotline.core.VoiceActivityDetector;
import dev.hotline.core.cache.CachingSynthesizer;
import dev.hotline.core.text.SentenceChunker;
import dev.hotline.elevenlabs.ElevenLabsConfig;
import dev.hotline.elevenlabs.ElevenLabsSynthesizer;
import dev.hotline.local.DeferredTranscriber;
import dev.hotline.local.FreeTtsSynthesizer;
import dev.hotline.local.ScriptedResponder;
import dev.hotline.local.SileroVad;
import dev.hotline.local.SphinxTranscriber;
import dev.hotline.local.VoskTranscriber;
import dev.hotline.openai.OpenAiClient;
import dev.hotline.openai.OpenAiConfig;
import dev.hotline.openai.OpenAiResponder;
import dev.hotline.openai.OpenAiTranscriber;
import dev.hotline.server.browser.BrowserCallRelay;
import dev.hotline.server.browser.BrowserRoutes;
import dev.hotline.server.browser.BrowserSettings;
import dev.hotline.twilio.TwilioCallControl;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place the server is wired by hand: reads the environment, picks the provider for each role from
 * the keys that are set, and builds the server. No container, no reflection: read top to bottom to see what
 * runs.
 *
 * <pre>
 * role             with keys                                   without
 * speech-to-text   OpenAI (OPENAI_API_KEY or OPENAI_BASE_URL)  Vosk (HOTLINE_VOSK_MODEL), else sphinx4
 * replies (LLM)    OpenAI, scripted persona as fallback        scripted persona (voice-adapters-local)
 * text-to-speech   ElevenLabs (cached phrases), FreeTTS after  FreeTTS (voice-adapters-local)
 * voice activity   Silero (voice-adapters-local)               the engine's energy detector if Silero cannot load
 * </pre>
 */
final class Bootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(Bootstrap.class);

    /** Names the folder of a Vosk model for embedded speech-to-text (read by the local adapter's docs too). */
    static final String VOSK_MODEL_VARIABLE = "HOTLINE_VOSK_MODEL";
    /** The embedded recognizer's name in the banner and in its errors. */
    private static final String SPHINX_NAME = "sphinx4 en-us";
    /** A connected call is assumed over after this long, when its end was missed. */
    private static final Duration MAX_CALL_AGE = Duration.ofHours(4);
    /** Audio of fixed persona lines kept in memory by the ElevenLabs phrase cache: about 30 minutes of mu-law. */
    private static final long PHRASE_CACHE_BYTES = 16L * 1024 * 1024;
    /** Idle provider connections kept for each call the server may hold at once (a transcription or a reply, and speech). */
    static final int IDLE_CONNECTIONS_PER_CALL = 2;
    /** How long an idle provider connection is kept for the next request (OkHttp's own default). */
    private static final Duration IDLE_CONNECTION_KEEP_ALIVE = Duration.ofMinutes(5);

    private final ServerConfig config;
    private final BrowserSettings browser;
    private final CallHandler calls;
    private final BrowserCallRelay relay;
    private final Map<String, String> roles;
    /** The cloud synthesizer's cache of fixed lines, or {@code null} when speech is embedded. */
    private final CachingSynthesizer phraseCache;

    private Bootstrap(ServerConfig config, BrowserSettings browser, CallHandler calls, BrowserCallRelay relay,
            Map<String, String> roles, CachingSynthesizer phraseCache) {
        this.config = config;
        this.browser = browser;
        this.calls = calls;
        this.relay = relay;
        this.roles = roles;
        this.phraseCache = phraseCache;
    }

    /**
     * Synthesizes the persona's fixed lines (greeting, goodbye, idle prompts, apologies) for phone calls on a
     * background thread, so that neither the first caller's greeting nor a crowd of calls' first goodbyes wait
     * for the provider. Does nothing when speech is embedded. A line that fails is logged and synthesized
     * when first spoken instead.
     */
    void warmPhraseCache() {
        if (phraseCache == null) {
            return;
        }
        Thread.ofVirtual().name("hotline-phrase-warmup").start(() -> {
            long start = System.nanoTime();
            int warmed = phraseCache.warm(AudioFormat.ULAW_8K, new CancelSignal());
            LOG.info("phrase cache: {} fixed lines synthesized in {} ms", warmed,
                    (System.nanoTime() - start) / 1_000_000);
        });
    }

    /**
     * Reads and validates every setting (the server's and the providers') and wires the providers.
     *
     * @throws ConfigException naming every problem at once
     */
    static Bootstrap fromEnvironment(Map<String, String> env) throws ConfigException {
        return fromEnvironment(env, CallObserver.NONE);
    }

    /**
     * As {@link #fromEnvironment(Map)}, with one more observer of every call's events (after the call log and
     * the browser relay), for tests that need what the engine heard and said.
     *
     * @throws ConfigException naming every problem at once
     */
    static Bootstrap fromEnvironment(Map<String, String> env, CallObserver extraObserver) throws ConfigException {
        Objects.requireNonNull(extraObserver, "extraObserver");
        List<String> problems = new ArrayList<>();
        ServerConfig config = null;
        try {
            config = ServerConfig.fromEnvironment(env);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
        OpenAiConfig openAi = null;
        if (isSet(env, OpenAiConfig.ENV_API_KEY) || isSet(env, OpenAiConfig.ENV_BASE_URL)) {
            try {
                openAi = OpenAiConfig.fromEnvironment(env);
            } catch (OpenAiConfig.InvalidConfigException e) {
                problems.addAll(e.problems());
            }
        }
        ElevenLabsConfig elevenLabs = null;
        if (ElevenLabsConfig.isConfigured(env)) {
            try {
                elevenLabs = ElevenLabsConfig.fromEnvironment(env);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        BrowserSettings browser = null;
        try {
            browser = BrowserSettings.fromEnvironment(env);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return wire(config, browser, openAi, elevenLabs, env, extraObserver);
    }

    /**
     * The one HTTP client the cloud providers share. OkHttp's default pool keeps five idle connections, so with
     * more calls than that a plain HTTP/1.1 provider (a self-hosted or proxied endpoint, or the testkit's fakes)
     * had a connection closed after most requests and a new one opened for the next: measured at 200 calls, about
     * one new connection per transcription or reply. Over HTTP/2 (OpenAI and ElevenLabs over TLS) every request
     * shares one connection per host and the pool size does not matter.
     */
    static OkHttpClient providerHttp(int maxConcurrentCalls) {
        return new OkHttpClient.Builder()
                .connectionPool(new ConnectionPool(maxConcurrentCalls * IDLE_CONNECTIONS_PER_CALL,
                        IDLE_CONNECTION_KEEP_ALIVE.toMillis(), TimeUnit.MILLISECONDS))
                .build();
    }

    private static Bootstrap wire(ServerConfig config, BrowserSettings browser, OpenAiConfig openAi,
            ElevenLabsConfig elevenLabs, Map<String, String> env, CallObserver extraObserver) throws ConfigException {
        Map<String, String> roles = new LinkedHashMap<>();
        Persona persona = config.persona();

        Transcriber transcriber;
        Responder responder;
        Responder fallbackResponder = null;
        ScriptedResponder scripted = ScriptedResponder.syntheticJason();
        OkHttpClient http = providerHttp(config.limits().maxConcurrentCalls());
        if (openAi != null) {
            OpenAiClient client = OpenAiClient.create(openAi, http);
            transcriber = new OpenAiTranscriber(client);
            responder = new OpenAiResponder(client);
            fallbackResponder = scripted;
            roles.put("speech-to-text", transcriber.name() + " at " + openAi.baseUrl());
            roles.put("replies (LLM)", responder.name() + ", falling back to " + scripted.name());
        } else {
            transcriber = embeddedTranscriber(env, roles);
            responder = scripted;
            roles.put("replies (LLM)", scripted.name() + " (embedded; set OPENAI_API_KEY for an LLM)");
        }

        FreeTtsSynthesizer freeTts = new FreeTtsSynthesizer();
        Synthesizer synthesizer;
        Synthesizer fallbackSynthesizer = null;
        CachingSynthesizer phraseCache = null;
        if (elevenLabs != null) {
            ElevenLabsSynthesizer cloud = new ElevenLabsSynthesizer(elevenLabs, http);
            phraseCache = new CachingSynthesizer(cloud, cloud.cacheKeyPrefix(),
                    fixedLines(persona, settings(config).maxPieceChars()), PHRASE_CACHE_BYTES, null);
            synthesizer = phraseCache;
            fallbackSynthesizer = freeTts;
            roles.put("text-to-speech", cloud.name() + " (fixed lines cached), falling back to " + freeTts.name());
        } else {
            synthesizer = freeTts;
            roles.put("text-to-speech", freeTts.name() + " (embedded; set ELEVENLABS_API_KEY and ELEVENLABS_VOICE_ID "
                    + "for ElevenLabs)");
        }

        VoiceActivityDetector.Factory vad = null;
        try {
            vad = config.vadBatchDelay().isZero() ? SileroVad.factory()
                    : SileroVad.factory(new SileroVad.Batching(config.vadBatchDelay(),
                            SileroVad.Batching.DEFAULT.maxWindows()));
            roles.put("voice activity", vad.name());
        } catch (IllegalStateException | UncheckedIOException | UnsatisfiedLinkError e) {
            roles.put("voice activity", "energy detector (Silero could not load: " + e.getMessage() + ")");
        }

        BrowserCallRelay relay = new BrowserCallRelay(persona);
        CallLog callLog = new CallLog();
        Engine.Builder engine = Engine.builder()
                .transcriber(transcriber)
                .responder(responder)
                .synthesizer(synthesizer)
                .persona(persona)
                .settings(settings(config))
                .observer(event -> {
                    callLog.onEvent(event);
                    relay.onEvent(event);
                    extraObserver.onEvent(event);
                });
        if (fallbackResponder != null) {
            engine.fallbackResponder(fallbackResponder);
        }
        if (fallbackSynthesizer != null) {
            engine.fallbackSynthesizer(fallbackSynthesizer);
        }
        if (vad != null) {
            engine.vad(vad);
        }
        CallHandler calls = new EngineCallHandler(engine.build());
        return new Bootstrap(config, browser, calls, relay, roles, phraseCache);
    }

    /**
     * The speech-to-text that needs no key: Vosk when {@value #VOSK_MODEL_VARIABLE} names a model folder (more
     * accurate), else the built-in sphinx4, loaded in the background.
     *
     * @throws ConfigException if {@value #VOSK_MODEL_VARIABLE} names an unusable folder
     */
    private static Transcriber embeddedTranscriber(Map<String, String> env, Map<String, String> roles)
            throws ConfigException {
        if (isSet(env, VOSK_MODEL_VARIABLE)) {
            try {
                VoskTranscriber vosk = new VoskTranscriber(Path.of(env.get(VOSK_MODEL_VARIABLE).strip()));
                roles.put("speech-to-text", vosk.name() + " (embedded)");
                return vosk;
            } catch (IllegalStateException e) {
                throw new ConfigException(List.of(VOSK_MODEL_VARIABLE + ": " + e.getMessage()));
            }
        }
        // sphinx4 takes seconds to load its models: load it in the background so the server is ready at once
        // and the greeting covers the wait. A failed load makes each transcription fail (the caller hears
        // the persona's "didn't catch that") and is logged with its cause.
        DeferredTranscriber sphinx = new DeferredTranscriber(SPHINX_NAME, SphinxTranscriber::new);
        roles.put("speech-to-text", SPHINX_NAME + " (embedded, loading in the background, modest accuracy; set "
                + "OPENAI_API_KEY for Whisper or " + VOSK_MODEL_VARIABLE + " for Vosk)");
        return sphinx;
    }

    /** The engine's tunables: its defaults, with what the environment overrides. */
    static CallSettings settings(ServerConfig config) {
        CallSettings.Builder settings = CallSettings.defaults().toBuilder();
        if (config.endOfTurnSilence() != null) {
            settings.endOfTurnSilence(config.endOfTurnSilence());
        }
        if (config.bargeIn() != null) {
            settings.bargeIn(config.bargeIn());
        }
        if (config.earlyTranscript() != null) {
            settings.earlyTranscript(config.earlyTranscript());
        }
        if (config.speechThreshold() != null) {
            settings.speechThreshold(config.speechThreshold());
        }
        if (config.maxCallLength() != null) {
            settings.maxCallLength(config.maxCallLength());
        }
        if (config.accessPin() != null) {
            settings.accessPin(config.accessPin());
        }
        return settings.build();
    }

    /**
     * What the synthesizer is asked for when the persona says its fixed lines, on every call: worth caching. The
     * greeting, the goodbye and the idle prompts are spoken as a line, in sentence pieces
     * ({@link SentenceChunker#pieces}); the "didn't catch that" and the apology stand in for a reply, whole.
     */
    static Set<String> fixedLines(Persona persona, int maxPieceChars) {
        List<String> lines = new ArrayList<>(List.of(persona.greeting(), persona.goodbye()));
        lines.addAll(persona.idlePrompts());
        Set<String> requests = new java.util.LinkedHashSet<>();
        for (String line : lines) {
            requests.addAll(SentenceChunker.pieces(line, maxPieceChars));
        }
        requests.add(persona.didNotCatch());
        requests.add(persona.apology());
        return Set.copyOf(requests);
    }

    private static boolean isSet(Map<String, String> env, String name) {
        String value = env.get(name);
        return value != null && !value.isBlank();
    }

    ServerConfig config() {
        return config;
    }

    /** Builds the server (not started), hanging up through Twilio's REST API when both credentials are set. */
    HotlineServer server() {
        return server(config.hangsUpThroughRest()
                ? TwilioCallControl.create(config.twilioAccountSid(), config.twilioAuthToken())
                : null);
    }

    /** Builds the server (not started) with this REST hang-up, or {@code null} to only close the socket. */
    HotlineServer server(TwilioCallControl control) {
        CallLimiter limiter = new InMemoryCallLimiter(config.limits(), Clock.systemUTC(), MAX_CALL_AGE);
        BrowserRoutes routes = new BrowserRoutes(browser, config.persona(), calls, relay, limiter);
        return new HotlineServer(config, calls, limiter, control, routes);
    }

    /** The start-up banner: what serves each role, and what is missing. No secret values. */
    String banner(int port) {
        StringBuilder text = new StringBuilder();
        line(text, "Hotline", "listening on port " + port);
        line(text, "public URL", config.publicBaseUrl() == null
                ? "from each request's Host header (set PUBLIC_BASE_URL for Twilio)"
                : config.publicBaseUrl().toString());
        line(text, "signatures", config.checksSignatures() ? "checked (TWILIO_AUTH_TOKEN is set)"
                : "NOT checked: set TWILIO_AUTH_TOKEN before taking real calls");
        line(text, "hang-up", config.hangsUpThroughRest() ? "Twilio REST API, then close the media socket"
                : "close the media socket (set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN for the REST API)");
        CallLimiter.Limits limits = config.limits();
        line(text, "limits", limits.callsPerCallerPerHour() + " calls per caller per hour, "
                + limits.maxConcurrentCalls() + " at once"
                + (limits.allowlist().isEmpty() ? "" : ", allowlist of " + limits.allowlist().size())
                + (limits.blocklist().isEmpty() ? "" : ", blocklist of " + limits.blocklist().size())
                + (config.accessPin() == null ? "" : ", PIN required"));
        line(text, "persona", config.persona().name());
        line(text, "browser calls", !browser.enabled() ? "off"
                : "on: open http://localhost:" + port + BrowserRoutes.PAGE_PATH
                        + (browser.allowedOrigins().isEmpty() ? " (same origin only)"
                                : " (origins " + String.join(", ", browser.allowedOrigins()) + ")"));
        roles.forEach((role, provider) -> line(text, role, provider));
        line(text, "calls", "taken by the engine");
        return text.toString();
    }

    private static void line(StringBuilder text, String label, String value) {
        text.append(String.format("  %-16s %s%n", label, value));
    }
}
