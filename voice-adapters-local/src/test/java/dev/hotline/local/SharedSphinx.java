package dev.hotline.local;

import dev.hotline.core.ProviderException;

/** One sphinx4 recognizer for every test class in the JVM, loaded on first use: loading costs seconds. */
final class SharedSphinx {

    private static SphinxTranscriber instance;

    private SharedSphinx() {
    }

    static synchronized SphinxTranscriber get() throws ProviderException {
        if (instance == null) {
            instance = new SphinxTranscriber();
        }
        return instance;
    }

    static synchronized void close() {
        if (instance != null) {
            instance.close();
            instance = null;
        }
    }
}
