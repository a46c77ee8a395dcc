package dev.hotline.local;

import dev.hotline.core.ProviderException;

/**
 * One sphinx4 recognizer for every test class in the JVM, loaded on first use and left to the JVM's exit:
 * loading costs seconds of CPU, so it is done once per test run.
 */
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
}
