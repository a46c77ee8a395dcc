package dev.hotline.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.hotline.core.CallSettings;
import dev.hotline.core.Persona;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The server's settings, read from environment variables (see {@code docs/configuration.md}) and validated
 * all at once: {@link #fromEnvironment} either returns a usable configuration or throws one
 * {@link ConfigException} naming every problem.
 *
 * <p>Immutable. {@link #toString()} never shows the auth token.
 *
 * @param port the HTTP port to listen on; 0 picks a free one (tests)
 * @param publicBaseUrl the origin Twilio reaches this server at ({@code https://host[:port]}), or {@code null}
 *     to take it from each request's Host header
 * @param twilioAuthToken the account's auth token; when set, every webhook and socket upgrade must carry a
 *     valid {@code X-Twilio-Signature}; {@code null} turns checking off
 * @param twilioAccountSid the account SID; with the token, calls are hung up through the REST API
 * @param trustProxy whether {@code X-Forwarded-Proto} and {@code X-Forwarded-Host} say what URL Twilio called
 * @param limits the abuse limits
 * @param accessPin digits a caller must enter before the conversation, or {@code null}
 * @param persona who answers the phone
 * @param endOfTurnSilence silence that ends the caller's turn, or {@code null} for the engine's default
 * @param bargeIn caller speech that interrupts the persona, or {@code null} for the default
 * @param earlyTranscript the pause after which the turn so far is transcribed ahead of its end, or {@code null}
 *     for the default (off)
 * @param speechThreshold VAD probability that counts as speech, or {@code null} for the default
 * @param maxCallLength the longest call, or {@code null} for the default
 * @param drainTimeout on shutdown, how long active calls may go on before they are ended
 * @param vadBatchDelay how long a Silero window may wait for other calls' windows to share a model run (zero:
 *     never)
 */
public record ServerConfig(int port, URI publicBaseUrl, String twilioAuthToken, String twilioAccountSid,
        boolean trustProxy, CallLimiter.Limits limits, String accessPin, Persona persona,
        Duration endOfTurnSilence, Duration bargeIn, Duration earlyTranscript, Double speechThreshold, Duration maxCallLength,
        Duration drainTimeout, Duration vadBatchDelay) {

    /** Default HTTP port. */
    public static final int DEFAULT_PORT = 8080;
    /** Default calls one caller may place per hour. */
    public static final int DEFAULT_CALLS_PER_CALLER_PER_HOUR = 10;
    /** Default cap on calls at once. */
    public static final int DEFAULT_MAX_CONCURRENT_CALLS = 20;
    /** Default time active calls get to finish on shutdown. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default wait of a Silero window for others (docs/benchmarks.md, "Silero windows batched across calls"). */
    public static final Duration DEFAULT_VAD_BATCH_DELAY = Duration.ofMillis(2);

    /** Whether webhooks and socket upgrades are checked for Twilio's signature. */
    public boolean checksSignatures() {
        return twilioAuthToken != null;
    }

    /** Whether calls are hung up through Twilio's REST API (needs the account SID and the token). */
    public boolean hangsUpThroughRest() {
        return twilioAuthToken != null && twilioAccountSid != null;
    }

    @Override
    public String toString() {
        return "ServerConfig[port=" + port + ", publicBaseUrl=" + publicBaseUrl
                + ", twilioAuthToken=" + (twilioAuthToken == null ? "unset" : "set")
                + ", twilioAccountSid=" + (twilioAccountSid == null ? "unset" : twilioAccountSid)
                + ", trustProxy=" + trustProxy + ", limits=" + limits
                + ", accessPin=" + (accessPin == null ? "unset" : "set") + ", persona=" + persona.name()
                + ", endOfTurnSilence=" + endOfTurnSilence + ", bargeIn=" + bargeIn
                + ", earlyTranscript=" + earlyTranscript
                + ", speechThreshold=" + speechThreshold + ", maxCallLength=" + maxCallLength
                + ", drainTimeout=" + drainTimeout + ", vadBatchDelay=" + vadBatchDelay + "]";
    }

    /**
     * Reads and validates every setting.
     *
     * @param env the environment, e.g. {@code System.getenv()}
     * @throws ConfigException naming every missing or malformed setting
     */
    public static ServerConfig fromEnvironment(Map<String, String> env) throws ConfigException {
        Reader reader = new Reader(env);
        int port = reader.integer("PORT", DEFAULT_PORT, 0, 65_535);
        URI publicBaseUrl = reader.origin("PUBLIC_BASE_URL");
        String token = reader.text("TWILIO_AUTH_TOKEN");
        String accountSid = reader.text("TWILIO_ACCOUNT_SID");
        boolean trustProxy = reader.bool("TRUST_PROXY", false);
        if (accountSid != null && !accountSid.matches("AC[0-9a-fA-F]{32}")) {
            reader.problem("TWILIO_ACCOUNT_SID must be 'AC' followed by 32 hex digits (see the Twilio console)");
        }
        if (accountSid != null && token == null) {
            reader.problem("TWILIO_ACCOUNT_SID is set but TWILIO_AUTH_TOKEN is not: set both to hang up calls "
                    + "through Twilio's REST API, or neither");
        }
        if (token != null && publicBaseUrl == null && !trustProxy) {
            reader.problem("TWILIO_AUTH_TOKEN is set but PUBLIC_BASE_URL is not: signatures cover the URL "
                    + "Twilio called, so set PUBLIC_BASE_URL (e.g. https://hotline.example.org) or TRUST_PROXY=true "
                    + "behind a proxy that sends X-Forwarded-Proto and X-Forwarded-Host");
        }
        CallLimiter.Limits limits = new CallLimiter.Limits(
                reader.integer("CALLS_PER_CALLER_PER_HOUR", DEFAULT_CALLS_PER_CALLER_PER_HOUR, 1, 10_000),
                reader.integer("MAX_CONCURRENT_CALLS", DEFAULT_MAX_CONCURRENT_CALLS, 1, 10_000),
                reader.numbers("CALLER_ALLOWLIST"),
                reader.numbers("CALLER_BLOCKLIST"));
        String pin = reader.text("ACCESS_PIN");
        if (pin != null && !pin.matches("[0-9]{1,12}")) {
            reader.problem("ACCESS_PIN must be 1 to 12 digits (a caller types it on the keypad)");
        }
        Persona persona = reader.persona("PERSONA_FILE");
        Duration endOfTurn = reader.millis("END_OF_TURN_SILENCE_MS", 100, 10_000);
        Duration bargeIn = reader.millis("BARGE_IN_MS", 50, 5_000);
        Duration early = reader.millis("EARLY_TRANSCRIPT_MS", 0, 10_000);
        Duration turnEnd = endOfTurn != null ? endOfTurn : CallSettings.defaults().endOfTurnSilence();
        if (early != null && early.compareTo(turnEnd) >= 0) {
            reader.problem("EARLY_TRANSCRIPT_MS (" + early.toMillis() + ") must be less than the end-of-turn silence ("
                    + turnEnd.toMillis() + " ms), or 0 for off");
        }
        Double threshold = reader.fraction("VAD_THRESHOLD");
        Duration maxCall = reader.seconds("MAX_CALL_SECONDS", 10, 24 * 3600);
        Duration drainSeconds = reader.seconds("DRAIN_TIMEOUT_SECONDS", 0, 3600);
        Duration vadBatch = reader.millis("VAD_BATCH_MS", 0, 20);
        reader.throwIfProblems();
        return new ServerConfig(port, publicBaseUrl, token, accountSid, trustProxy, limits, pin, persona,
                endOfTurn, bargeIn, early, threshold, maxCall, drainSeconds == null ? DEFAULT_DRAIN_TIMEOUT : drainSeconds,
                vadBatch == null ? DEFAULT_VAD_BATCH_DELAY : vadBatch);
    }

    /** Reads settings and collects problems instead of stopping at the first. */
    private static final class Reader {
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> env) {
            this.env = env;
        }

        void problem(String message) {
            problems.add(message);
        }

        void throwIfProblems() throws ConfigException {
            if (!problems.isEmpty()) {
                throw new ConfigException(problems);
            }
        }

        String text(String name) {
            String value = env.get(name);
            return value == null || value.isBlank() ? null : value.strip();
        }

        int integer(String name, int fallback, int min, int max) {
            String value = text(name);
            if (value == null) {
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value);
                if (parsed >= min && parsed <= max) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below, with the allowed range
            }
            problem(name + " must be a whole number from " + min + " to " + max + ", was '" + value + "'");
            return fallback;
        }

        boolean bool(String name, boolean fallback) {
            String value = text(name);
            if (value == null) {
                return fallback;
            }
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "yes", "1" -> true;
                case "false", "no", "0" -> false;
                default -> {
                    problem(name + " must be true or false, was '" + value + "'");
                    yield fallback;
                }
            };
        }

        Duration millis(String name, int min, int max) {
            return env.containsKey(name) && text(name) != null ? Duration.ofMillis(integer(name, min, min, max)) : null;
        }

        Duration seconds(String name, int min, int max) {
            return env.containsKey(name) && text(name) != null ? Duration.ofSeconds(integer(name, min, min, max)) : null;
        }

        Double fraction(String name) {
            String value = text(name);
            if (value == null) {
                return null;
            }
            try {
                double parsed = Double.parseDouble(value);
                if (parsed > 0 && parsed < 1) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problem(name + " must be a number between 0 and 1 (exclusive), was '" + value + "'");
            return null;
        }

        URI origin(String name) {
            String value = text(name);
            if (value == null) {
                return null;
            }
            try {
                URI uri = new URI(value.endsWith("/") ? value.substring(0, value.length() - 1) : value);
                boolean scheme = "https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme());
                boolean bare = (uri.getRawPath() == null || uri.getRawPath().isEmpty()) && uri.getRawQuery() == null
                        && uri.getRawFragment() == null && uri.getRawUserInfo() == null;
                if (scheme && uri.getHost() != null && bare) {
                    return uri;
                }
            } catch (URISyntaxException e) {
                // reported below
            }
            problem(name + " must be the public origin Twilio calls, like https://hotline.example.org "
                    + "(scheme, host, optional port; no path or query), was '" + value + "'");
            return null;
        }

        Set<String> numbers(String name) {
            String value = text(name);
            if (value == null) {
                return Set.of();
            }
            Set<String> numbers = new LinkedHashSet<>();
            for (String entry : Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList()) {
                if (entry.matches("\\+[1-9][0-9]{6,14}")) {
                    numbers.add(entry);
                } else {
                    problem(name + " must be comma-separated E.164 numbers like +15551234567, has '" + entry + "'");
                }
            }
            return Set.copyOf(numbers);
        }

        Persona persona(String name) {
            String value = text(name);
            if (value == null) {
                return Persona.syntheticJason();
            }
            Path path = Path.of(value);
            if (!Files.isReadable(path)) {
                problem(name + " names '" + value + "', which is not a readable file");
                return Persona.syntheticJason();
            }
            try {
                return PersonaFile.read(path);
            } catch (IOException | IllegalArgumentException e) {
                problem(name + " '" + value + "' is not a valid persona: " + e.getMessage());
                return Persona.syntheticJason();
            }
        }
    }

    /** The persona file: YAML with the {@link Persona} fields; missing optional fields take safe defaults. */
    static final class PersonaFile {
        private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

        private PersonaFile() {
        }

        static Persona read(Path path) throws IOException {
            JsonNode root = YAML.readTree(path.toFile());
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("the file must hold a YAML mapping of persona fields");
            }
            Persona fallback = Persona.syntheticJason();
            List<String> idle = new ArrayList<>();
            JsonNode idleNode = root.get("idlePrompts");
            if (idleNode != null && idleNode.isArray()) {
                idleNode.forEach(line -> idle.add(line.asText()));
            } else if (idleNode != null) {
                throw new IllegalArgumentException("idlePrompts must be a list of lines");
            }
            return new Persona(
                    required(root, "name"),
                    required(root, "greeting"),
                    required(root, "systemPrompt"),
                    optional(root, "goodbye", "Thanks for calling. Goodbye!"),
                    idle.isEmpty() ? fallback.idlePrompts() : idle,
                    optional(root, "didNotCatch", fallback.didNotCatch()),
                    optional(root, "apology", fallback.apology()),
                    optional(root, "vocabulary", null),
                    optional(root, "language", null));
        }

        private static String required(JsonNode root, String field) {
            JsonNode node = root.get(field);
            if (node == null || !node.isValueNode() || node.asText().isBlank()) {
                throw new IllegalArgumentException("'" + field + "' is required");
            }
            return node.asText();
        }

        private static String optional(JsonNode root, String field, String fallback) {
            JsonNode node = root.get(field);
            return node == null || node.isNull() ? fallback : node.asText();
        }
    }
}
