package dev.hotline.server;

import dev.hotline.twilio.TwilioCallControl;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place the server is wired by hand: reads the environment, picks the provider for each role from
 * the keys that are set, and builds the server. No container, no reflection: read top to bottom to see what
 * runs.
 */
final class Bootstrap {

    /** A connected call is assumed over after this long, when its end was missed. */
    private static final Duration MAX_CALL_AGE = Duration.ofHours(4);

    private final ServerConfig config;
    private final CallHandler calls;
    private final Map<String, String> roles;

    private Bootstrap(ServerConfig config, CallHandler calls, Map<String, String> roles) {
        this.config = config;
        this.calls = calls;
        this.roles = roles;
    }

    /**
     * Reads and validates every setting and picks the providers.
     *
     * @throws ConfigException naming every problem at once
     */
    static Bootstrap fromEnvironment(Map<String, String> env) throws ConfigException {
        ServerConfig config = ServerConfig.fromEnvironment(env);
        Map<String, String> roles = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        roles.put("speech-to-text", "none: no transcriber is in this build yet");
        roles.put("replies (LLM)", "none: no responder is in this build yet");
        roles.put("text-to-speech", "none: no synthesizer is in this build yet");
        roles.put("voice activity", "none: no detector is in this build yet");
        missing.add("the conversation engine (voice-core's Engine) and its providers");
        CallHandler calls = new UnavailableCallHandler("missing " + String.join(", ", missing)
                + "; calls are refused politely until they are wired");
        return new Bootstrap(config, calls, roles);
    }

    ServerConfig config() {
        return config;
    }

    /** Builds the server (not started). */
    HotlineServer server() {
        CallLimiter limiter = new InMemoryCallLimiter(config.limits(), Clock.systemUTC(), MAX_CALL_AGE);
        TwilioCallControl control = config.hangsUpThroughRest()
                ? TwilioCallControl.create(config.twilioAccountSid(), config.twilioAuthToken())
                : null;
        return new HotlineServer(config, calls, limiter, control);
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
        roles.forEach((role, provider) -> line(text, role, provider));
        if (calls instanceof UnavailableCallHandler unavailable) {
            line(text, "calls", "NOT taken: " + unavailable.why());
        }
        return text.toString();
    }

    private static void line(StringBuilder text, String label, String value) {
        text.append(String.format("  %-16s %s%n", label, value));
    }
}
