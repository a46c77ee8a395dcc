package dev.hotline.server.browser;

import dev.hotline.core.CallObserver;
import dev.hotline.core.Persona;
import dev.hotline.server.CallHandler;
import dev.hotline.server.CallLimiter;
import dev.hotline.server.ConfigException;
import io.javalin.config.RoutesConfig;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Browser calls as the server wires them, in three steps: read the settings ({@link #fromEnvironment}), add
 * the relay to the engine's observers ({@link #observing}), and add the routes to the server
 * ({@link #routes}).
 *
 * <p>Immutable after construction; thread-safe.
 */
public final class BrowserCalls {

    private final BrowserSettings settings;
    private final Persona persona;
    private final BrowserCallRelay relay;

    /** Browser calls with {@code settings}, answered by {@code persona}. */
    public BrowserCalls(BrowserSettings settings, Persona persona) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.persona = Objects.requireNonNull(persona, "persona");
        this.relay = new BrowserCallRelay(persona);
    }

    /**
     * Reads {@code BROWSER_CALLS_ENABLED} and {@code BROWSER_ALLOWED_ORIGINS}.
     *
     * @throws ConfigException naming every malformed value
     */
    public static BrowserCalls fromEnvironment(Map<String, String> env, Persona persona) throws ConfigException {
        try {
            return new BrowserCalls(BrowserSettings.fromEnvironment(env), persona);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(e.getMessage()));
        }
    }

    /** {@code observer}, then the relay that shows browser calls' captions and latencies on their pages. */
    public CallObserver observing(CallObserver observer) {
        Objects.requireNonNull(observer, "observer");
        return event -> {
            observer.onEvent(event);
            relay.onEvent(event);
        };
    }

    /** Adds the page and the socket to a server's routes (nothing when switched off). */
    public Consumer<RoutesConfig> routes(CallHandler calls, CallLimiter limiter) {
        BrowserRoutes routes = new BrowserRoutes(settings, persona, calls, relay, limiter);
        return routes::addTo;
    }

    /** One line for the start-up banner. */
    public String describe() {
        if (!settings.enabled()) {
            return "off (" + BrowserSettings.ENABLED_VARIABLE + "=false)";
        }
        return "on at " + BrowserRoutes.PAGE_PATH + " and " + BrowserRoutes.SOCKET_PATH + ", "
                + (settings.allowedOrigins().isEmpty() ? "same-origin only"
                        : "origins " + String.join(", ", settings.allowedOrigins().stream().sorted().toList()));
    }
}
