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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

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
 * FreeTTS writes its audio on threads of its own; the blocks are queued and handed to the sink on the
 * calling thread, as the port requires, each as soon as it is rendered.
 *
 * <p>Text with nothing speakable in it (only punctuation) yields no chunk and no error.
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

    /** How often a request waiting for a free voice checks whether the synthesizer was closed. */
    private static final long CLOSED_CHECK_MILLIS = 200;
    /** Marks the end of a request's audio in its queue (compared by identity). */
    private static final byte[] END = new byte[0];

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
        BlockingQueue<byte[]> produced = new LinkedBlockingQueue<>();
        CapturingPlayer player = new CapturingPlayer(request.format(), produced::add, cancel);
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Thread speaker = Thread.ofVirtual().name("freetts-speaker").unstarted(() -> {
            try {
                voice.setAudioPlayer(player);
                voice.speak(request.text());
                player.finish();
            } catch (RuntimeException e) {
                failure.set(e);
            } finally {
                produced.add(END);
            }
        });
        try (CancelSignal.Registration wake = cancel.onCancel(() -> produced.add(END))) {
            speaker.start();
            for (byte[] chunk = take(produced); chunk != END; chunk = take(produced)) {
                cancel.throwIfCancelled();
                sink.onAudio(chunk);
            }
        } finally {
            awaitQuietly(speaker);
            voice.setAudioPlayer(null);
            giveBack(voice);
        }
        cancel.throwIfCancelled();
        if (failure.get() != null) {
            throw new ProviderException(PROVIDER, ProviderException.Kind.UNAVAILABLE,
                    "speaking failed: " + failure.get(), 0, null, failure.get());
        }
        if (player.problem != null) {
            throw new ProviderException(PROVIDER, ProviderException.Kind.UNAVAILABLE, player.problem);
        }
        return new Usage(request.text().length(), false);
    }

    private static byte[] take(BlockingQueue<byte[]> queue) throws ProviderException {
        try {
            return queue.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProviderException(PROVIDER, ProviderException.Kind.UNAVAILABLE,
                    "interrupted while waiting for audio", 0, null, e);
        }
    }

    /**
     * Waits for FreeTTS to let go of the voice before it goes back to the pool. After a cancel this is
     * short: the player refuses every further write, which stops FreeTTS at its next audio block.
     */
    private static void awaitQuietly(Thread speaker) {
        boolean interrupted = false;
        while (speaker.isAlive()) {
            try {
                speaker.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
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
            while (true) {
                Voice free = idle.poll(CLOSED_CHECK_MILLIS, TimeUnit.MILLISECONDS);
                if (free != null) {
                    return free;
                }
                if (closed) {
                    throw new IllegalStateException("synthesizer is closed");
                }
            }
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
     * Receives FreeTTS's rendered audio block by block, on FreeTTS's output thread, and passes each on,
     * converted, to the request's queue. Once the request is cancelled it drops everything and answers
     * {@code false}, which tells FreeTTS to stop.
     */
    private static final class CapturingPlayer implements AudioPlayer {

        private final AudioFormat target;
        private final AudioSink sink;
        private final CancelSignal cancel;
        private javax.sound.sampled.AudioFormat source;
        private FormatConverter converter;
        /** A byte of a sample split across two writes, or -1. */
        private int pendingByte = -1;
        /** Why the audio could not be taken, or {@code null}; read after FreeTTS finished. */
        private volatile String problem;

        CapturingPlayer(AudioFormat target, AudioSink sink, CancelSignal cancel) {
            this.target = target;
            this.sink = sink;
            this.cancel = cancel;
        }

        @Override
        public void setAudioFormat(javax.sound.sampled.AudioFormat format) {
            if (format.getSampleSizeInBits() != 16 || format.getChannels() != 1) {
                // Not thrown: this runs on FreeTTS's output thread, where an exception would leave speak()
                // waiting forever. write() refuses the audio instead, which ends the utterance.
                problem = "FreeTTS produced audio this player cannot convert: " + format;
                return;
            }
            if (converter == null || source.getSampleRate() != format.getSampleRate()) {
                try {
                    converter = new FormatConverter(Math.round(format.getSampleRate()), target);
                } catch (IllegalArgumentException e) {
                    problem = "cannot convert FreeTTS's " + format + ": " + e.getMessage();
                    return;
                }
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
            if (cancel.isCancelled() || problem != null) {
                return false;
            }
            if (converter == null) {
                problem = "FreeTTS wrote audio before setting its format";
                return false;
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
                sink.onAudio(chunk);
            }
            return !cancel.isCancelled();
        }

        /** Delivers the converter's held-back tail, unless cancelled. */
        void finish() {
            if (converter == null || cancel.isCancelled()) {
                return;
            }
            byte[] tail = converter.finish();
            if (tail.length > 0) {
                sink.onAudio(tail);
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
