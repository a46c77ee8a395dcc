package dev.hotline.elevenlabs;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@link ElevenLabsSynthesizer} needs, validated at construction. Immutable.
 *
 * <p>{@link #toString()} never shows the API key. There are no retry settings: the synthesizer never retries;
 * the engine's {@link dev.hotline.core.RetryPolicy} does, within the call's latency budget.
 *
 * @param apiKey sent as the {@code xi-api-key} header; never logged
 * @param voiceId the ElevenLabs voice to speak with
 * @param modelId e.g. {@code eleven_flash_v2_5} (~75 ms, the default) or {@code eleven_turbo_v2_5}
 * @param baseUrl {@code https://api.elevenlabs.io} or a residency host or a local fake; no trailing slash
 * @param mode which API {@link ElevenLabsSynthesizer#synthesize} uses
 * @param voiceSettings {@code voice_settings} overrides
 * @param chunkLengthSchedule WebSocket {@code generation_config.chunk_length_schedule}: characters buffered
 *     before each successive generation, each 50..500
 * @param connectTimeout longest wait to connect (and, for the WebSocket, to finish the handshake)
 * @param readTimeout longest silence while audio is expected: a stalled stream fails after this long
 * @param callTimeout longest a whole HTTP synthesis or a WebSocket {@code finish} may take
 * @param keepAliveInterval how long an open WebSocket may stay quiet before a keep-alive space is sent;
 *     below the provider's 20 s idle limit
 */
public record ElevenLabsConfig(String apiKey, String voiceId, String modelId, String baseUrl, Mode mode,
        VoiceSettings voiceSettings, List<Integer> chunkLengthSchedule, Duration connectTimeout,
        Duration readTimeout, Duration callTimeout, Duration keepAliveInterval) {

    /** The public API. */
    public static final String DEFAULT_BASE_URL = "https://api.elevenlabs.io";
    /** The lowest-latency model (~75 ms to first byte per ElevenLabs' models page). */
    public static final String DEFAULT_MODEL = "eleven_flash_v2_5";
    /** The provider's documented default {@code chunk_length_schedule}, in characters. */
    public static final List<Integer> DEFAULT_CHUNK_LENGTH_SCHEDULE = List.of(120, 160, 250, 290);
    /** The provider closes a WebSocket that received nothing for this long (websockets.mdx). */
    public static final Duration PROVIDER_IDLE_LIMIT = Duration.ofSeconds(20);

    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);
    /** Keep-alive after this much quiet, well inside the provider's 20 s idle limit. */
    private static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(15);
    private static final int MIN_CHUNK_LENGTH = 50;
    private static final int MAX_CHUNK_LENGTH = 500;

    /** Which ElevenLabs API plain {@code synthesize} calls use. */
    public enum Mode {
        /** {@code POST /v1/text-to-speech/{voice_id}/stream}: one request per sentence piece. */
        HTTP,
        /** {@code /v1/text-to-speech/{voice_id}/stream-input}: text streamed in over a WebSocket. */
        WEBSOCKET
    }

    public ElevenLabsConfig {
        List<String> problems = new ArrayList<>();
        if (apiKey == null || apiKey.isBlank()) {
            problems.add("apiKey (ELEVENLABS_API_KEY) must be set");
        }
        if (voiceId == null || voiceId.isBlank()) {
            problems.add("voiceId (ELEVENLABS_VOICE_ID) must be set");
        } else if (!voiceId.matches("[A-Za-z0-9_-]+")) {
            problems.add("voiceId (ELEVENLABS_VOICE_ID) must be letters, digits, '_' or '-', was '" + voiceId + "'");
        }
        if (modelId == null || modelId.isBlank()) {
            problems.add("modelId (ELEVENLABS_MODEL) must not be blank");
        }
        String urlProblem = checkBaseUrl(baseUrl);
        if (urlProblem != null) {
            problems.add(urlProblem);
        }
        if (mode == null) {
            problems.add("mode (ELEVENLABS_MODE) must be set");
        }
        if (voiceSettings == null) {
            problems.add("voiceSettings must not be null (use VoiceSettings.DEFAULT)");
        }
        if (chunkLengthSchedule == null || chunkLengthSchedule.isEmpty()) {
            problems.add("chunkLengthSchedule must hold at least one length");
        } else {
            for (Integer length : chunkLengthSchedule) {
                if (length == null || length < MIN_CHUNK_LENGTH || length > MAX_CHUNK_LENGTH) {
                    problems.add("chunkLengthSchedule entries must be " + MIN_CHUNK_LENGTH + ".." + MAX_CHUNK_LENGTH
                            + ", was " + length);
                }
            }
        }
        requirePositive(problems, "connectTimeout", connectTimeout);
        requirePositive(problems, "readTimeout", readTimeout);
        requirePositive(problems, "callTimeout", callTimeout);
        requirePositive(problems, "keepAliveInterval", keepAliveInterval);
        if (keepAliveInterval != null && keepAliveInterval.compareTo(PROVIDER_IDLE_LIMIT) >= 0) {
            problems.add("keepAliveInterval must be below the provider's 20 s idle limit, was " + keepAliveInterval);
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid ElevenLabs configuration: " + String.join("; ", problems));
        }
        baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        chunkLengthSchedule = List.copyOf(chunkLengthSchedule);
    }

    /** A configuration with every default: flash v2.5, the public API, HTTP mode, the voice's own settings. */
    public static ElevenLabsConfig of(String apiKey, String voiceId) {
        return new ElevenLabsConfig(apiKey, voiceId, DEFAULT_MODEL, DEFAULT_BASE_URL, Mode.HTTP,
                VoiceSettings.DEFAULT, DEFAULT_CHUNK_LENGTH_SCHEDULE, DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT,
                DEFAULT_CALL_TIMEOUT, DEFAULT_KEEP_ALIVE);
    }

    /** Whether the environment asks for ElevenLabs at all (an API key is set). */
    public static boolean isConfigured(Map<String, String> env) {
        String key = env.get("ELEVENLABS_API_KEY");
        return key != null && !key.isBlank();
    }

    /**
     * Reads the configuration from environment variables (see {@code docs/providers-elevenlabs.md}).
     *
     * @throws IllegalArgumentException naming every missing or malformed variable at once
     */
    public static ElevenLabsConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        List<String> problems = new ArrayList<>();
        String apiKey = text(env, "ELEVENLABS_API_KEY");
        String voiceId = text(env, "ELEVENLABS_VOICE_ID");
        if (apiKey == null) {
            problems.add("ELEVENLABS_API_KEY is not set");
        }
        if (voiceId == null) {
            problems.add("ELEVENLABS_VOICE_ID is not set");
        }
        String model = orDefault(text(env, "ELEVENLABS_MODEL"), DEFAULT_MODEL);
        String baseUrl = orDefault(text(env, "ELEVENLABS_BASE_URL"), DEFAULT_BASE_URL);
        String urlProblem = checkBaseUrl(baseUrl);
        if (urlProblem != null) {
            problems.add("ELEVENLABS_BASE_URL: " + urlProblem);
        }
        Mode mode = Mode.HTTP;
        String modeText = text(env, "ELEVENLABS_MODE");
        if (modeText != null) {
            switch (modeText.toLowerCase(Locale.ROOT)) {
                case "http" -> mode = Mode.HTTP;
                case "websocket" -> mode = Mode.WEBSOCKET;
                default -> problems.add("ELEVENLABS_MODE must be 'http' or 'websocket', was '" + modeText + "'");
            }
        }
        Double stability = decimal(env, "ELEVENLABS_STABILITY", 0, 1, problems);
        Double similarity = decimal(env, "ELEVENLABS_SIMILARITY_BOOST", 0, 1, problems);
        Double style = decimal(env, "ELEVENLABS_STYLE", 0, 1, problems);
        Double speed = decimal(env, "ELEVENLABS_SPEED", VoiceSettings.MIN_SPEED, VoiceSettings.MAX_SPEED, problems);
        Boolean speakerBoost = null;
        String boostText = text(env, "ELEVENLABS_SPEAKER_BOOST");
        if (boostText != null) {
            switch (boostText.toLowerCase(Locale.ROOT)) {
                case "true" -> speakerBoost = true;
                case "false" -> speakerBoost = false;
                default -> problems.add("ELEVENLABS_SPEAKER_BOOST must be 'true' or 'false', was '" + boostText + "'");
            }
        }
        List<Integer> schedule = DEFAULT_CHUNK_LENGTH_SCHEDULE;
        String scheduleText = text(env, "ELEVENLABS_CHUNK_LENGTH_SCHEDULE");
        if (scheduleText != null) {
            schedule = schedule(scheduleText, problems);
        }
        Integer readTimeoutMs = integer(env, "ELEVENLABS_READ_TIMEOUT_MS", 1, 120_000, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("Invalid ElevenLabs configuration: " + String.join("; ", problems));
        }
        return new ElevenLabsConfig(apiKey, voiceId, model, baseUrl, mode,
                new VoiceSettings(stability, similarity, style, speakerBoost, speed), schedule,
                DEFAULT_CONNECT_TIMEOUT,
                readTimeoutMs == null ? DEFAULT_READ_TIMEOUT : Duration.ofMillis(readTimeoutMs),
                DEFAULT_CALL_TIMEOUT,
                DEFAULT_KEEP_ALIVE);
    }

    /** A copy talking to {@code url} instead (a residency host, a proxy, a local fake). */
    public ElevenLabsConfig withBaseUrl(String url) {
        return new ElevenLabsConfig(apiKey, voiceId, modelId, url, mode, voiceSettings, chunkLengthSchedule,
                connectTimeout, readTimeout, callTimeout, keepAliveInterval);
    }

    /** A copy using {@code newMode} for plain {@code synthesize} calls. */
    public ElevenLabsConfig withMode(Mode newMode) {
        return new ElevenLabsConfig(apiKey, voiceId, modelId, baseUrl, newMode, voiceSettings, chunkLengthSchedule,
                connectTimeout, readTimeout, callTimeout, keepAliveInterval);
    }

    /** A copy with another model. */
    public ElevenLabsConfig withModel(String newModelId) {
        return new ElevenLabsConfig(apiKey, voiceId, newModelId, baseUrl, mode, voiceSettings, chunkLengthSchedule,
                connectTimeout, readTimeout, callTimeout, keepAliveInterval);
    }

    /** A copy with other voice settings. */
    public ElevenLabsConfig withVoiceSettings(VoiceSettings settings) {
        return new ElevenLabsConfig(apiKey, voiceId, modelId, baseUrl, mode, settings, chunkLengthSchedule,
                connectTimeout, readTimeout, callTimeout, keepAliveInterval);
    }

    /** A copy with other timeouts. */
    public ElevenLabsConfig withTimeouts(Duration connect, Duration read, Duration call) {
        return new ElevenLabsConfig(apiKey, voiceId, modelId, baseUrl, mode, voiceSettings, chunkLengthSchedule,
                connect, read, call, keepAliveInterval);
    }

    /** A copy with another WebSocket keep-alive interval and chunk schedule. */
    public ElevenLabsConfig withStreaming(Duration keepAlive, List<Integer> schedule) {
        return new ElevenLabsConfig(apiKey, voiceId, modelId, baseUrl, mode, voiceSettings, schedule,
                connectTimeout, readTimeout, callTimeout, keepAlive);
    }

    @Override
    public String toString() {
        return "ElevenLabsConfig[apiKey=***, voiceId=" + voiceId + ", modelId=" + modelId + ", baseUrl=" + baseUrl
                + ", mode=" + mode + ", voiceSettings=" + voiceSettings + ", chunkLengthSchedule="
                + chunkLengthSchedule + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout
                + ", callTimeout=" + callTimeout + ", keepAliveInterval=" + keepAliveInterval + "]";
    }

    private static String checkBaseUrl(String url) {
        if (url == null || url.isBlank()) {
            return "baseUrl (ELEVENLABS_BASE_URL) must be set";
        }
        try {
            URI uri = new URI(url);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                return "baseUrl (ELEVENLABS_BASE_URL) must be an http(s) URL with a host, was '" + url + "'";
            }
            if (uri.getQuery() != null) {
                return "baseUrl (ELEVENLABS_BASE_URL) must not have a query, was '" + url + "'";
            }
            return null;
        } catch (URISyntaxException e) {
            return "baseUrl (ELEVENLABS_BASE_URL) is not a URL: " + e.getMessage();
        }
    }

    private static void requirePositive(List<String> problems, String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            problems.add(name + " must be > 0, was " + value);
        }
    }

    private static String text(Map<String, String> env, String name) {
        String value = env.get(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static String orDefault(String value, String fallback) {
        return value == null ? fallback : value;
    }

    private static Double decimal(Map<String, String> env, String name, double min, double max,
            List<String> problems) {
        String value = text(env, name);
        if (value == null) {
            return null;
        }
        try {
            double parsed = Double.parseDouble(value);
            if (Double.isNaN(parsed) || parsed < min || parsed > max) {
                problems.add(name + " must be between " + min + " and " + max + ", was " + value);
                return null;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(name + " must be a number, was '" + value + "'");
            return null;
        }
    }

    private static Integer integer(Map<String, String> env, String name, int min, int max, List<String> problems) {
        String value = text(env, name);
        if (value == null) {
            return null;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                problems.add(name + " must be between " + min + " and " + max + ", was " + value);
                return null;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(name + " must be a whole number, was '" + value + "'");
            return null;
        }
    }

    private static List<Integer> schedule(String value, List<String> problems) {
        List<Integer> lengths = new ArrayList<>();
        for (String part : value.split(",")) {
            try {
                int length = Integer.parseInt(part.strip());
                if (length < MIN_CHUNK_LENGTH || length > MAX_CHUNK_LENGTH) {
                    problems.add("ELEVENLABS_CHUNK_LENGTH_SCHEDULE entries must be " + MIN_CHUNK_LENGTH + ".."
                            + MAX_CHUNK_LENGTH + ", was " + length);
                    return DEFAULT_CHUNK_LENGTH_SCHEDULE;
                }
                lengths.add(length);
            } catch (NumberFormatException e) {
                problems.add("ELEVENLABS_CHUNK_LENGTH_SCHEDULE must be comma-separated whole numbers, was '" + value
                        + "'");
                return DEFAULT_CHUNK_LENGTH_SCHEDULE;
            }
        }
        return lengths;
    }
}
