package dev.hotline.audio;

import java.util.Arrays;
import java.util.Objects;
import java.util.Set;

/**
 * Converts 16-bit mono PCM between the sample rates the engine meets (8, 16, 22.05, 24, 44.1 and
 * 48 kHz), for a whole buffer ({@link #resample}) or as a stream ({@link #process}, then
 * {@link #flush}).
 *
 * <p><b>Design.</b> A rational polyphase windowed-sinc converter. With {@code g = gcd(from, to)} the
 * rate changes by {@code L/M = (to/g)/(from/g)}. Output sample {@code k} sits at input time
 * {@code k*M/L}; its value is the dot product of the input around that time with one of {@code L}
 * precomputed phase filters (the phase is {@code k*M mod L}). The filters sample one continuous
 * kernel: an ideal low-pass (sinc) with its cutoff at {@value #CUTOFF} of the lower of the two rates,
 * shaped by a Kaiser window with beta for {@value #STOPBAND_ATTENUATION_DB} dB of stop-band
 * attenuation and a transition band from {@value #PASSBAND_EDGE} to {@value #STOPBAND_EDGE} of the
 * lower rate (so 8 kHz output keeps 0-3.36 kHz flat and removes everything above 4.4 kHz). Each phase
 * is normalised to unit DC gain. Only the tables and a small history buffer are allocated; the
 * per-sample loop allocates nothing.
 *
 * <p><b>Timing.</b> The kernel is centred: output sample {@code k} represents exactly input time
 * {@code k*M/L}, so there is no delay to compensate in the output timeline. The price is
 * look-ahead: a stream holds back the last {@link #lookaheadInputSamples()} input samples (22
 * samples of the lower rate: 2.75 ms whenever one side is 8 kHz) until more input or
 * {@link #flush()} arrives. Input before the first sample and after the last is taken as silence.
 * For {@code n} input samples the stream produces {@code ceil(n*L/M)} output samples in total, and
 * the concatenation of every {@code process} result and the {@code flush} result equals
 * {@link #resample} of the concatenated input exactly, whatever the chunk sizes.
 *
 * <p><b>Lifecycle and threading.</b> One instance per stream; not thread-safe. {@code process} any
 * number of times, then {@code flush} once; after that {@code process} and {@code flush} throw
 * {@link IllegalStateException} until {@link #reset()}. When both rates are equal the stream copies its
 * input through unchanged.
 */
public final class Resampler {

    /** The sample rates, in Hz, a resampler may convert between. */
    public static final Set<Integer> SUPPORTED_RATES = Set.of(8_000, 16_000, 22_050, 24_000, 44_100, 48_000);

    /** Where the pass band ends, as a fraction of the lower sample rate (0.42 * 8 kHz = 3.36 kHz). */
    static final double PASSBAND_EDGE = 0.42;
    /** Where the stop band starts, as a fraction of the lower sample rate (0.55 * 8 kHz = 4.4 kHz). */
    static final double STOPBAND_EDGE = 0.55;
    /** The sinc's cutoff: the middle of the transition band, as a fraction of the lower rate. */
    static final double CUTOFF = (PASSBAND_EDGE + STOPBAND_EDGE) / 2;
    /** Stop-band attenuation the Kaiser window is designed for (also bounds pass-band ripple to ~3e-5). */
    static final double STOPBAND_ATTENUATION_DB = 90;
    /** Kaiser's beta for {@link #STOPBAND_ATTENUATION_DB} (Kaiser's formula for attenuation above 50 dB). */
    private static final double KAISER_BETA = 0.1102 * (STOPBAND_ATTENUATION_DB - 8.7);
    /**
     * Kernel half-width in samples of the lower rate, from Kaiser's length estimate
     * {@code N = (A - 7.95) / (2.285 * 2 pi * transition)}: 44 taps, 22 either side of centre.
     */
    private static final int HALF_WIDTH_LOW_RATE_SAMPLES = (int) Math.ceil(
            (STOPBAND_ATTENUATION_DB - 7.95) / (2.285 * 2 * Math.PI * (STOPBAND_EDGE - PASSBAND_EDGE)) / 2);
    /** The dot product runs over four partial sums, so tap counts are padded to a multiple of this. */
    private static final int UNROLL = 4;

    private final int fromRate;
    private final int toRate;
    private final int up;
    private final int down;
    private final int downWhole;
    private final int downRemainder;
    private final int lookahead;
    private final int taps;
    /** Phase filters, flattened: the taps of phase p are {@code coefficients[p*taps .. p*taps+taps)}. */
    private final float[] coefficients;

    /** Input history; {@code history[0]} is the input sample with absolute index {@code historyStart}. */
    private float[] history;
    private int historyLength;
    private long historyStart;
    private long inputCount;
    private long outputCount;
    /** {@code floor(outputCount * down / up)}: the input index at or before the next output's time. */
    private long base;
    /** {@code outputCount * down mod up}: which phase filter the next output uses. */
    private int phase;
    private boolean flushed;

    /**
     * Creates a stream converting from {@code fromRate} to {@code toRate}, building its filter tables.
     *
     * @throws IllegalArgumentException if either rate is not in {@link #SUPPORTED_RATES}
     */
    public Resampler(int fromRate, int toRate) {
        requireSupported("fromRate", fromRate);
        requireSupported("toRate", toRate);
        this.fromRate = fromRate;
        this.toRate = toRate;
        int gcd = gcd(fromRate, toRate);
        this.up = toRate / gcd;
        this.down = fromRate / gcd;
        this.downWhole = down / up;
        this.downRemainder = down % up;
        // Below 1 when decimating: the kernel is stretched by M/L in input samples.
        double lowRateInInputSamples = Math.max(1.0, (double) down / up);
        double halfWidth = HALF_WIDTH_LOW_RATE_SAMPLES * lowRateInInputSamples;
        this.lookahead = (int) Math.ceil(halfWidth);
        this.taps = roundUp(2 * lookahead, UNROLL);
        this.coefficients = up == down ? new float[0] : designPhases(halfWidth, CUTOFF / lowRateInInputSamples);
        this.history = new float[Math.max(64, 2 * taps)];
        reset();
    }

    /**
     * Resamples a whole buffer: the same as a fresh stream's {@code process(samples)} followed by
     * {@code flush()}. Returns {@code ceil(samples.length * toRate / fromRate)} samples.
     *
     * @throws IllegalArgumentException if either rate is not in {@link #SUPPORTED_RATES}
     */
    public static short[] resample(short[] samples, int fromRate, int toRate) {
        Objects.requireNonNull(samples, "samples");
        Resampler resampler = new Resampler(fromRate, toRate);
        short[] head = resampler.process(samples);
        short[] tail = resampler.flush();
        short[] out = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, out, head.length, tail.length);
        return out;
    }

    /** The input rate, in Hz. */
    public int fromRate() {
        return fromRate;
    }

    /** The output rate, in Hz. */
    public int toRate() {
        return toRate;
    }

    /** Input samples a stream holds back until more input or {@link #flush()} arrives (0 when the rates are equal). */
    public int lookaheadInputSamples() {
        return up == down ? 0 : lookahead;
    }

    /** Taps per phase filter: the multiply-adds each output sample costs. */
    public int tapsPerOutputSample() {
        return up == down ? 0 : taps;
    }

    /**
     * Feeds the next chunk of the stream and returns every output sample it completes (possibly none).
     *
     * @throws IllegalStateException if the stream was flushed and not reset
     */
    public short[] process(short[] chunk) {
        return process(chunk, 0, chunk.length);
    }

    /**
     * Feeds {@code length} samples of {@code chunk} from {@code offset}, as {@link #process(short[])}.
     *
     * @throws IndexOutOfBoundsException if the range is outside {@code chunk}
     * @throws IllegalStateException if the stream was flushed and not reset
     */
    public short[] process(short[] chunk, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, chunk.length);
        requireOpen();
        if (up == down) {
            inputCount += length;
            return Arrays.copyOfRange(chunk, offset, offset + length);
        }
        append(chunk, offset, length);
        return produce(inputCount);
    }

    /**
     * Ends the stream: treats the input as followed by silence and returns the remaining output, so
     * that the stream has produced {@code ceil(n * toRate / fromRate)} samples for {@code n} input
     * samples.
     *
     * @throws IllegalStateException if the stream was already flushed and not reset
     */
    public short[] flush() {
        requireOpen();
        flushed = true;
        if (up == down) {
            return new short[0];
        }
        long end = inputCount;
        appendSilence(lookahead);
        return produce(end);
    }

    /** Forgets all input and starts a new stream with the same rates; the filter tables are kept. */
    public void reset() {
        // Input before the first sample is silence: keep enough zeros for the first output's taps.
        int leadingZeros = taps - lookahead - 1;
        Arrays.fill(history, 0, leadingZeros, 0f);
        historyLength = leadingZeros;
        historyStart = -leadingZeros;
        inputCount = 0;
        outputCount = 0;
        base = 0;
        phase = 0;
        flushed = false;
    }

    /**
     * Produces every output whose input time lies before {@code end} and whose taps are all in the
     * history.
     */
    private short[] produce(long end) {
        long available = historyStart + historyLength;
        // Output k needs inputs up to floor(k*M/L) + lookahead, and only outputs with k*M/L < end exist.
        long lastBase = Math.min(available - lookahead - 1, end - 1);
        long outputEnd = lastBase < 0 ? 0 : Math.ceilDiv((lastBase + 1) * up, down);
        int count = (int) Math.max(0, outputEnd - outputCount);
        short[] out = new short[count];
        float[] h = history;
        float[] c = coefficients;
        int n = taps;
        for (int i = 0; i < count; i++) {
            int first = (int) (base + lookahead - n + 1 - historyStart);
            int coefficient = phase * n;
            float sum0 = 0f;
            float sum1 = 0f;
            float sum2 = 0f;
            float sum3 = 0f;
            for (int j = 0; j < n; j += UNROLL) {
                sum0 += c[coefficient + j] * h[first + j];
                sum1 += c[coefficient + j + 1] * h[first + j + 1];
                sum2 += c[coefficient + j + 2] * h[first + j + 2];
                sum3 += c[coefficient + j + 3] * h[first + j + 3];
            }
            out[i] = Pcm16.clampToShort((sum0 + sum1) + (sum2 + sum3));
            phase += downRemainder;
            base += downWhole;
            if (phase >= up) {
                phase -= up;
                base++;
            }
        }
        outputCount += count;
        return out;
    }

    private void append(short[] chunk, int offset, int length) {
        ensureRoom(length);
        float[] h = history;
        int at = historyLength;
        for (int i = 0; i < length; i++) {
            h[at + i] = chunk[offset + i];
        }
        historyLength += length;
        inputCount += length;
    }

    private void appendSilence(int length) {
        ensureRoom(length);
        Arrays.fill(history, historyLength, historyLength + length, 0f);
        historyLength += length;
    }

    /** Drops history no future output needs, then grows the buffer only if the chunk still does not fit. */
    private void ensureRoom(int extra) {
        long firstNeeded = base + lookahead - taps + 1;
        int drop = (int) Math.max(0, firstNeeded - historyStart);
        if (drop > 0) {
            System.arraycopy(history, drop, history, 0, historyLength - drop);
            historyLength -= drop;
            historyStart += drop;
        }
        if (historyLength + extra > history.length) {
            history = Arrays.copyOf(history, Math.max(historyLength + extra, 2 * history.length));
        }
    }

    /**
     * Samples the windowed-sinc kernel for every phase. Phase {@code p}'s tap {@code j} multiplies the
     * input {@code base + lookahead - taps + 1 + j}, which lies {@code tau = p/L + taps - 1 - lookahead - j}
     * input samples before the output's time.
     *
     * @param halfWidth the window's half-width, in input samples
     * @param cutoff the sinc's cutoff, in cycles per input sample
     */
    private float[] designPhases(double halfWidth, double cutoff) {
        float[] table = new float[up * taps];
        double[] phaseTaps = new double[taps];
        double besselOfBeta = besselI0(KAISER_BETA);
        for (int p = 0; p < up; p++) {
            double sum = 0;
            for (int j = 0; j < taps; j++) {
                double tau = (double) p / up + taps - 1 - lookahead - j;
                double value = 0;
                if (Math.abs(tau) < halfWidth) {
                    double ratio = tau / halfWidth;
                    double window = besselI0(KAISER_BETA * Math.sqrt(1 - ratio * ratio)) / besselOfBeta;
                    value = 2 * cutoff * sinc(2 * cutoff * tau) * window;
                }
                phaseTaps[j] = value;
                sum += value;
            }
            for (int j = 0; j < taps; j++) {
                table[p * taps + j] = (float) (phaseTaps[j] / sum);
            }
        }
        return table;
    }

    private static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        double pix = Math.PI * x;
        return Math.sin(pix) / pix;
    }

    /** The zeroth-order modified Bessel function of the first kind, by its power series. */
    private static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double halfX = x / 2;
        for (int k = 1; k < 200 && term > 1e-17 * sum; k++) {
            term *= (halfX / k) * (halfX / k);
            sum += term;
        }
        return sum;
    }

    private void requireOpen() {
        if (flushed) {
            throw new IllegalStateException("the stream was flushed; call reset() to start a new one");
        }
    }

    private static void requireSupported(String name, int rate) {
        if (!SUPPORTED_RATES.contains(rate)) {
            throw new IllegalArgumentException(
                    name + " must be one of 8000, 16000, 22050, 24000, 44100, 48000 Hz, was " + rate);
        }
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static int roundUp(int value, int multiple) {
        return (value + multiple - 1) / multiple * multiple;
    }
}
