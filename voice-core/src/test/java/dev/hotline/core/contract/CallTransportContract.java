package dev.hotline.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.CallInfo;
import dev.hotline.core.CallTransport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/**
 * The rules every {@link CallTransport} keeps (see its Javadoc): the order of listener calls, marks echoed
 * after their audio played or was cleared, back-pressure and sends after the end.
 *
 * <p>An adapter's test extends this class and provides a {@link Remote}: the far end of the call (for
 * Twilio, a WebSocket client speaking Media Streams) that the contract drives and inspects.
 */
public abstract class CallTransportContract {

    /** How long to wait for something the remote sent to reach the listener, or the other way round. */
    protected static final Duration WAIT = Duration.ofSeconds(10);

    /** A new call: a transport and the remote end it is connected to, not yet started. */
    protected abstract Remote connect() throws Exception;

    /**
     * One test's call, seen from the far end. Each contract test calls {@link #close()} in a {@code finally}
     * block. Not an {@link AutoCloseable}: its {@code close()} may throw any exception (an implementation
     * might wait for a server to stop), which try-with-resources would warn about.
     */
    protected interface Remote {
        /** The transport under test. */
        CallTransport transport();

        /** The far end starts the media, with this call id. */
        void start(String callId) throws Exception;

        /** The far end sends one frame of caller audio in the transport's format. */
        void audio(byte[] frame) throws Exception;

        /** The far end sends a DTMF digit. */
        void dtmf(char digit) throws Exception;

        /** The far end has played everything it received so far and echoes the marks that followed it. */
        void played() throws Exception;

        /** The far end ends the call (the caller hung up). */
        void stop() throws Exception;

        /**
         * Waits until the far end received at least {@code count} outbound items and returns all received
         * so far, in order.
         */
        List<Outbound> awaitOutbound(int count, Duration timeout) throws Exception;

        /** Releases the far end (closes its client, stops its server); nothing by default. */
        default void close() throws Exception {
        }
    }

    /** What the far end received from the transport. */
    protected sealed interface Outbound {
        /** Audio to play. */
        record Audio(byte[] bytes) implements Outbound {
        }

        /** A mark after the audio before it. */
        record Mark(String name) implements Outbound {
        }

        /** A request to drop the audio not yet played. */
        record Clear() implements Outbound {
        }

        /** The transport ended the call (a WebSocket transport: it closed the connection or asked to hang up). */
        record HangUp() implements Outbound {
        }
    }

    @Test
    void givenACall_whenTheRemoteStartsSendsAndStops_thenTheListenerHearsItInOrderAndNothingAfterStop()
            throws Exception {
        Remote remote = connect();
        try {
            Recorder recorder = new Recorder();
            remote.transport().start(recorder);
            byte[] frame = frame((byte) 1);

            remote.start("CA-contract-1");
            remote.audio(frame);
            remote.dtmf('5');
            remote.audio(frame((byte) 2));
            remote.stop();

            List<String> events = recorder.await(s -> s.contains("stop"));
            assertThat(events).containsExactly("start CA-contract-1", "audio 1", "dtmf 5", "audio 2", "stop");
            assertThat(recorder.concurrentCalls.get()).as("listener called from two threads at once").isFalse();
        } finally {
            remote.close();
        }
    }

    @Test
    void givenAStartedCall_whenAudioAndAMarkAreSentAndPlayed_thenTheMarkIsEchoedAfterTheAudio() throws Exception {
        Remote remote = connect();
        try {
            Recorder recorder = new Recorder();
            CallTransport transport = remote.transport();
            transport.start(recorder);
            remote.start("CA-contract-2");
            recorder.await(s -> s.contains("start CA-contract-2"));
            byte[] audio = new byte[transport.audioFormat().bytesForMillis(40)];

            assertThat(transport.sendAudio(audio)).isTrue();
            transport.sendMark("m1");
            List<Outbound> received = remote.awaitOutbound(2, WAIT);
            remote.played();

            assertThat(received.get(0)).isInstanceOf(Outbound.Audio.class);
            assertThat(((Outbound.Audio) received.get(0)).bytes()).hasSize(audio.length);
            assertThat(received.get(1)).isEqualTo(new Outbound.Mark("m1"));
            assertThat(recorder.await(s -> s.contains("mark m1"))).contains("mark m1");
        } finally {
            remote.close();
        }
    }

    @Test
    void givenUnplayedAudioAndAMark_whenCleared_thenClearIsSentAndTheMarkIsEchoed() throws Exception {
        Remote remote = connect();
        try {
            Recorder recorder = new Recorder();
            CallTransport transport = remote.transport();
            transport.start(recorder);
            remote.start("CA-contract-3");
            recorder.await(s -> s.contains("start CA-contract-3"));

            transport.sendAudio(new byte[transport.audioFormat().bytesForMillis(100)]);
            transport.sendMark("pending");
            transport.clear();

            List<Outbound> received = remote.awaitOutbound(3, WAIT);
            assertThat(received.get(2)).isEqualTo(new Outbound.Clear());
            assertThat(recorder.await(s -> s.contains("mark pending"))).contains("mark pending");
        } finally {
            remote.close();
        }
    }

    @Test
    void givenAStartedCall_whenTheTransportHangsUp_thenTheRemoteSeesItAndTheListenerGetsStopOnce() throws Exception {
        Remote remote = connect();
        try {
            Recorder recorder = new Recorder();
            CallTransport transport = remote.transport();
            transport.start(recorder);
            remote.start("CA-contract-4");
            recorder.await(s -> s.contains("start CA-contract-4"));

            transport.hangUp();
            transport.hangUp();

            List<String> events = recorder.await(s -> s.contains("stop"));
            assertThat(events.stream().filter("stop"::equals)).hasSize(1);
            assertThat(remote.awaitOutbound(1, WAIT)).contains(new Outbound.HangUp());
        } finally {
            remote.close();
        }
    }

    @Test
    void givenAnEndedCall_whenSendingAudio_thenFalseAndNothingSent() throws Exception {
        Remote remote = connect();
        try {
            Recorder recorder = new Recorder();
            CallTransport transport = remote.transport();
            transport.start(recorder);
            remote.start("CA-contract-5");
            remote.stop();
            recorder.await(s -> s.contains("stop"));

            assertThat(transport.sendAudio(new byte[transport.audioFormat().bytesForMillis(20)])).isFalse();
        } finally {
            remote.close();
        }
    }

    @Test
    void givenATransport_whenAskedItsFormat_thenAFormatWithWholeSamples() throws Exception {
        Remote remote = connect();
        try {
            assertThat(remote.transport().audioFormat()).isNotNull();
            assertThat(remote.transport().audioFormat().bytesPerFrame()).isPositive();
        } finally {
            remote.close();
        }
    }

    private static byte[] frame(byte fill) {
        byte[] frame = new byte[160];
        java.util.Arrays.fill(frame, fill);
        return frame;
    }

    /** Records listener calls as short strings and notices calls from two threads at once. */
    private static final class Recorder implements CallTransport.Listener {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private final List<String> events = new ArrayList<>();
        private final AtomicBoolean inside = new AtomicBoolean();
        final AtomicBoolean concurrentCalls = new AtomicBoolean();

        private void add(String event) {
            if (!inside.compareAndSet(false, true)) {
                concurrentCalls.set(true);
            }
            lock.lock();
            try {
                events.add(event);
                changed.signalAll();
            } finally {
                lock.unlock();
                inside.set(false);
            }
        }

        List<String> await(java.util.function.Predicate<List<String>> done) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            lock.lock();
            try {
                while (!done.test(events)) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("listener did not see what was expected; saw " + events);
                    }
                    changed.await(left, TimeUnit.NANOSECONDS);
                }
                return List.copyOf(events);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onStart(CallInfo call) {
            add("start " + call.callId());
        }

        @Override
        public void onAudio(byte[] frame) {
            add("audio " + frame[0]);
        }

        @Override
        public void onDtmf(char digit) {
            add("dtmf " + digit);
        }

        @Override
        public void onMark(String name) {
            add("mark " + name);
        }

        @Override
        public void onStop() {
            add("stop");
        }
    }
}
