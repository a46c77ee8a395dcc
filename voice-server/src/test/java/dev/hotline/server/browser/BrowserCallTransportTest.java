package dev.hotline.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallTransport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BrowserCallTransportTest {

    private final RecordingSocket socket = new RecordingSocket();
    private final RecordingListener listener = new RecordingListener();
    private final BrowserCallTransport transport = new BrowserCallTransport("browser-1", "203.0.113.7",
            Map.of("origin", "http://localhost"), socket, Thread.ofVirtual().factory());

    @Test
    void givenStartMessage_whenReceived_thenListenerGetsTheCallWithPersonaAndAddress() {
        transport.start(listener);
        transport.onText("{\"type\":\"start\",\"persona\":\"Synthetic Jason\"}");

        assertThat(listener.events).containsExactly("start");
        CallInfo call = listener.call;
        assertThat(call.callId()).isEqualTo("browser-1");
        assertThat(call.streamId()).isEqualTo("browser-1");
        assertThat(call.from()).isEqualTo("203.0.113.7");
        assertThat(call.parameters()).containsEntry("persona", "Synthetic Jason").containsEntry("origin", "http://localhost");
        assertThat(transport.audioFormat()).isEqualTo(AudioFormat.PCM16_16K);
    }

    @Test
    void givenStartedCall_whenAudioFramesArrive_thenListenerGetsThemUnchanged() {
        transport.start(listener);
        transport.onText("{\"type\":\"start\"}");
        byte[] frame = new byte[640];
        frame[0] = 1;
        frame[639] = -1;
        transport.onBinary(frame);

        assertThat(listener.events).containsExactly("start", "audio:640");
        assertThat(listener.frames.getFirst()).isEqualTo(frame);
    }

    @Test
    void givenAudioAndMarks_whenSent_thenPageGetsThemInOrderAndEchoesReachTheListener() throws Exception {
        transport.start(listener);
        transport.onText("{\"type\":\"start\"}");
        assertThat(transport.sendAudio(new byte[320])).isTrue();
        transport.sendMark("m-1");
        assertThat(transport.sendAudio(new byte[160])).isTrue();
        transport.sendMark("m-2");

        assertThat(socket.next()).isEqualTo("binary:320");
        assertThat(socket.next()).isEqualTo("{\"type\":\"mark\",\"name\":\"m-1\"}");
        assertThat(socket.next()).isEqualTo("binary:160");
        assertThat(socket.next()).isEqualTo("{\"type\":\"mark\",\"name\":\"m-2\"}");

        transport.onText("{\"type\":\"mark\",\"name\":\"m-1\"}");
        transport.onText("{\"type\":\"mark\",\"name\":\"m-2\"}");
        assertThat(listener.events).containsExactly("start", "mark:m-1", "mark:m-2");
    }

    @Test
    void givenAudioStillQueued_whenCleared_thenItIsDroppedButItsMarksStillReachThePageBeforeTheClear()
            throws Exception {
        socket.blockSends();
        transport.start(listener);
        transport.onText("{\"type\":\"start\"}");
        transport.sendAudio(new byte[320]); // taken by the writer, which is now blocked sending it
        socket.awaitBlockedSend();
        transport.sendAudio(new byte[640]);
        transport.sendMark("m-1");
        transport.sendAudio(new byte[640]);
        transport.clear();
        socket.unblockSends();

        assertThat(socket.next()).isEqualTo("binary:320");
        assertThat(socket.next()).isEqualTo("{\"type\":\"mark\",\"name\":\"m-1\"}");
        assertThat(socket.next()).isEqualTo("{\"type\":\"clear\"}");
        assertThat(socket.poll()).isNull();
    }

    @Test
    void givenQueueHoldsMaximumAudio_whenMoreIsSent_thenSendAudioReportsBackPressureAndQueuesNothing()
            throws Exception {
        socket.blockSends();
        transport.start(listener);
        byte[] oneSecond = new byte[AudioFormat.PCM16_16K.bytesForMillis(1_000)];
        assertThat(transport.sendAudio(new byte[2])).isTrue();
        socket.awaitBlockedSend();
        int accepted = 0;
        while (transport.sendAudio(oneSecond)) {
            accepted++;
        }
        assertThat(accepted).isEqualTo(BrowserCallTransport.MAX_QUEUED_AUDIO_MILLIS / 1_000);

        transport.clear();
        assertThat(transport.sendAudio(oneSecond)).as("a clear empties the queue").isTrue();
    }

    @Test
    void givenOddSizedAudio_whenSent_thenIllegalArgument() {
        transport.start(listener);
        assertThatThrownBy(() -> transport.sendAudio(new byte[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("whole PCM16 samples");
    }

    @Test
    void givenHangUp_whenCalled_thenPageGetsHangupThenANormalCloseAndSendsAreRefused() throws Exception {
        transport.start(listener);
        transport.onText("{\"type\":\"start\"}");
        transport.hangUp();
        transport.hangUp();

        assertThat(socket.next()).isEqualTo("{\"type\":\"hangup\"}");
        assertThat(socket.next()).isEqualTo("close:1000:hangup");
        assertThat(transport.sendAudio(new byte[2])).isFalse();

        transport.onClosed();
        assertThat(listener.events).containsExactly("start", "stop");
        assertThat(socket.poll()).isNull();
    }

    @Test
    void givenStopMessage_whenReceived_thenListenerStopsOnceAndSocketClosesNormally() throws Exception {
        transport.start(listener);
        transport.onText("{\"type\":\"start\"}");
        transport.onText("{\"type\":\"stop\"}");
        transport.onBinary(new byte[2]);
        // The close frame is written before the socket reports itself closed, as on a real socket.
        assertThat(socket.next()).isEqualTo("close:1000:caller hung up");
        transport.onClosed();

        assertThat(listener.events).containsExactly("start", "stop");
    }

    @Test
    void givenAudioBeforeStart_whenReceived_thenSocketClosesWithPolicyViolationAndListenerStops() throws Exception {
        transport.start(listener);
        transport.onBinary(new byte[640]);

        assertThat(listener.events).containsExactly("stop");
        assertThat(socket.next()).isEqualTo("close:1008:audio before the start message");
    }

    @Test
    void givenMalformedInput_whenReceived_thenTheCloseReasonSaysWhatWasWrong() throws Exception {
        assertProtocolError(t -> t.onText("{\"type\":\"dial\"}"),
                "close:1008:unknown control message type 'dial' (expected start, mark or stop)");
        assertProtocolError(t -> t.onBinary(new byte[3]),
                "close:1008:audio frame must hold whole PCM16 samples, got 3 bytes");
        assertProtocolError(t -> t.onBinary(new byte[32_002]),
                "close:1008:audio frame too long: 32002 bytes, limit 32000");
        assertProtocolError(t -> t.onText("{\"type\":\"mark\",\"name\":\"never-sent\"}"),
                "close:1008:echo of a mark never sent or already echoed: never-sent");
        assertProtocolError(t -> t.onText("{\"type\":\"start\"}"), "close:1008:start sent twice");
    }

    @Test
    void givenCaptionAndLatency_whenSent_thenPageGetsTheControlMessages() throws Exception {
        transport.start(listener);
        transport.sendCaption("caller", "Hello?");
        transport.sendTurnLatency(640);

        assertThat(socket.next()).isEqualTo("{\"type\":\"caption\",\"who\":\"caller\",\"text\":\"Hello?\"}");
        assertThat(socket.next()).isEqualTo("{\"type\":\"turn\",\"latencyMs\":640}");
    }

    @Test
    void givenSocketClosed_whenAnythingIsSent_thenNothingReachesTheSocket() throws Exception {
        transport.start(listener);
        transport.onClosed();
        assertThat(transport.sendAudio(new byte[2])).isFalse();
        transport.sendMark("m");
        transport.sendCaption("persona", "late");
        transport.clear();
        transport.hangUp();

        assertThat(listener.events).containsExactly("stop");
        assertThat(socket.poll()).isNull();
    }

    @Test
    void givenSendFails_whenWriting_thenTheSocketIsClosed() throws Exception {
        socket.failSends();
        transport.start(listener);
        transport.sendAudio(new byte[2]);
        assertThat(socket.next()).isEqualTo("close:1000:send failed");
    }

    private void assertProtocolError(java.util.function.Consumer<BrowserCallTransport> input, String expectedClose)
            throws Exception {
        RecordingSocket freshSocket = new RecordingSocket();
        RecordingListener freshListener = new RecordingListener();
        BrowserCallTransport fresh = new BrowserCallTransport("browser-2", "203.0.113.7", Map.of(), freshSocket,
                Thread.ofVirtual().factory());
        fresh.start(freshListener);
        fresh.onText("{\"type\":\"start\"}");
        input.accept(fresh);
        assertThat(freshSocket.next()).isEqualTo(expectedClose);
        assertThat(freshListener.events).last().isEqualTo("stop");
    }

    /** Records what the transport hands to the socket, as text, in order; can hold sends to fill the queue. */
    private static final class RecordingSocket implements BrowserSocket {
        private final BlockingQueue<String> sent = new LinkedBlockingQueue<>();
        private final CountDownLatch blocked = new CountDownLatch(1);
        private volatile CountDownLatch release = new CountDownLatch(0);
        private volatile boolean fail;

        void blockSends() {
            release = new CountDownLatch(1);
        }

        void awaitBlockedSend() throws InterruptedException {
            assertThat(blocked.await(5, TimeUnit.SECONDS)).as("the writer reached the socket").isTrue();
        }

        void unblockSends() {
            release.countDown();
        }

        void failSends() {
            fail = true;
        }

        String next() throws InterruptedException {
            String frame = sent.poll(5, TimeUnit.SECONDS);
            assertThat(frame).as("a frame reached the socket").isNotNull();
            return frame;
        }

        /** The next frame if one arrives soon, else null. */
        String poll() throws InterruptedException {
            return sent.poll(200, TimeUnit.MILLISECONDS);
        }

        @Override
        public void sendText(String text) throws IOException {
            hold();
            sent.add(text);
        }

        @Override
        public void sendBinary(ByteBuffer data) throws IOException {
            hold();
            sent.add("binary:" + data.remaining());
        }

        @Override
        public void close(int code, String reason) {
            sent.add("close:" + code + ":" + reason);
        }

        private void hold() throws IOException {
            if (fail) {
                throw new IOException("connection reset");
            }
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    private static final class RecordingListener implements CallTransport.Listener {
        final List<String> events = new ArrayList<>();
        final List<byte[]> frames = new ArrayList<>();
        CallInfo call;

        @Override
        public void onStart(CallInfo info) {
            call = info;
            events.add("start");
        }

        @Override
        public void onAudio(byte[] frame) {
            frames.add(Arrays.copyOf(frame, frame.length));
            events.add("audio:" + frame.length);
        }

        @Override
        public void onDtmf(char digit) {
            events.add("dtmf:" + digit);
        }

        @Override
        public void onMark(String name) {
            events.add("mark:" + name);
        }

        @Override
        public void onStop() {
            events.add("stop");
        }
    }
}
