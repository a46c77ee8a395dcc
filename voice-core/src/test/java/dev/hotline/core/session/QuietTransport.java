package dev.hotline.core.session;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallTransport;

/**
 * A transport for the playout's unit tests to extend: 8 kHz mu-law, takes every chunk, and does nothing else
 * until a test overrides what it watches.
 */
abstract class QuietTransport implements CallTransport {

    @Override
    public void start(Listener listener) {
    }

    @Override
    public AudioFormat audioFormat() {
        return AudioFormat.ULAW_8K;
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        return true;
    }

    @Override
    public void sendMark(String name) {
    }

    @Override
    public void clear() {
    }

    @Override
    public void hangUp() {
    }
}
