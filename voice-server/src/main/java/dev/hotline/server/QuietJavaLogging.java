package dev.hotline.server;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps libraries that log through {@code java.util.logging} (sphinx4, FreeTTS) down to warnings, so stdout
 * stays one JSON line per event. Named in {@code java.util.logging.config.class}, which also tells sphinx4
 * not to install its own console logging at INFO.
 */
public final class QuietJavaLogging {

    /** Called by {@link java.util.logging.LogManager} when it reads its configuration, and by {@link Main}. */
    public QuietJavaLogging() {
        Logger.getLogger("").setLevel(Level.WARNING);
    }

    /** Applies this configuration now and for loggers configured later. */
    static void install() {
        if (System.getProperty("java.util.logging.config.file") == null
                && System.getProperty("java.util.logging.config.class") == null) {
            System.setProperty("java.util.logging.config.class", QuietJavaLogging.class.getName());
        }
        new QuietJavaLogging();
    }
}
