package dev.hotline.openai;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the OpenAI adapters: where to send requests, with which key and models, and how long one
 * attempt may take. How often to try is not here: the adapters never retry; the engine's
 * {@link dev.hotline.core.RetryPolicy} does. Works for OpenAI itself and for any server that speaks its API
 * (Ollama, llama.cpp server, vLLM, Groq) through {@link #baseUrl()}.
 *
 * <p>Instances are immutable and validated at construction: an invalid combination throws
 * {@link InvalidConfigException} listing every problem, not just the first. {@link #toString()} never shows
 * the API key.
 *
 * @param baseUrl the API root without a trailing slash, e.g. {@code https://api.openai.com/v1}; http or https
 * @param apiKey the bearer token, or {@code null} to send none; required when {@code baseUrl} is OpenAI's
 * @param chatModel the model of {@link OpenAiResponder}, e.g. {@code gpt-4o-mini}
 * @param transcribeModel the model of {@link OpenAiTranscriber}, e.g. {@code whisper-1}
 * @param maxTokens the reply token limit used when a request sets none; 0 leaves it to the server
 * @param temperature the chat sampling temperature in [0, 2], or {@code null} for the server's default
 * @param transcribeTemperature the transcription sampling temperature in [0, 1] (0 lets the server raise it
 *     when decoding fails)
 * @param connectTimeout the longest wait for a TCP/TLS connection
 * @param readTimeout the longest wait for any next byte of a response (a stalled stream fails after this)
 * @param callTimeout the longest one attempt may take, from sending to the last byte
 */
public record OpenAiConfig(
        String baseUrl,
        String apiKey,
        String chatModel,
        String transcribeModel,
        int maxTokens,
        Double temperature,
        double transcribeTemperature,
        Duration connectTimeout,
        Duration readTimeout,
        Duration callTimeout) {

    /** OpenAI's own API root. */
    public static final String OPENAI_BASE_URL = "https://api.openai.com/v1";
    /** The default chat model: cheap and fast enough for a phone line. */
    public static final String DEFAULT_CHAT_MODEL = "gpt-4o-mini";
    /** The default transcription model. */
    public static final String DEFAULT_TRANSCRIBE_MODEL = "whisper-1";

    /** Environment variable: {@link #baseUrl()}. */
    public static final String ENV_BASE_URL = "OPENAI_BASE_URL";
    /** Environment variable: {@link #apiKey()}. */
    public static final String ENV_API_KEY = "OPENAI_API_KEY";
    /** Environment variable: {@link #chatModel()}. */
    public static final String ENV_CHAT_MODEL = "OPENAI_CHAT_MODEL";
    /** Environment variable: {@link #transcribeModel()}. */
    public static final String ENV_TRANSCRIBE_MODEL = "OPENAI_TRANSCRIBE_MODEL";
    /** Environment variable: {@link #maxTokens()}. */
    public static final String ENV_MAX_TOKENS = "OPENAI_MAX_TOKENS";
    /** Environment variable: {@link #temperature()}. */
    public static final String ENV_TEMPERATURE = "OPENAI_TEMPERATURE";
    /** Environment variable: {@link #transcribeTemperature()}. */
    public static final String ENV_TRANSCRIBE_TEMPERATURE = "OPENAI_TRANSCRIBE_TEMPERATURE";
    /** Environment variable: {@link #connectTimeout()}, in milliseconds. */
    public static final String ENV_CONNECT_TIMEOUT_MS = "OPENAI_CONNECT_TIMEOUT_MS";
    /** Environment variable: {@link #readTimeout()}, in milliseconds. */
    public static final String ENV_READ_TIMEOUT_MS = "OPENAI_READ_TIMEOUT_MS";
    /** Environment variable: {@link #callTimeout()}, in milliseconds. */
    public static final String ENV_CALL_TIMEOUT_MS = "OPENAI_CALL_TIMEOUT_MS";

    private static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);

    public OpenAiConfig {
        baseUrl = baseUrl == null ? null : stripTrailingSlash(baseUrl.strip());
        apiKey = apiKey == null || apiKey.isBlank() ? null : apiKey.strip();
        List<String> problems = problems(baseUrl, apiKey, chatModel, transcribeModel, maxTokens, temperature,
                transcribeTemperature, connectTimeout, readTimeout, callTimeout);
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
    }

    /**
     * The defaults for OpenAI itself with the given key.
     *
     * @param apiKey an OpenAI API key
     */
    public static OpenAiConfig openAi(String apiKey) {
        return forServer(OPENAI_BASE_URL, apiKey);
    }

    /**
     * The defaults for any OpenAI-compatible server.
     *
     * @param baseUrl the API root, e.g. {@code http://localhost:11434/v1} for Ollama
     * @param apiKey the key, or {@code null} if the server needs none
     */
    public static OpenAiConfig forServer(String baseUrl, String apiKey) {
        return new OpenAiConfig(baseUrl, apiKey, DEFAULT_CHAT_MODEL, DEFAULT_TRANSCRIBE_MODEL, 0, null, 0.0,
                DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_CALL_TIMEOUT);
    }

    /**
     * Whether the environment asks for these adapters at all: {@value #ENV_API_KEY} or {@value #ENV_BASE_URL}
     * is set. When neither is, the application uses its embedded providers instead.
     */
    public static boolean isConfigured(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        return isSet(env.get(ENV_API_KEY)) || isSet(env.get(ENV_BASE_URL));
    }

    private static boolean isSet(String value) {
        return value != null && !value.isBlank();
    }

    /**
     * Reads the settings from environment variables (the {@code ENV_*} constants; see
     * {@code docs/providers-openai.md}). Unset or blank variables take their defaults.
     *
     * @param env the environment, usually {@link System#getenv()}
     * @throws InvalidConfigException naming every malformed or inconsistent variable at once
     */
    public static OpenAiConfig fromEnvironment(Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        EnvReader reader = new EnvReader(env);
        String baseUrl = reader.string(ENV_BASE_URL, OPENAI_BASE_URL);
        String apiKey = reader.string(ENV_API_KEY, null);
        String chatModel = reader.string(ENV_CHAT_MODEL, DEFAULT_CHAT_MODEL);
        String transcribeModel = reader.string(ENV_TRANSCRIBE_MODEL, DEFAULT_TRANSCRIBE_MODEL);
        Integer maxTokens = reader.integer(ENV_MAX_TOKENS, 0);
        Double temperature = reader.decimal(ENV_TEMPERATURE, null);
        Double transcribeTemperature = reader.decimal(ENV_TRANSCRIBE_TEMPERATURE, 0.0);
        Duration connectTimeout = reader.millis(ENV_CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT);
        Duration readTimeout = reader.millis(ENV_READ_TIMEOUT_MS, DEFAULT_READ_TIMEOUT);
        Duration callTimeout = reader.millis(ENV_CALL_TIMEOUT_MS, DEFAULT_CALL_TIMEOUT);

        List<String> problems = new ArrayList<>(reader.problems);
        // Values that failed to parse are already reported; check the rest with stand-ins that pass.
        problems.addAll(problems(baseUrl, apiKey, chatModel, transcribeModel,
                maxTokens == null ? 0 : maxTokens, temperature,
                transcribeTemperature == null ? 0.0 : transcribeTemperature,
                orDefault(connectTimeout, DEFAULT_CONNECT_TIMEOUT), orDefault(readTimeout, DEFAULT_READ_TIMEOUT),
                orDefault(callTimeout, DEFAULT_CALL_TIMEOUT))
                .stream().map(OpenAiConfig::withVariableName).toList());
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems);
        }
        return new OpenAiConfig(baseUrl, apiKey, chatModel, transcribeModel, maxTokens, temperature,
                transcribeTemperature, connectTimeout, readTimeout, callTimeout);
    }

    /** A copy with other models. */
    public OpenAiConfig withModels(String chatModel, String transcribeModel) {
        return new OpenAiConfig(baseUrl, apiKey, chatModel, transcribeModel, maxTokens, temperature,
                transcribeTemperature, connectTimeout, readTimeout, callTimeout);
    }

    /** A copy with other timeouts. */
    public OpenAiConfig withTimeouts(Duration connectTimeout, Duration readTimeout, Duration callTimeout) {
        return new OpenAiConfig(baseUrl, apiKey, chatModel, transcribeModel, maxTokens, temperature,
                transcribeTemperature, connectTimeout, readTimeout, callTimeout);
    }

    /** A copy with other generation settings. */
    public OpenAiConfig withGeneration(int maxTokens, Double temperature, double transcribeTemperature) {
        return new OpenAiConfig(baseUrl, apiKey, chatModel, transcribeModel, maxTokens, temperature,
                transcribeTemperature, connectTimeout, readTimeout, callTimeout);
    }

    /** Whether requests go to OpenAI itself rather than a compatible server. */
    public boolean isOpenAi() {
        return isOpenAiHost(baseUrl);
    }

    /** Whether a key is configured; the key itself is never exposed in text. */
    public boolean hasApiKey() {
        return apiKey != null;
    }

    /** All settings, with the API key shown only as present or absent. */
    @Override
    public String toString() {
        return "OpenAiConfig[baseUrl=" + baseUrl + ", apiKey=" + (apiKey == null ? "none" : "***")
                + ", chatModel=" + chatModel + ", transcribeModel=" + transcribeModel + ", maxTokens=" + maxTokens
                + ", temperature=" + temperature + ", transcribeTemperature=" + transcribeTemperature
                + ", connectTimeout=" + connectTimeout + ", readTimeout=" + readTimeout + ", callTimeout="
                + callTimeout + "]";
    }

    private static List<String> problems(String baseUrl, String apiKey, String chatModel, String transcribeModel,
            int maxTokens, Double temperature, double transcribeTemperature, Duration connectTimeout,
            Duration readTimeout, Duration callTimeout) {
        List<String> problems = new ArrayList<>();
        String urlProblem = urlProblem(baseUrl);
        if (urlProblem != null) {
            problems.add(urlProblem);
        } else if (apiKey == null && isOpenAiHost(baseUrl)) {
            problems.add("apiKey is required for " + baseUrl + ": set " + ENV_API_KEY
                    + " (only servers other than OpenAI's, such as Ollama or llama.cpp, may run without one)");
        }
        if (apiKey != null && apiKey.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            // The value itself is not repeated: it is a secret.
            problems.add("apiKey must be printable ASCII without spaces: check " + ENV_API_KEY);
        }
        if (chatModel == null || chatModel.isBlank()) {
            problems.add("chatModel must not be blank");
        }
        if (transcribeModel == null || transcribeModel.isBlank()) {
            problems.add("transcribeModel must not be blank");
        }
        if (maxTokens < 0) {
            problems.add("maxTokens must be >= 0 (0 = server default), was " + maxTokens);
        }
        if (temperature != null && !(temperature >= 0 && temperature <= 2)) {
            problems.add("temperature must be between 0 and 2, was " + temperature);
        }
        if (!(transcribeTemperature >= 0 && transcribeTemperature <= 1)) {
            problems.add("transcribeTemperature must be between 0 and 1, was " + transcribeTemperature);
        }
        positive("connectTimeout", connectTimeout, problems);
        positive("readTimeout", readTimeout, problems);
        positive("callTimeout", callTimeout, problems);
        return problems;
    }

    private static void positive(String name, Duration value, List<String> problems) {
        if (value == null || value.isNegative() || value.isZero()) {
            problems.add(name + " must be > 0, was " + value);
        }
    }

    private static String urlProblem(String baseUrl) {
        if (baseUrl == null || baseUrl.isBlank()) {
            return "baseUrl must not be blank";
        }
        try {
            URI uri = new URI(baseUrl);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return "baseUrl must be an http or https URL, was " + baseUrl;
            }
            if (uri.getHost() == null) {
                return "baseUrl has no host: " + baseUrl;
            }
            if (uri.getRawUserInfo() != null) {
                return "baseUrl must not contain credentials; use " + ENV_API_KEY + " for the key";
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
                return "baseUrl must not have a query or fragment, was " + baseUrl;
            }
            return null;
        } catch (URISyntaxException e) {
            return "baseUrl is not a valid URL: " + e.getMessage();
        }
    }

    private static boolean isOpenAiHost(String baseUrl) {
        try {
            String host = new URI(baseUrl).getHost();
            return host != null && (host.equalsIgnoreCase("api.openai.com")
                    || host.toLowerCase(Locale.ROOT).endsWith(".openai.com"));
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static String stripTrailingSlash(String url) {
        String result = url;
        while (result.endsWith("/")) {
            result = result.substring(0, result.length() - 1);
        }
        return result;
    }

    private static Duration orDefault(Duration value, Duration fallback) {
        return value == null ? fallback : value;
    }

    /** Names the environment variable in a problem found by {@link #problems}. */
    private static String withVariableName(String problem) {
        String[][] names = {
            {"baseUrl", ENV_BASE_URL}, {"apiKey", ENV_API_KEY}, {"chatModel", ENV_CHAT_MODEL},
            {"transcribeModel", ENV_TRANSCRIBE_MODEL}, {"maxTokens", ENV_MAX_TOKENS},
            {"transcribeTemperature", ENV_TRANSCRIBE_TEMPERATURE}, {"temperature", ENV_TEMPERATURE},
            {"connectTimeout", ENV_CONNECT_TIMEOUT_MS}, {"readTimeout", ENV_READ_TIMEOUT_MS},
            {"callTimeout", ENV_CALL_TIMEOUT_MS},
        };
        for (String[] name : names) {
            if (problem.startsWith(name[0] + " ")) {
                return name[1] + ": " + problem;
            }
        }
        return problem;
    }

    /** Parses variables and collects every parse problem. */
    private static final class EnvReader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        EnvReader(Map<String, String> env) {
            this.env = env;
        }

        String string(String name, String fallback) {
            String value = env.get(name);
            return value == null || value.isBlank() ? fallback : value.strip();
        }

        Integer integer(String name, Integer fallback) {
            String value = string(name, null);
            if (value == null) {
                return fallback;
            }
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                problems.add(name + ": must be a whole number, was '" + value + "'");
                return null;
            }
        }

        Double decimal(String name, Double fallback) {
            String value = string(name, null);
            if (value == null) {
                return fallback;
            }
            try {
                return Double.parseDouble(value);
            } catch (NumberFormatException e) {
                problems.add(name + ": must be a number, was '" + value + "'");
                return null;
            }
        }

        Duration millis(String name, Duration fallback) {
            String value = string(name, null);
            if (value == null) {
                return fallback;
            }
            try {
                return Duration.ofMillis(Long.parseLong(value));
            } catch (NumberFormatException e) {
                problems.add(name + ": must be a whole number of milliseconds, was '" + value + "'");
                return null;
            }
        }
    }

    /**
     * The configuration is invalid; {@link #problems()} lists every reason, each naming its setting.
     * The message joins them, one per line.
     */
    public static final class InvalidConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        private final List<String> problems;

        InvalidConfigException(List<String> problems) {
            super("invalid OpenAI configuration:\n  - " + String.join("\n  - ", problems));
            this.problems = List.copyOf(problems);
        }

        /** Every problem found, in a stable order. */
        public List<String> problems() {
            return problems;
        }
    }
}
