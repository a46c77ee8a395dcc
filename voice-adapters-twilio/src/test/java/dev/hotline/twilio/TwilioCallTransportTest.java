package dev.hotline.twilio;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallTransport;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TwilioCallTransportTest {

    private static final String START = "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"streamSid\":\"MZ1\","
            + "\"start\":{\"accountSid\":\"AC1\",\"streamSid\":\"MZ1\",\"callSid\":\"CA1\",\"tracks\":[\"inbound\"],"
            + "\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1},"
            + "\"customParameters\":{\"From\":\"+15550001111\",\"To\":\"+15550002222\",\"CallSid\":\"CA1\"}}}";
    private static final String MEDIA = "{\"event\":\"media\",\"sequenceNumber\":\"2\",\"streamSid\":\"MZ1\","
            + "\"media\":{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"0\",\"payload\":\"//8=\"}}";
    private static final String STOP = "{\"event\":\"stop\",\"sequenceNumber\":\"9\",\"streamSid\":\"MZ1\","
            + "\"stop\":{\"accountSid\":\"AC1\",\"callSid\":\"CA1\"}}";

    private final ObjectMapper json = new ObjectMapper();
    private final RecordingSender sender = new RecordingSender();
    private final RecordingHooks hooks = new RecordingHooks();
    private final RecordingListener listener = new RecordingListener();
    private TwilioCallTransport transport;

    @AfterEach
    void tearDown() {
        if (transport != null) {
            transport.onClosed(1000, "test over");
        }
    }

    private TwilioCallTransport started(int maxQueuedMedia) {
        transport = new TwilioCallTransport(sender, new MediaStreamCodec(), maxQueuedMedia, hooks);
        transport.start(listener);
        transport.onText(START);
        return transport;
    }

    @Test
    void given_the_real_capture_when_replayed_then_start_616_frames_and_stop_in_order() throws Exception {
        transport = new TwilioCallTransport(sender, new MediaStreamCodec(), 8, hooks);
        transport.start(listener);

        for (String line : SharedFixtures.captureLines()) {
            transport.onText(line);
        }

        assertThat(listener.events.getFirst()).isEqualTo("start CA3ae75ffe1c5d8847e478556c07d07103/test_stream");
        assertThat(listener.events.stream().filter(e -> e.equals("audio 160"))).hasSize(616);
        assertThat(listener.events.getLast()).isEqualTo("stop");
        assertThat(listener.events).hasSize(618);
        assertThat(hooks.ended).containsExactly("stop received");
    }

    @Test
    void given_start_with_parameters_when_received_then_call_info_names_caller_and_callee() {
        started(8);
        CallInfo call = listener.call;
        assertThat(call.callId()).isEqualTo("CA1");
        assertThat(call.streamId()).isEqualTo("MZ1");
        assertThat(call.from()).isEqualTo("+15550001111");
        assertThat(call.to()).isEqualTo("+15550002222");
        assertThat(hooks.started).containsExactly(call);
    }

    @Test
    void given_events_before_the_engine_attaches_when_it_attaches_then_they_arrive_in_order() {
        transport = new TwilioCallTransport(sender, new MediaStreamCodec(), 8, hooks);
        transport.onText(START);
        transport.onText(MEDIA);

        transport.start(listener);

        assertThat(listener.events).containsExactly("start CA1/MZ1", "audio 2");
    }

    @Test
    void given_media_before_start_wrong_stream_binary_and_malformed_input_then_dropped_and_the_call_goes_on() {
        transport = new TwilioCallTransport(sender, new MediaStreamCodec(), 8, hooks);
        transport.start(listener);

        transport.onText(MEDIA);
        transport.onText(START);
        transport.onText(MEDIA.replace("MZ1", "MZ2"));
        transport.onBinary(160);
        transport.onText("not json");
        transport.onText("{\"event\":\"bogus\"}");
        transport.onText(START);
        transport.onText(MEDIA);
        transport.onText("{\"event\":\"dtmf\",\"sequenceNumber\":\"3\",\"streamSid\":\"MZ1\",\"dtmf\":{\"digit\":\"#\"}}");

        assertThat(listener.events).containsExactly("start CA1/MZ1", "audio 2", "dtmf #");
        assertThat(hooks.ended).isEmpty();
    }

    @Test
    void given_stop_when_more_messages_follow_then_ignored_and_stop_is_last() {
        started(8);
        transport.onText(STOP);
        transport.onText(MEDIA);
        transport.onText(STOP);
        transport.onClosed(1000, "");

        assertThat(listener.events).containsExactly("start CA1/MZ1", "stop");
        assertThat(hooks.ended).containsExactly("stop received");
    }

    @Test
    void given_a_socket_that_closes_without_stop_then_the_listener_still_gets_stop() {
        started(8);
        transport.onClosed(1006, "abnormal");
        assertThat(listener.events).containsExactly("start CA1/MZ1", "stop");
        assertThat(hooks.ended).singleElement().asString().contains("1006");
    }

    @Test
    void given_a_start_announcing_another_format_then_the_call_ends_cleanly() {
        transport = new TwilioCallTransport(sender, new MediaStreamCodec(), 8, hooks);
        transport.start(listener);
        transport.onText(START.replace("audio/x-mulaw", "audio/l16"));

        assertThat(listener.events).containsExactly("stop");
        assertThat(sender.closes).containsExactly(1003);
        assertThat(hooks.started).isEmpty();
    }

    @Test
    void given_audio_mark_and_clear_when_sent_then_one_text_frame_each_in_order() throws Exception {
        started(8);
        assertThat(transport.sendAudio(new byte[] {(byte) 0xFF, 0x00})).isTrue();
        // Each frame is taken before the clear: a clear drops what the writer has not sent yet.
        JsonNode media = json.readTree(sender.take());
        transport.sendMark("m1");
        JsonNode mark = json.readTree(sender.take());
        transport.clear();
        JsonNode clear = json.readTree(sender.take());
        assertThat(media.toString()).isEqualTo("{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"/wA=\"}}");
        assertThat(mark.toString()).isEqualTo("{\"event\":\"mark\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m1\"}}");
        assertThat(clear.toString()).isEqualTo("{\"event\":\"clear\",\"streamSid\":\"MZ1\"}");
    }

    @Test
    void given_a_mark_echo_from_twilio_then_the_listener_hears_it() {
        started(8);
        transport.onText("{\"event\":\"mark\",\"sequenceNumber\":\"4\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"m7\"}}");
        assertThat(listener.events).containsExactly("start CA1/MZ1", "mark m7");
    }

    @Test
    void given_a_stalled_socket_when_the_queue_is_full_then_send_audio_returns_false() throws Exception {
        sender.block();
        started(2);
        assertThat(transport.sendAudio(new byte[160])).isTrue();
        sender.awaitBlocked();
        assertThat(transport.sendAudio(new byte[160])).isTrue();
        assertThat(transport.sendAudio(new byte[160])).isTrue();

        assertThat(transport.sendAudio(new byte[160])).isFalse();
        assertThat(transport.queuedMedia()).isEqualTo(2);
    }

    @Test
    void given_a_socket_that_falls_far_behind_when_marks_pile_up_then_the_call_ends_cleanly() throws Exception {
        sender.block();
        started(1);
        assertThat(transport.sendAudio(new byte[160])).isTrue();
        sender.awaitBlocked();

        transport.sendMark("a");
        transport.sendMark("b");
        transport.sendMark("c");

        assertThat(hooks.awaitEnded()).isEqualTo("outbound queue overflow");
        assertThat(listener.events).endsWith("stop");
        assertThat(transport.sendAudio(new byte[160])).isFalse();
    }

    @Test
    void given_queued_audio_and_marks_when_cleared_then_the_audio_is_dropped_and_the_marks_echo() throws Exception {
        sender.block();
        started(8);
        transport.sendAudio(new byte[160]);
        sender.awaitBlocked();
        transport.sendAudio(new byte[160]);
        transport.sendMark("a");
        transport.sendAudio(new byte[160]);
        transport.sendMark("b");

        transport.clear();

        assertThat(listener.events).containsExactly("start CA1/MZ1", "mark a", "mark b");
        assertThat(transport.queuedMedia()).isZero();
        sender.unblock();
        sender.take();
        assertThat(json.readTree(sender.take()).get("event").asText()).isEqualTo("clear");
    }

    @Test
    void given_a_hang_up_then_the_platform_hangs_up_the_socket_closes_and_stop_arrives_once() {
        started(8);
        transport.hangUp();
        transport.hangUp();
        transport.onClosed(1000, "call ended");

        assertThat(hooks.hangUps).containsExactly("CA1");
        assertThat(sender.closes).containsExactly(1000);
        assertThat(listener.events).containsExactly("start CA1/MZ1", "stop");
        assertThat(transport.sendAudio(new byte[160])).isFalse();
    }

    @Test
    void given_a_write_failure_then_the_call_ends() throws Exception {
        started(8);
        sender.failWrites();
        transport.sendAudio(new byte[160]);
        assertThat(hooks.awaitEnded()).isEqualTo("write failed");
        assertThat(listener.events).endsWith("stop");
    }

    @Test
    void given_a_write_still_in_flight_when_more_is_sent_then_it_waits_and_follows_in_order() throws Exception {
        sender.block();
        started(8);
        transport.sendAudio(new byte[] {1});
        sender.awaitBlocked();
        transport.sendMark("a");
        transport.sendAudio(new byte[] {2});
        transport.sendMark("b");
        assertThat(sender.frames).as("nothing passes the write in flight").isEmpty();

        // The held write ends on this thread after sendText returned, as Jetty's callback does: the rest follow.
        sender.unblock();

        List<String> written = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            JsonNode frame = json.readTree(sender.take());
            written.add(frame.get("event").asText() + " " + (frame.has("mark")
                    ? frame.get("mark").get("name").asText() : frame.get("media").get("payload").asText()));
        }
        assertThat(written).containsExactly("media AQ==", "mark a", "media Ag==", "mark b");
        assertThat(sender.overlapping).as("frames given while a write was in flight").isEmpty();
        assertThat(transport.queuedMedia()).isZero();
    }

    @Test
    void given_a_socket_that_takes_every_frame_at_once_then_a_long_burst_is_written_without_a_thread() {
        started(4_000);
        for (int i = 0; i < 3_000; i++) {
            assertThat(transport.sendAudio(new byte[160])).isTrue();
            transport.sendMark("m" + i);
        }
        assertThat(sender.frames).hasSize(6_000);
        assertThat(transport.queuedMedia()).isZero();
    }

    @Test
    void given_a_write_that_never_finishes_when_checked_after_the_timeout_then_the_call_ends() throws Exception {
        sender.block();
        started(8);
        assertThat(transport.endIfWriteStalled(Duration.ZERO)).as("no write in flight yet").isFalse();
        transport.sendAudio(new byte[160]);
        sender.awaitBlocked();
        assertThat(transport.endIfWriteStalled(Duration.ofMinutes(1))).as("younger than the timeout").isFalse();
        Thread.sleep(5);

        assertThat(transport.endIfWriteStalled(Duration.ofMillis(1))).isTrue();

        assertThat(hooks.awaitEnded()).isEqualTo("write stalled");
        assertThat(sender.closes).containsExactly(1000);
        assertThat(listener.events).endsWith("stop");
        assertThat(hooks.ended).as("the held write's failure on close is not a second ending").hasSize(1);
        assertThat(transport.sendAudio(new byte[160])).isFalse();
    }

    private static final class RecordingListener implements CallTransport.Listener {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        CallInfo call;

        @Override
        public void onStart(CallInfo call) {
            this.call = call;
            events.add("start " + call.callId() + "/" + call.streamId());
        }

        @Override
        public void onAudio(byte[] frame) {
            events.add("audio " + frame.length);
        }

        @Override
        public void onDtmf(char digit) {
            events.add("dtmf " + digit);
        }

        @Override
        public void onMark(String name) {
            events.add("mark " + name);
        }

        @Override
        public void onStop() {
            events.add("stop");
        }
    }

    private static final class RecordingHooks implements TwilioCallTransport.Hooks {
        final List<CallInfo> started = new ArrayList<>();
        final List<String> hangUps = new ArrayList<>();
        final List<String> ended = Collections.synchronizedList(new ArrayList<>());
        final BlockingQueue<String> endedQueue = new LinkedBlockingQueue<>();

        @Override
        public void callStarted(CallInfo call) {
            started.add(call);
        }

        @Override
        public void hangUp(String callSid) {
            hangUps.add(callSid);
        }

        @Override
        public void callEnded(CallInfo call, String reason) {
            ended.add(reason);
            endedQueue.add(reason);
        }

        String awaitEnded() throws InterruptedException {
            return endedQueue.poll(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Records frames as a socket would write them; can hold a write unfinished to simulate a stalled socket
     * (the frame is written, and the transport told, on {@link #unblock}), or fail every write.
     */
    private static final class RecordingSender implements TextFrameSender {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        final List<Integer> closes = Collections.synchronizedList(new ArrayList<>());
        final List<String> overlapping = Collections.synchronizedList(new ArrayList<>());
        private final CountDownLatch blocked = new CountDownLatch(1);
        private boolean holding;
        private String heldFrame;
        private Written held;
        private volatile boolean fail;

        synchronized void block() {
            holding = true;
        }

        void unblock() {
            String frame;
            Written done;
            synchronized (this) {
                holding = false;
                frame = heldFrame;
                done = held;
                heldFrame = null;
                held = null;
            }
            if (done != null) {
                frames.add(frame);
                done.written();
            }
        }

        void awaitBlocked() throws InterruptedException {
            assertThat(blocked.await(5, TimeUnit.SECONDS)).as("a write is held at the socket").isTrue();
        }

        void failWrites() {
            fail = true;
        }

        String take() throws InterruptedException {
            String frame = frames.poll(5, TimeUnit.SECONDS);
            assertThat(frame).as("a frame was written").isNotNull();
            return frame;
        }

        @Override
        public void sendText(String frame, Written done) {
            if (fail) {
                done.failed(new IOException("broken pipe"));
                return;
            }
            synchronized (this) {
                if (held != null) {
                    overlapping.add(frame);
                }
                if (holding) {
                    heldFrame = frame;
                    held = done;
                    blocked.countDown();
                    return;
                }
            }
            frames.add(frame);
            done.written();
        }

        @Override
        public void close(int statusCode, String reason) {
            closes.add(statusCode);
            Written done;
            synchronized (this) {
                done = held;
                held = null;
            }
            if (done != null) {
                done.failed(new IOException("socket closed"));
            }
        }
    }
}
