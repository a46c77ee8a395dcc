package dev.hotline.server.browser;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of browser calls, read from the environment.
 *
 * <ul>
 *   <li>{@code BROWSER_CALLS_ENABLED} ({@code true} | {@code false}, default {@code true}): whether {@code GET /}
 *       serves the call page and {@code /browser-stream} takes calls. Set it to {@code false} in production
 *       when only phone calls should reach the engine; both routes then answer 404.</li>
 *   <li>{@code BROWSER_ALLOWED_ORIGINS} (comma-separated origins such as {@code https://hotline.example.com},
 *       default empty): pages that may open the socket. Empty means same-origin only: the {@code Origin}
 *       header's host and port must equal the request's {@code Host}.</li>
 * </ul>
 *
 * @param enabled whether the page and socket are served
 * @param allowedOrigins normalized origins ({@code scheme://host[:port]}, lower case, no default port);
 *     empty for same-origin only
 */
public record BrowserSettings(boolean enabled, Set<String> allowedOrigins) {

    /** Environment variable switching browser calls on or off. */
    public static final String ENABLED_VARIABLE = "BROWSER_CALLS_ENABLED";
    /** Environment variable listing the origins allowed to open the socket. */
    public static final String ORIGINS_VARIABLE = "BROWSER_ALLOWED_ORIGINS";

    public BrowserSettings {
        allowedOrigins = Set.copyOf(allowedOrigins);
        for (String origin : allowedOrigins) {
            if (!origin.equals(normalizeOrigin(origin))) {
                throw new IllegalArgumentException("allowed origin must be normalized, was " + origin);
            }
        }
    }

    /** Browser calls on, same-origin only. */
    public static BrowserSettings defaults() {
        return new BrowserSettings(true, Set.of());
    }

    /**
     * Reads the settings from {@code environment}.
     *
     * @throws IllegalArgumentException naming every malformed value
     */
    public static BrowserSettings fromEnvironment(Map<String, String> environment) {
        Objects.requireNonNull(environment, "environment");
        List<String> problems = new ArrayList<>();
        boolean enabled = true;
        String rawEnabled = environment.get(ENABLED_VARIABLE);
        if (rawEnabled != null && !rawEnabled.isBlank()) {
            switch (rawEnabled.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> enabled = true;
                case "false" -> enabled = false;
                default -> problems.add(ENABLED_VARIABLE + " must be true or false, was '" + rawEnabled + "'");
            }
        }
        Set<String> origins = new LinkedHashSet<>();
        String rawOrigins = environment.get(ORIGINS_VARIABLE);
        if (rawOrigins != null) {
            for (String part : rawOrigins.split(",")) {
                if (part.isBlank()) {
                    continue;
                }
                try {
                    origins.add(normalizeOrigin(part.trim()));
                } catch (IllegalArgumentException e) {
                    problems.add(ORIGINS_VARIABLE + ": " + e.getMessage());
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        return new BrowserSettings(enabled, origins);
    }

    /**
     * Whether a page from {@code origin} may open the socket of a server reached as {@code host}: the origin is
     * one of {@link #allowedOrigins}, or, when that is empty, has the same host and port as {@code host}. A
     * missing, opaque ({@code "null"}) or malformed origin is never allowed.
     *
     * @param origin the request's {@code Origin} header, or {@code null}
     * @param host the request's {@code Host} header, or {@code null}
     */
    public boolean allowsOrigin(String origin, String host) {
        if (origin == null || origin.isBlank() || "null".equals(origin)) {
            return false;
        }
        String normalized;
        try {
            normalized = normalizeOrigin(origin.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (!allowedOrigins.isEmpty()) {
            return allowedOrigins.contains(normalized);
        }
        if (host == null || host.isBlank()) {
            return false;
        }
        String scheme = normalized.substring(0, normalized.indexOf(':'));
        try {
            return normalized.equals(normalizeOrigin(scheme + "://" + host.trim()));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Normalizes an origin as browsers send it: {@code scheme://host[:port]}, lower case, without the
     * scheme's default port.
     *
     * @throws IllegalArgumentException if {@code origin} is not an http(s) origin (a path, a query or user
     *     info are not allowed)
     */
    static String normalizeOrigin(String origin) {
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not an origin: '" + origin + "'", e);
        }
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"http".equals(scheme) && !"https".equals(scheme)) {
            throw new IllegalArgumentException("origin must start with http:// or https://, was '" + origin + "'");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null || (uri.getRawPath() != null && !uri.getRawPath().isEmpty())) {
            throw new IllegalArgumentException("origin must be scheme://host[:port] only, was '" + origin + "'");
        }
        int port = uri.getPort();
        boolean defaultPort = port == -1 || ("http".equals(scheme) && port == 80)
                || ("https".equals(scheme) && port == 443);
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }
}
