package dev.hotline.core.testing;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.ProviderException;
import dev.hotline.core.StreamingSynthesizer;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * A {@link StreamingSynthesizer} that speaks any text as {@code millisPerChar} of audio per character, in
 * 20 ms chunks of a constant byte, on the calling thread. Scripted steps change what the next requests do:
 * wait at a {@link Gate}, fail before any audio, or fail after some chunks. Records every text it was
 * asked to speak. Thread-safe.
 */
public final class ScriptedSynthesizer implements StreamingSynthesizer {

    private record Step(Gate gate, int chunksBeforeFailure, ProviderException failure) {
    }

    private final String name;
    private final int millisPerChar;
    private final Deque<Step> steps = new ArrayDeque<>();
    private final Deque<ProviderException> openFailures = new ArrayDeque<>();
    private int opens;
    private final List<String> texts = new ArrayList<>();
    private long characters;

    /** A synthesizer named {@code name} speaking {@code millisPerChar} ms of audio per character. */
    public ScriptedSynthesizer(String name, int millisPerChar) {
        if (millisPerChar <= 0) {
            throw new IllegalArgumentException("millisPerChar must be > 0, was " + millisPerChar);
        }
        this.name = name;
        this.millisPerChar = millisPerChar;
    }

    /** 50 ms of audio per character: a sentence of 40 characters plays two seconds. */
    public ScriptedSynthesizer() {
        this("scripted synthesizer", 50);
    }

    /** The next request waits at {@code gate} before its first chunk. */
    public synchronized ScriptedSynthesizer gateNext(Gate gate) {
        steps.add(new Step(gate, -1, null));
        return this;
    }

    /** The next request fails with {@code failure} before any audio. */
    public synchronized ScriptedSynthesizer failNext(ProviderException failure) {
        steps.add(new Step(Gate.OPEN, 0, failure));
        return this;
    }

    /** The next request delivers {@code chunks} chunks, then fails with {@code failure}. */
    public synchronized ScriptedSynthesizer failAfterChunks(int chunks, ProviderException failure) {
        steps.add(new Step(Gate.OPEN, chunks, failure));
        return this;
    }

    /** The next {@link #open} fails with {@code failure}, as a refused WebSocket handshake would. */
    public synchronized ScriptedSynthesizer failNextOpen(ProviderException failure) {
        openFailures.add(failure);
        return this;
    }

    /** How many times {@link #open} was called. */
    public synchronized int opens() {
        return opens;
    }

    /** The next request never answers; only cancellation ends it. */
    public synchronized ScriptedSynthesizer hangNext() {
        steps.add(new Step(Gate.NEVER, -1, null));
        return this;
    }

    @Override
    public Usage synthesize(Request request, AudioSink sink, CancelSignal cancel) throws IOException {
        if (!supports(request.format())) {
            throw new IllegalArgumentException(name + " cannot produce " + request.format());
        }
        cancel.throwIfCancelled();
        Step step;
        synchronized (this) {
            texts.add(request.text());
            characters += request.text().length();
            step = steps.poll();
        }
        if (step != null) {
            step.gate().pass(cancel);
        }
        AudioFormat format = request.format();
        int total = format.bytesForMillis((long) millisPerChar * request.text().length());
        int chunkBytes = format.bytesForMillis(20);
        byte fill = format.encoding() == AudioFormat.Encoding.ULAW ? (byte) 0x55 : (byte) 0x10;
        int sent = 0;
        int chunks = 0;
        while (sent < total) {
            cancel.throwIfCancelled();
            if (step != null && step.failure() != null && chunks == step.chunksBeforeFailure()) {
                throw step.failure();
            }
            byte[] chunk = new byte[Math.min(chunkBytes, total - sent)];
            Arrays.fill(chunk, fill);
            sink.onAudio(chunk);
            sent += chunk.length;
            chunks++;
        }
        cancel.throwIfCancelled();
        if (step != null && step.failure() != null) {
            throw step.failure();
        }
        return new Usage(request.text().length(), false);
    }

    @Override
    public SpeechStream open(AudioFormat format, AudioSink sink, CancelSignal cancel) throws IOException {
        cancel.throwIfCancelled();
        ProviderException refused;
        synchronized (this) {
            opens++;
            refused = openFailures.poll();
        }
        if (refused != null) {
            throw refused;
        }
        return new SpeechStream() {
            private final StringBuilder pending = new StringBuilder();
            private long spoken;
            private boolean closed;

            @Override
            public void append(String text) throws IOException {
                check();
                pending.append(text);
            }

            @Override
            public void flush() throws IOException {
                check();
                String text = pending.toString();
                pending.setLength(0);
                if (!text.isBlank()) {
                    spoken += synthesize(Request.of(text, format), sink, cancel).characters();
                }
            }

            @Override
            public Usage finish() throws IOException {
                flush();
                closed = true;
                return new Usage(spoken, false);
            }

            @Override
            public void close() {
                closed = true;
            }

            private void check() throws IOException {
                cancel.throwIfCancelled();
                if (closed) {
                    throw new IllegalStateException("the stream is closed");
                }
            }
        };
    }

    @Override
    public boolean supports(AudioFormat format) {
        return format.channels() == 1 && (format.equals(AudioFormat.ULAW_8K)
                || format.encoding() == AudioFormat.Encoding.PCM16_LE);
    }

    @Override
    public String name() {
        return name;
    }

    /** Every text it was asked to speak, in order. */
    public synchronized List<String> texts() {
        return List.copyOf(texts);
    }

    /** Characters synthesized so far. */
    public synchronized long characters() {
        return characters;
    }

    /** Fails if a scripted step was not used. */
    public synchronized void assertExhausted() {
        if (!steps.isEmpty()) {
            throw new AssertionError("synthesizer script: " + steps.size() + " steps unused");
        }
    }
}
