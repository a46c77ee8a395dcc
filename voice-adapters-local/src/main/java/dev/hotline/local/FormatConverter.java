package dev.hotline.local;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;
import dev.hotline.audio.Pcm16;
import dev.hotline.audio.Resampler;

/**
 * Turns a stream of mono 16-bit samples at one rate into bytes of a requested {@link AudioFormat}, chunk by
 * chunk: voice-audio's {@link Resampler} (streaming, so chunk joins are seamless) and {@link G711}.
 *
 * <p>Lifecycle: {@link #convert} any number of times, then {@link #finish} once for the resampler's
 * held-back tail. Not thread-safe: one instance per stream.
 */
final class FormatConverter {

    private final AudioFormat output;
    private final Resampler resampler;

    /**
     * @param inputRate the rate of the samples handed to {@link #convert}, in Hz
     * @param output the format wanted; mono, at a rate {@link #supports} accepts
     */
    FormatConverter(int inputRate, AudioFormat output) {
        if (!supports(output)) {
            throw new IllegalArgumentException("cannot convert to " + output + ": mono at one of "
                    + Resampler.SUPPORTED_RATES + " Hz only");
        }
        this.output = output;
        this.resampler = new Resampler(inputRate, output.sampleRate());
    }

    /** Whether a stream can be converted to {@code format}: mono, at a rate the resampler knows. */
    static boolean supports(AudioFormat format) {
        return format.channels() == 1 && Resampler.SUPPORTED_RATES.contains(format.sampleRate());
    }

    /** Converts the next chunk; returns an empty array when it completes no output sample yet. */
    byte[] convert(short[] samples, int length) {
        return encode(resampler.process(samples, 0, length), output.encoding());
    }

    /** Ends the stream and returns the rest of the output (possibly empty). */
    byte[] finish() {
        return encode(resampler.flush(), output.encoding());
    }

    /** Encodes samples in {@code encoding}. */
    static byte[] encode(short[] samples, AudioFormat.Encoding encoding) {
        return switch (encoding) {
            case PCM16_LE -> Pcm16.toBytes(samples);
            case ULAW -> G711.linearToUlaw(samples);
            case ALAW -> G711.linearToAlaw(samples);
        };
    }
}
