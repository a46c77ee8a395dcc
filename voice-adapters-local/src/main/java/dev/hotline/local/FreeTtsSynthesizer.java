package dev.hotline.local;

import com.sun.speech.freetts.Voice;
import com.sun.speech.freetts.audio.AudioPlayer;
import com.sun.speech.freetts.en.us.cmu_us_kal.KevinVoiceDirectory;
import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Synthesizer;
import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Speaks with FreeTTS's {@code kevin16} diphone voice, in the JVM, with no key and no network: the
 * embedded default synthesizer and the fallback when a cloud one fails.
 *
 * <p>FreeTTS renders 16 kHz 16-bit speech one sentence-like utterance at a time; each block it writes is
 * converted at once to the requested format (mu-law 8 kHz for the phone, PCM at any rate) and handed to the
 * sink, so the first chunk arrives after the first utterance is rendered rather than after the whole text.
 * Audio is captured in memory by an {@link AudioPlayer} of this class's own; nothing touches a file or
 * the sound system.
 *
 * <p><b>Lifecycle.</b> One instance serves every call. Voices are allocated lazily, at most
 * {@code poolSize} of them (each about 200 ms and a few MB to load); {@link #close} frees them.
 *
 * <p><b>Threading.</b> A FreeTTS {@link Voice} is not thread-safe, so each request borrows a voice of its
 * own from a pool and returns it when done: at most {@code poolSize} requests synthesize at once, the
 * others wait for a free voice (FreeTTS renders about 20 times faster than real time, so the wait is short).
 *
 * <p><b>Failures.</b> {@link CancelledException} when the signal fires: checked before each chunk is
 * delivered, and no chunk is delivered after it. A failure inside FreeTTS is a
 * {@link ProviderException} of kind {@code UNAVAILABLE}. Formats other than mono PCM16, mu-law or A-law
 * at a rate voice-audio's {@code Resampler} knows are refused with {@code IllegalArgumentException}.
 */
public final class FreeTtsSynthesizer implements Synthesizer, AutoCloseable {

    /** The voice used: CMU's "kal" diphone voice at 16 kHz, bundled in the FreeTTS jar. */
    public static final String VOICE = "kevin16";
    private static final String PROVIDER = "freetts";

    private final int poolSize;
    private final BlockingQueue<Voice> idle;
    private final AtomicInteger allocated = new AtomicInteger();
    private volatile boolean closed;

    /**
     * @param poolSize how many voices may synthesize at once; at least 1
     */
    public FreeTtsSynthesizer(int poolSize) {
        if (poolSize < 1) {
            throw new IllegalArgumentException("poolSize must be >= 1, was " + poolSize);
        }
        this.poolSize = poolSize;
        this.idle = new ArrayBlockingQueue<>(poolSize);
    }

    /** A synthesizer with one voice per available processor, at most 4. */
    public FreeTtsSynthesizer() {
        this(Math.clamp(Runtime.getRuntime().availableProcessors(), 1, 4));
    }

    /** Allocates one voice now, so the first call does not pay for loading it. */
    public void warmUp() throws ProviderException {
        Voice voice = borrow();
        idle.offer(voice);
    }

    @Override
    public Usage synthesize(Request request, AudioSink sink, CancelSignal cancel) throws IOException {
        if (!supports(request.format())) {
            throw new IllegalArgumentException("FreeTTS cannot produce " + request.format()
                    + "; it delivers mono PCM16, mu-law or A-law at 8, 16, 22.05, 24, 44.1 or 48 kHz");
        }
        cancel.throwIfCancelled();
        Voice voice = borrow();
        CapturingPlayer player = new CapturingPlayer(request.format(), sink, cancel);
        try {
            voice.setAudioPlayer(player);
            voice.speak(request.text());
            player.finish();
        } catch (RuntimeException e) {
            if (!cancel.isCancelled()) {
                throw new ProviderException(PROVIDER, ProviderException.Kind.UNAVAILABLE,
                        "speaking failed: " + e, 0, null, e);
            }
        } finally {
            voice.setAudioPlayer(null);
            giveBack(voice);
        }
        cancel.throwIfCancelled();
        if (player.delivered == 0) {
            throw new ProviderException(PROVIDER, ProviderException.Kind.MALFORMED_RESPONSE,
                    "FreeTTS produced no audio for a text of " + request.text().length() + " characters");
        }
        return new Usage(request.text().length(), false);
    }

    @Override
    public boolean supports(AudioFormat format) {
        return FormatConverter.supports(format);
    }

    @Override
    public String name() {
        return "freetts " + VOICE;
    }

    /** Frees every voice. Requests in flight finish; later ones fail with {@code IllegalStateException}. */
    @Override
    public void close() {
        closed = true;
        Voice voice;
        while ((voice = idle.poll()) != null) {
            voice.deallocate();
        }
    }

    private Voice borrow() throws ProviderException {
        if (closed) {
            throw new IllegalStateException("synthesizer is closed");
        }
        Voice voice = idle.poll();
        if (voice != null) {
            return voice;
        }
        if (allocated.incrementAndGet() <= poolSize) {
            return allocateVoice();
        }
        allocated.decrementAndGet();
        try {
            return idle.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(PROVIDER, ProviderException.Kind.UNAVAILABLE,
                    "interrupted while waiting for a free voice", 0, null, e);
        }
    }

    private Voice allocateVoice() throws ProviderException {
        try {
            Voice voice = Arrays.stream(new KevinVoiceDirectory().getVoices())
                    .filter(v -> VOICE.equals(v.getName()))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("the FreeTTS jar has no voice " + VOICE));
            voice.allocate();
            return voice;
        } catch (RuntimeException e) {
            allocated.decrementAndGet();
            throw new ProviderException(PROVIDER, ProviderException.Kind.UNAVAILABLE,
                    "could not load the " + VOICE + " voice: " + e, 0, null, e);
        }
    }

    private void giveBack(Voice voice) {
        if (closed) {
            voice.deallocate();
            allocated.decrementAndGet();
        } else {
            idle.offer(voice);
        }
    }

    /**
     * Receives FreeTTS's rendered audio block by block and passes each on, converted, to the sink. Once the
     * request is cancelled it drops everything and answers {@code false}, which tells FreeTTS to stop.
     */
    private static final class CapturingPlayer implements AudioPlayer {

        private final AudioFormat target;
        private final AudioSink sink;
        private final CancelSignal cancel;
        private javax.sound.sampled.AudioFormat source;
        private FormatConverter converter;
        /** A byte of a sample split across two writes, or -1. */
        private int pendingByte = -1;
        private long delivered;

        CapturingPlayer(AudioFormat target, AudioSink sink, CancelSignal cancel) {
            this.target = target;
            this.sink = sink;
            this.cancel = cancel;
        }

        @Override
        public void setAudioFormat(javax.sound.sampled.AudioFormat format) {
            if (format.getSampleSizeInBits() != 16 || format.getChannels() != 1) {
                throw new IllegalStateException("FreeTTS produced unexpected audio: " + format);
            }
            if (converter == null || source.getSampleRate() != format.getSampleRate()) {
                converter = new FormatConverter(Math.round(format.getSampleRate()), target);
            }
            source = format;
        }

        @Override
        public javax.sound.sampled.AudioFormat getAudioFormat() {
            return source;
        }

        @Override
        public boolean write(byte[] audioData) {
            return write(audioData, 0, audioData.length);
        }

        @Override
        public boolean write(byte[] data, int offset, int size) {
            if (cancel.isCancelled()) {
                return false;
            }
            if (converter == null) {
                throw new IllegalStateException("FreeTTS wrote audio before setting its format");
            }
            int available = size + (pendingByte >= 0 ? 1 : 0);
            short[] samples = new short[available / 2];
            boolean bigEndian = source.isBigEndian();
            int read = offset;
            int end = offset + size;
            for (int i = 0; i < samples.length; i++) {
                int first;
                if (i == 0 && pendingByte >= 0) {
                    first = pendingByte;
                    pendingByte = -1;
                } else {
                    first = data[read++] & 0xFF;
                }
                int second = data[read++] & 0xFF;
                samples[i] = bigEndian ? (short) ((first << 8) | second) : (short) ((second << 8) | first);
            }
            if (read < end) {
                pendingByte = data[read] & 0xFF;
            }
            byte[] chunk = converter.convert(samples, samples.length);
            if (chunk.length > 0) {
                if (cancel.isCancelled()) {
                    return false;
                }
                sink.onAudio(chunk);
                delivered += chunk.length;
            }
            return true;
        }

        /** Delivers the converter's held-back tail, unless cancelled. */
        void finish() {
            if (converter == null || cancel.isCancelled()) {
                return;
            }
            byte[] tail = converter.finish();
            if (tail.length > 0) {
                sink.onAudio(tail);
                delivered += tail.length;
            }
        }

        @Override
        public void begin(int size) {
        }

        @Override
        public boolean end() {
            return !cancel.isCancelled();
        }

        @Override
        public boolean drain() {
            return !cancel.isCancelled();
        }

        @Override
        public void cancel() {
        }

        @Override
        public void pause() {
        }

        @Override
        public void resume() {
        }

        @Override
        public void reset() {
        }

        @Override
        public void close() {
        }

        @Override
        public float getVolume() {
            return 1.0f;
        }

        @Override
        public void setVolume(float volume) {
        }

        @Override
        public long getTime() {
            return 0;
        }

        @Override
        public void resetTime() {
        }

        @Override
        public void startFirstSampleTimer() {
        }

        @Override
        public void showMetrics() {
        }
    }
}
