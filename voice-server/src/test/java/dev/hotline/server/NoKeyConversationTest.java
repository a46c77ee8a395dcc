package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;
import dev.hotline.core.CallEvent;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Utterance;
import dev.hotline.local.SphinxTranscriber;
import dev.hotline.testkit.TestkitAudio;
import dev.hotline.testkit.WordErrorRate;
import dev.hotline.testkit.twilio.CallReport;
import dev.hotline.testkit.twilio.CallScript;
import dev.hotline.testkit.twilio.SimulatedTwilioCaller;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The README's no-key run, end to end: the real server wired by {@link Bootstrap} from an environment with no
 * provider key (sphinx4 hears the caller, the scripted persona answers, FreeTTS speaks, Silero finds speech),
 * dialed by the simulated Twilio caller playing a real telephone recording. What the caller heard is cut at
 * its silences and the reply is transcribed back with sphinx4: the persona's words must be recognisable in
 * it, so the reply is intelligible speech and not just sound.
 */
class NoKeyConversationTest {

    /** The caller's line: no intent keyword in it, so the persona answers with a scripted line. */
    private static final String RECORDING = "confbridge-begin-glorious-b.wav";
    /** Heard audio quieter than this (16-bit RMS, about -45 dBFS) for a 20 ms frame counts as silence. */
    private static final double SILENT_RMS = 180;
    /** A quiet stretch this long separates what the caller heard into greeting and reply. */
    private static final int GAP_FRAMES = 75;
    /** Measured: 5 of the fallback reply's 7 content words (0.71) found in three runs; asserted with margin. */
    private static final double MIN_REPLY_OVERLAP = 0.5;
    private static final Set<String> STOP_WORDS = Set.of("a", "an", "the", "i", "i'm", "i'd", "i'll", "me", "my",
            "you", "your", "it", "it's", "is", "are", "was", "be", "to", "of", "and", "or", "but", "on", "in",
            "at", "for", "that", "this", "there", "so", "do", "don't", "ha", "with", "what", "about");

    @Test
    void given_no_provider_keys_when_a_caller_speaks_then_the_spoken_reply_is_recognisable_and_the_call_ends_cleanly()
            throws Exception {
        Path recording = recording();
        List<CallEvent> events = new CopyOnWriteArrayList<>();
        Bootstrap bootstrap = Bootstrap.fromEnvironment(Map.of("PORT", "0"), events::add);
        assertThat(bootstrap.banner(0)).contains("sphinx4").contains("scripted").contains("freetts")
                .contains("silero").contains("taken by the engine");
        HotlineServer server = bootstrap.server(null).start();
        CallReport report;
        try {
            CallScript script = CallScript.builder()
                    .say(TestkitAudio.readWavAsUlaw8k(recording), RECORDING)
                    .greetingTimeout(Duration.ofSeconds(15))
                    .replyTimeout(Duration.ofSeconds(20))
                    .maxCallDuration(Duration.ofSeconds(50))
                    .build();
            report = SimulatedTwilioCaller
                    .dialing(URI.create("ws://127.0.0.1:" + server.port() + "/voice-stream"))
                    .withCustomParameters(Map.of("From", "+15550001111", "To", "+15550009999"))
                    .call(script);
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (server.openStreams() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(server.openStreams()).as("per-call state removed after hang-up").isZero();
        } finally {
            server.shutdown();
        }

        assertThat(report.protocolErrors()).isEmpty();
        assertThat(report.ending()).isEqualTo("hung up");
        assertThat(report.greetingLatency()).as("the greeting was heard").isPresent();
        assertThat(report.turns()).hasSize(1);
        assertThat(report.turns().get(0).voiceToVoice()).as("a reply came").isPresent();
        assertThat(events).anySatisfy(event -> assertThat(event).isInstanceOf(CallEvent.CallEnded.class));
        CallEvent.TurnCompleted turn = events.stream()
                .filter(CallEvent.TurnCompleted.class::isInstance).map(CallEvent.TurnCompleted.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no turn completed; events: " + events));
        assertThat(script()).as("the reply is a line of the scripted persona").contains(turn.reply());

        List<byte[]> spoken = spokenStretches(report.heard());
        assertThat(spoken).as("greeting and reply, apart").hasSizeGreaterThanOrEqualTo(2);
        String greetingHeard;
        String replyHeard;
        try (SphinxTranscriber sphinx = new SphinxTranscriber()) {
            greetingHeard = transcribe(sphinx, spoken.get(0));
            replyHeard = transcribe(sphinx, spoken.get(spoken.size() - 1));
        }
        String greeting = bootstrap.config().persona().greeting();
        double greetingOverlap = overlap(greeting, greetingHeard);
        double replyOverlap = overlap(turn.reply(), replyHeard);
        System.out.printf("caller said (sphinx4): %s%n", turn.transcript());
        System.out.printf("heard: %d stretches of sound, %s ms%n", spoken.size(),
                spoken.stream().map(s -> String.valueOf(s.length / 8)).toList());
        System.out.printf("greeting: %s%n  heard as: %s%n  content words found: %.2f%n",
                greeting, greetingHeard, greetingOverlap);
        System.out.printf("reply:    %s%n  heard as: %s%n  content words found: %.2f, WER %.2f%n",
                turn.reply(), replyHeard, replyOverlap, WordErrorRate.count(turn.reply(), replyHeard).rate());

        assertThat(replyOverlap).as("share of the reply's content words recognised in what the caller heard")
                .isGreaterThanOrEqualTo(MIN_REPLY_OVERLAP);
    }

    private static Path recording() {
        String shared = System.getProperty("hotline.shared.dir");
        assumeTrue(shared != null, "hotline.shared.dir is not set; run through Maven");
        Path file = Path.of(shared, "fixtures", "speech", "phone", RECORDING);
        assumeTrue(Files.isRegularFile(file), "shared speech recording is absent at " + file);
        return file;
    }

    private static String script() throws IOException {
        try (InputStream in = SphinxTranscriber.class.getResourceAsStream("synthetic-jason.yaml")) {
            assertThat(in).as("the built-in persona script").isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The heard mu-law audio's stretches of sound, split at quiet gaps of {@link #GAP_FRAMES} frames or more. */
    private static List<byte[]> spokenStretches(byte[] ulaw) {
        short[] pcm = G711.ulawToLinear(ulaw);
        int frame = SimulatedTwilioCaller.FRAME_BYTES;
        List<byte[]> stretches = new ArrayList<>();
        int start = -1;
        int lastLoud = -1;
        for (int at = 0; at + frame <= pcm.length; at += frame) {
            if (rms(pcm, at, frame) < SILENT_RMS) {
                if (start >= 0 && at - lastLoud >= GAP_FRAMES * frame) {
                    stretches.add(Arrays.copyOfRange(ulaw, start, lastLoud));
                    start = -1;
                }
                continue;
            }
            if (start < 0) {
                start = at;
            }
            lastLoud = at + frame;
        }
        if (start >= 0) {
            stretches.add(Arrays.copyOfRange(ulaw, start, lastLoud));
        }
        return stretches;
    }

    private static double rms(short[] pcm, int from, int count) {
        double sum = 0;
        for (int i = from; i < from + count; i++) {
            sum += (double) pcm[i] * pcm[i];
        }
        return Math.sqrt(sum / count);
    }

    private static String transcribe(SphinxTranscriber sphinx, byte[] ulaw) throws IOException {
        Utterance utterance = new Utterance(AudioFormat.PCM16_8K, G711.ulawToPcm16le(ulaw));
        return sphinx.transcribe(utterance, Transcriber.Hints.NONE, new CancelSignal()).text();
    }

    /** The share of the reference's distinct content words that occur among the recognised words. */
    private static double overlap(String reference, String recognised) {
        Set<String> wanted = new LinkedHashSet<>(words(reference));
        wanted.removeAll(STOP_WORDS);
        if (wanted.isEmpty()) {
            throw new IllegalArgumentException("no content words in: " + reference);
        }
        Set<String> heard = new LinkedHashSet<>(words(recognised));
        return wanted.stream().filter(heard::contains).count() / (double) wanted.size();
    }

    private static List<String> words(String text) {
        return WordErrorRate.normalise(text);
    }
}
