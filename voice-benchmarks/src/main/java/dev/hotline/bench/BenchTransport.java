package dev.hotline.bench;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallTransport;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A mu-law call driven by the benchmark thread: it feeds caller frames, plays back by echoing the marks
 * sent so far, and notices the first audio sent after {@link #resetAudioFlag()}.
 */
final class BenchTransport implements CallTransport {

    static final byte[] SILENCE = G711.linearToUlaw(new short[160]);
    static final byte[] LOUD = loud();

    private final ConcurrentLinkedQueue<String> marks = new ConcurrentLinkedQueue<>();
    private volatile CountDownLatch audioSent = new CountDownLatch(1);
    private volatile long firstAudioNanos;
    private volatile boolean hungUp;
    private Listener listener;

    private static byte[] loud() {
        short[] tone = new short[160];
        for (int i = 0; i < tone.length; i++) {
            tone[i] = (short) (8_000 * Math.sin(2 * Math.PI * 220 * i / 8_000));
        }
        return G711.linearToUlaw(tone);
    }

    @Override
    public void start(Listener value) {
        listener = value;
    }

    @Override
    public AudioFormat audioFormat() {
        return AudioFormat.ULAW_8K;
    }

    @Override
    public boolean sendAudio(byte[] audio) {
        if (hungUp) {
            return false;
        }
        if (audioSent.getCount() > 0) {
            firstAudioNanos = System.nanoTime();
            audioSent.countDown();
        }
        return true;
    }

    @Override
    public void sendMark(String name) {
        marks.add(name);
    }

    @Override
    public void clear() {
    }

    @Override
    public void hangUp() {
        hungUp = true;
    }

    void connect(String callId) {
        listener.onStart(new CallInfo(callId, callId, null, null, Map.of()));
    }

    void feed(byte[] frame) {
        listener.onAudio(frame);
    }

    /** Plays everything sent so far: echoes its marks. */
    void playAll() {
        String mark;
        while ((mark = marks.poll()) != null) {
            listener.onMark(mark);
        }
    }

    void stop() {
        listener.onStop();
    }

    void resetAudioFlag() {
        audioSent = new CountDownLatch(1);
    }

    /** When the first audio since the last reset was handed to the transport, by {@link System#nanoTime()}. */
    long firstAudioNanos() {
        return firstAudioNanos;
    }

    /** Waits (parked, not spinning) until audio was sent since the last reset. */
    void awaitAudio() throws InterruptedException {
        audioSent.await();
    }
}
