package dev.hotline.bench;

import dev.hotline.twilio.MalformedMessageException;
import dev.hotline.twilio.MediaStreamCodec;
import dev.hotline.twilio.MediaStreamMessage;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The Twilio wire format's hot messages: decoding one inbound {@code media} message, the hotline's most frequent
 * piece of work (50 a second for each call: 20 ms of mu-law in base64, the fields in the order of the shared
 * capture), and encoding one outbound 100 ms chunk and its mark (10 of each a second for each speaking call).
 * Time per message, and with {@code -prof gc} the bytes allocated per message ({@code gc.alloc.rate.norm}),
 * which does not depend on the machine's speed.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MediaStreamCodecBenchmark {

    private static final String STREAM_SID = "MZ18ad3ab5a668481ce02b83e7395059f0";
    private final MediaStreamCodec codec = new MediaStreamCodec();
    private String message;
    private byte[] chunk;

    @Setup
    public void setUp() {
        byte[] mulaw = new byte[160];
        new Random(160).nextBytes(mulaw);
        message = "{\"event\":\"media\",\"sequenceNumber\":\"1234\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1233\","
                + "\"timestamp\":\"24795\",\"payload\":\"" + Base64.getEncoder().encodeToString(mulaw) + "\"},"
                + "\"streamSid\":\"MZ18ad3ab5a668481ce02b83e7395059f0\"}";
        chunk = new byte[800];
        new Random(800).nextBytes(chunk);
    }

    @Benchmark
    public MediaStreamMessage decode() throws MalformedMessageException {
        return codec.decode(message);
    }

    @Benchmark
    public String encodeMedia() {
        return codec.encodeMedia(STREAM_SID, chunk);
    }

    @Benchmark
    public String encodeMark() {
        return codec.encodeMark(STREAM_SID, "m1234");
    }
}
