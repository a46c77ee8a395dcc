package dev.hotline.bench;

import dev.hotline.audio.G711;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * G.711 throughput in samples per second (each invocation converts {@value #SAMPLES} samples, one
 * second of 16 kHz audio; JMH's ops/s is samples/s). Target: >= 500 M samples/s on one core for each
 * of mu-law and A-law encode and decode. Inputs are random speech-like samples (Gaussian, about
 * -20 dBFS), so table accesses are spread as in real audio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class G711Benchmark {

    static final int SAMPLES = 16_000;

    private short[] linear;
    private byte[] ulaw;
    private byte[] alaw;
    private byte[] pcm16le;
    private short[] linearOut;
    private byte[] codesOut;

    @Setup
    public void setUp() {
        Random random = new Random(711);
        linear = new short[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            linear[i] = (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, random.nextGaussian() * 3300));
        }
        ulaw = G711.linearToUlaw(linear);
        alaw = G711.linearToAlaw(linear);
        pcm16le = G711.ulawToPcm16le(ulaw);
        linearOut = new short[SAMPLES];
        codesOut = new byte[SAMPLES];
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public byte[] ulawEncode() {
        G711.linearToUlaw(linear, 0, codesOut, 0, SAMPLES);
        return codesOut;
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public short[] ulawDecode() {
        G711.ulawToLinear(ulaw, 0, linearOut, 0, SAMPLES);
        return linearOut;
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public byte[] alawEncode() {
        G711.linearToAlaw(linear, 0, codesOut, 0, SAMPLES);
        return codesOut;
    }

    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public short[] alawDecode() {
        G711.alawToLinear(alaw, 0, linearOut, 0, SAMPLES);
        return linearOut;
    }

    /** The Twilio path: mu-law bytes in, little-endian PCM16 bytes out (allocates the output). */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public byte[] ulawToPcm16leBytes() {
        return G711.ulawToPcm16le(ulaw);
    }

    /** The Twilio path back: little-endian PCM16 bytes in, mu-law bytes out (allocates the output). */
    @Benchmark
    @OperationsPerInvocation(SAMPLES)
    public byte[] pcm16leBytesToUlaw() {
        return G711.pcm16leToUlaw(pcm16le);
    }
}
