package dev.hotline.testkit.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.hotline.audio.AudioClip;
import dev.hotline.audio.AudioFormat;
import dev.hotline.audio.G711;
import dev.hotline.audio.Wav;
import dev.hotline.testkit.TestkitAudio;
import io.javalin.websocket.WsContext;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SimulatedTwilioCallerTest {

    /** 160 bytes per 20 ms: one second of 8 kHz mu-law. */
    private static final int SECOND = 8_000;

    private static byte[] tone(int millis) {
        short[] pcm = new short[millis * 8];
        for (int i = 0; i < pcm.length; i++) {
            pcm[i] = (short) (8_000 * Math.sin(2 * Math.PI * 300 * i / 8_000.0));
        }
        return G711.linearToUlaw(pcm);
    }

    /**
     * A hotline that, 100 ms (five frames) after the caller's speech stops, plays a tone of {@code replyMillis}
     * once, followed by a mark named {@code mark} unless that is null.
     */
    private static BiConsumer<JsonNode, WsContext> answeringAfterSpeech(int replyMillis, String mark) {
        AtomicBoolean answered = new AtomicBoolean();
        AtomicInteger silentAfterSpeech = new AtomicInteger(-1);
        return (message, ws) -> {
            if (!message.path("event").asText().equals("media")) {
                return;
            }
            if (ScriptedHotline.isSpeech(message)) {
                silentAfterSpeech.set(0);
            } else if (silentAfterSpeech.get() >= 0 && silentAfterSpeech.incrementAndGet() == 5
                    && answered.compareAndSet(false, true)) {
                String sid = message.path("streamSid").asText();
                ws.send(ScriptedHotline.media(sid, tone(replyMillis)));
                if (mark != null) {
                    ws.send(ScriptedHotline.mark(sid, mark));
                }
            }
        };
    }

    private static CallScript.Builder quickScript() {
        return CallScript.builder().greetingTimeout(Duration.ZERO).pauseBeforeSpeaking(Duration.ofMillis(200))
                .replyTimeout(Duration.ofSeconds(3)).maxCallDuration(Duration.ofSeconds(20));
    }

    @Test
    void givenAHotlineThatAnswersAfterSpeech_whenCalling_thenMessagesFollowTwiliosShapeAndOrder() throws Exception {
        try (ScriptedHotline hotline = new ScriptedHotline(answeringAfterSpeech(500, "reply-1"))) {
            CallReport report = SimulatedTwilioCaller.dialing(hotline.url())
                    .withCustomParameters(Map.of("FirstName", "Jane", "RemoteParty", "Bob"))
                    .call(quickScript().say(tone(300), "hello").build());

            List<JsonNode> got = hotline.receivedThroughStop();
            assertThat(got.get(0).toString()).isEqualTo("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}");
            JsonNode start = got.get(1);
            assertThat(start.path("event").asText()).isEqualTo("start");
            assertThat(start.path("sequenceNumber").isTextual()).isTrue();
            assertThat(start.path("sequenceNumber").asText()).isEqualTo("1");
            assertThat(start.path("start").path("streamSid").asText()).matches("MZ[0-9a-f]{32}")
                    .isEqualTo(start.path("streamSid").asText()).isEqualTo(report.streamSid());
            assertThat(start.path("start").path("callSid").asText()).matches("CA[0-9a-f]{32}");
            assertThat(start.path("start").path("accountSid").asText()).matches("AC[0-9a-f]{32}");
            assertThat(start.path("start").path("tracks").toString()).isEqualTo("[\"inbound\"]");
            assertThat(start.path("start").path("mediaFormat").toString())
                    .isEqualTo("{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}");
            assertThat(start.path("start").path("customParameters").path("FirstName").asText()).isEqualTo("Jane");
            List<String> keys = new ArrayList<>();
            start.fieldNames().forEachRemaining(keys::add);
            assertThat(keys).containsExactly("event", "sequenceNumber", "start", "streamSid");

            for (int i = 1; i < got.size(); i++) {
                assertThat(got.get(i).path("sequenceNumber").asText()).isEqualTo(String.valueOf(i));
            }
            List<JsonNode> media = hotline.events("media");
            assertThat(media.get(0).path("media").path("chunk").asText()).isEqualTo("1");
            assertThat(media.get(0).path("media").path("timestamp").asText()).isEqualTo("135");
            assertThat(media.get(1).path("media").path("timestamp").asText()).isEqualTo("155");
            assertThat(media.get(0).path("media").path("track").asText()).isEqualTo("inbound");
            assertThat(media).allSatisfy(m -> assertThat(
                    java.util.Base64.getDecoder().decode(m.path("media").path("payload").asText())).hasSize(160));
            JsonNode stop = got.get(got.size() - 1);
            assertThat(stop.path("event").asText()).isEqualTo("stop");
            assertThat(stop.path("stop").path("callSid").asText()).isEqualTo(report.callSid());

            assertThat(report.turns()).hasSize(1);
            TurnReport turn = report.turns().get(0);
            assertThat(turn.voiceToVoice()).isPresent();
            // The tone's last frame, counted among all media sent from the first: where the speech ended in
            // the call's audio time, the timeline the hotline counts received audio on.
            int lastLoudFrame = 0;
            for (int i = 0; i < media.size(); i++) {
                byte[] payload = java.util.Base64.getDecoder().decode(media.get(i).path("media").path("payload").asText());
                boolean silent = true;
                for (byte b : payload) {
                    silent &= b == TestkitAudio.ULAW_SILENCE;
                }
                if (!silent) {
                    lastLoudFrame = i + 1;
                }
            }
            assertThat(lastLoudFrame).as("frames sent before and with the tone").isGreaterThan(15);
            assertThat(turn.speechEndAudio()).contains(Duration.ofMillis(20L * lastLoudFrame));
            assertThat(turn.replyHeard()).isEqualTo(Duration.ofMillis(500));
            assertThat(turn.underruns()).isZero();
            assertThat(turn.firstUnderrun()).isEmpty();
            assertThat(report.marksEchoed()).isEqualTo(1);
            assertThat(report.protocolErrors()).isEmpty();
            assertThat(report.ending()).isEqualTo("hung up");
            assertThat(report.greetingLatency()).isEmpty();
        }
    }

    @Test
    void givenAMarkAfterAudio_whenPlaybackReachesIt_thenTheEchoComesAfterTheAudioHasPlayed() throws Exception {
        AtomicBoolean sent = new AtomicBoolean();
        try (ScriptedHotline hotline = new ScriptedHotline((message, ws) -> {
            if (message.path("event").asText().equals("start") && sent.compareAndSet(false, true)) {
                String sid = message.path("streamSid").asText();
                ws.send(ScriptedHotline.mark(sid, "nothing-buffered"));
                ws.send(ScriptedHotline.media(sid, tone(400)));
                ws.send(ScriptedHotline.mark(sid, "after-400ms"));
            }
        })) {
            long before = System.nanoTime();
            SimulatedTwilioCaller.dialing(hotline.url())
                    .call(quickScript().greetingTimeout(Duration.ofSeconds(3)).build());

            List<JsonNode> got = hotline.receivedThroughStop();
            List<String> echoes = hotline.events("mark").stream().map(m -> m.path("mark").path("name").asText()).toList();
            assertThat(echoes).containsExactly("nothing-buffered", "after-400ms");
            int second = got.indexOf(hotline.events("mark").get(1));
            long echoedAfter = hotline.receivedAt.get(second) - before;
            assertThat(Duration.ofNanos(echoedAfter)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            long mediaBeforeEcho = got.subList(0, second).stream()
                    .filter(m -> m.path("event").asText().equals("media")).count();
            assertThat(mediaBeforeEcho).as("20 ms frames sent while 400 ms played").isGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void givenPendingMarks_whenClearArrives_thenEveryPendingMarkIsEchoedInOrderAndTheRestIsNotHeard() throws Exception {
        AtomicBoolean sent = new AtomicBoolean();
        AtomicInteger frames = new AtomicInteger();
        try (ScriptedHotline hotline = new ScriptedHotline((message, ws) -> {
            String sid = message.path("streamSid").asText();
            if (message.path("event").asText().equals("start") && sent.compareAndSet(false, true)) {
                ws.send(ScriptedHotline.media(sid, tone(2_000)));
                ws.send(ScriptedHotline.mark(sid, "A"));
                ws.send(ScriptedHotline.media(sid, tone(1_000)));
                ws.send(ScriptedHotline.mark(sid, "B"));
            } else if (message.path("event").asText().equals("media") && frames.incrementAndGet() == 15) {
                ws.send(ScriptedHotline.clear(sid));
            }
        })) {
            CallReport report = SimulatedTwilioCaller.dialing(hotline.url())
                    .call(quickScript().greetingTimeout(Duration.ofSeconds(1)).build());

            List<JsonNode> got = hotline.receivedThroughStop();
            List<String> echoes = hotline.events("mark").stream().map(m -> m.path("mark").path("name").asText()).toList();
            assertThat(echoes).containsExactly("A", "B");
            int firstEcho = got.indexOf(hotline.events("mark").get(0));
            long framesBeforeEcho = got.subList(0, firstEcho).stream()
                    .filter(m -> m.path("event").asText().equals("media")).count();
            assertThat(framesBeforeEcho).as("echoed on clear, long before 2 s had played").isLessThan(40);
            assertThat(report.clearsReceived()).isEqualTo(1);
            assertThat(heardMillis(report.heard())).isLessThan(1_000);
        }
    }

    @Test
    void givenACallerWhoInterrupts_whenTheHotlineClears_thenTheTurnReportsTheBargeInAndClearTime() throws Exception {
        AtomicInteger phase = new AtomicInteger();
        AtomicInteger silent = new AtomicInteger(-1);
        try (ScriptedHotline hotline = new ScriptedHotline((message, ws) -> {
            if (!message.path("event").asText().equals("media")) {
                return;
            }
            String sid = message.path("streamSid").asText();
            boolean speech = ScriptedHotline.isSpeech(message);
            if (phase.get() == 0 && speech) {
                silent.set(0);
            } else if (phase.get() == 0 && silent.get() >= 0 && silent.incrementAndGet() == 5) {
                phase.set(1);
                ws.send(ScriptedHotline.media(sid, tone(3_000)));
                ws.send(ScriptedHotline.mark(sid, "long-reply"));
            } else if (phase.get() == 1 && speech) {
                phase.set(2);
                ws.send(ScriptedHotline.clear(sid));
            }
        })) {
            CallReport report = SimulatedTwilioCaller.dialing(hotline.url()).call(quickScript()
                    .replyTimeout(Duration.ofSeconds(1)).say(tone(200), "question")
                    .interrupt(tone(300), Duration.ofMillis(300), "interruption").build());

            assertThat(report.turns()).hasSize(2);
            TurnReport first = report.turns().get(0);
            TurnReport second = report.turns().get(1);
            assertThat(first.bargedIn()).isFalse();
            assertThat(second.bargedIn()).isTrue();
            assertThat(second.clearAfter()).isPresent();
            assertThat(second.clearedAudio()).isGreaterThan(Duration.ofMillis(1_500));
            assertThat(second.voiceToVoice()).as("no new reply after the interruption").isEmpty();
            assertThat(hotline.events("mark")).hasSize(1);
        }
    }

    @Test
    void givenAReplyWithAHole_whenItPlays_thenTheUnderrunIsCounted() throws Exception {
        AtomicInteger silent = new AtomicInteger(-1);
        try (ScriptedHotline hotline = new ScriptedHotline((message, ws) -> {
            if (!message.path("event").asText().equals("media")) {
                return;
            }
            String sid = message.path("streamSid").asText();
            if (ScriptedHotline.isSpeech(message)) {
                silent.set(0);
            } else if (silent.get() >= 0) {
                int n = silent.incrementAndGet();
                if (n == 3) {
                    ws.send(ScriptedHotline.media(sid, tone(200)));
                } else if (n == 3 + 20) {
                    ws.send(ScriptedHotline.media(sid, tone(200)));
                }
            }
        })) {
            CallReport report = SimulatedTwilioCaller.dialing(hotline.url())
                    .call(quickScript().pauseBeforeSpeaking(Duration.ofMillis(600)).say(tone(200), "q").build());

            TurnReport turn = report.turns().get(0);
            assertThat(turn.underruns()).isEqualTo(1);
            assertThat(turn.underrunTime()).as("about 200 ms, plus the hotline's reaction time")
                    .isBetween(Duration.ofMillis(100), Duration.ofMillis(600));
            assertThat(turn.firstUnderrun()).as("the first 200 ms of reply played, then the hole")
                    .hasValueSatisfying(at -> assertThat(at).isBetween(Duration.ofMillis(200), Duration.ofMillis(700)));
            assertThat(turn.replyHeard()).isEqualTo(Duration.ofMillis(400));
        }
    }

    @Test
    void givenProtocolBreakingMessages_whenReceived_thenTheyAreReportedLikeTwilioWould() throws Exception {
        AtomicBoolean sent = new AtomicBoolean();
        try (ScriptedHotline hotline = new ScriptedHotline((message, ws) -> {
            if (message.path("event").asText().equals("start") && sent.compareAndSet(false, true)) {
                ws.send(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}));
                ws.send(ScriptedHotline.media("MZwrong", tone(20)));
                ws.send("{\"event\":\"dtmf\",\"streamSid\":\"" + message.path("streamSid").asText() + "\"}");
                ws.send("not json");
            }
        })) {
            CallReport report = SimulatedTwilioCaller.dialing(hotline.url())
                    .call(quickScript().greetingTimeout(Duration.ofMillis(500)).build());

            assertThat(report.protocolErrors()).hasSize(4);
            assertThat(report.protocolErrors()).anySatisfy(e -> assertThat(e).startsWith("31950"));
            assertThat(report.protocolErrors()).anySatisfy(e -> assertThat(e).contains("wrong or missing streamSid"));
            assertThat(report.protocolErrors()).anySatisfy(e -> assertThat(e).contains("unknown event 'dtmf'"));
            assertThat(report.protocolErrors()).anySatisfy(e -> assertThat(e).contains("not JSON"));
        }
    }

    @Test
    void givenAnAuthToken_whenDialing_thenTheHandshakeCarriesTheTwilioSignatureOfTheSignedUrl() throws Exception {
        try (ScriptedHotline hotline = new ScriptedHotline((message, ws) -> { })) {
            SimulatedTwilioCaller caller = SimulatedTwilioCaller.dialing(hotline.url())
                    .signedWith("12345", "wss://example.com/twilio-media");

            caller.call(quickScript().greetingTimeout(Duration.ofMillis(100)).build());

            assertThat(hotline.handshakeHeaders.get(0)).containsEntry("x-twilio-signature", "dpXELejRhyIwgLLIv9tS/AoWAY8=");
        }
    }

    @Test
    void givenAHotlineThatHangsUp_whenCalling_thenTheCallEndsWithTheServersCloseReason() throws Exception {
        try (ScriptedHotline hotline = new ScriptedHotline((message, ws) -> {
            if (message.path("event").asText().equals("start")) {
                ws.closeSession(1000, "goodbye");
            }
        })) {
            CallReport report = SimulatedTwilioCaller.dialing(hotline.url())
                    .call(quickScript().say(tone(5_000), "long").build());

            assertThat(report.ending()).isEqualTo("server closed: 1000 goodbye");
            assertThat(hotline.events("media").size()).isLessThan(100);
        }
    }

    @Test
    void givenNoServer_whenDialing_thenTheFailureIsAnIOException() {
        assertThatThrownBy(() -> SimulatedTwilioCaller.dialing(URI.create("ws://127.0.0.1:1/voice-stream"))
                .call(quickScript().build())).isInstanceOf(IOException.class);
    }

    @Test
    void givenAHeardRecording_whenWritten_thenItIsAReadableWavOfTheCallsLength(@TempDir Path dir) throws Exception {
        try (ScriptedHotline hotline = new ScriptedHotline((message, ws) -> { })) {
            CallReport report = SimulatedTwilioCaller.dialing(hotline.url())
                    .call(quickScript().greetingTimeout(Duration.ofMillis(400)).build());
            Path wav = dir.resolve("heard.wav");

            report.writeHeardWav(wav);

            AudioClip clip = Wav.read(wav);
            assertThat(clip.format()).isEqualTo(AudioFormat.PCM16_8K);
            // How much was heard depends on the real-time player's ticks, which a loaded machine delays; what
            // matters here is that the file holds exactly what was heard.
            assertThat(clip.frameCount()).isEqualTo(report.heard().length).isPositive();
        }
    }

    @Test
    void givenACallerWithoutRecording_whenItHearsAReply_thenItStillMeasuresTheTurnButKeepsNoAudio() throws Exception {
        try (ScriptedHotline hotline = new ScriptedHotline(answeringAfterSpeech(400, null))) {
            CallReport report = SimulatedTwilioCaller.dialing(hotline.url()).withoutRecording()
                    .call(quickScript().say(tone(300), "hello").build());

            assertThat(report.heard()).isEmpty();
            assertThat(report.turns()).hasSize(1);
            assertThat(report.turns().get(0).voiceToVoice()).isPresent();
            assertThat(report.turns().get(0).replyHeard()).isEqualTo(Duration.ofMillis(400));
        }
    }

    @Test
    void givenBadSettings_whenBuilding_thenTheErrorNamesTheProblem() {
        assertThatThrownBy(() -> SimulatedTwilioCaller.dialing(URI.create("http://x/voice")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ws://");
        assertThatThrownBy(() -> quickScript().maxCallDuration(Duration.ofHours(2)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxCallDuration");
        assertThatThrownBy(() -> CallScript.builder().say(new byte[0], "empty"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    }

    private static long heardMillis(byte[] heard) {
        long nonSilent = 0;
        for (int i = 0; i + 160 <= heard.length; i += 160) {
            byte[] frame = Arrays.copyOfRange(heard, i, i + 160);
            for (byte b : frame) {
                if (b != (byte) 0xFF) {
                    nonSilent++;
                    break;
                }
            }
        }
        return nonSilent * 20;
    }
}
