package dev.hotline.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.CallInfo;
import dev.hotline.core.CallTransport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link CallHandler} the test drives by hand: it attaches to every call, records what the caller sends, and
 * lets the test send audio, marks and clears and hang up, as the engine would.
 */
final class TestCalls implements CallHandler {

    final BlockingQueue<Call> started = new LinkedBlockingQueue<>();
    final List<String> refusals = new CopyOnWriteArrayList<>();
    volatile boolean ready = true;
    volatile Duration drainedWith;

    @Override
    public boolean ready() {
        return ready;
    }

    @Override
    public void startCall(CallTransport transport) {
        Call call = new Call(transport);
        transport.start(call);
        started.add(call);
    }

    @Override
    public void refuseCall(CallTransport transport, String message) {
        refusals.add(message);
        transport.hangUp();
    }

    @Override
    public int activeCalls() {
        return (int) started.stream().filter(call -> !call.stopped()).count();
    }

    @Override
    public void shutdown(Duration drain) {
        drainedWith = drain;
    }

    Call nextCall() throws InterruptedException {
        Call call = started.poll(10, TimeUnit.SECONDS);
        assertThat(call).as("a call reached the handler").isNotNull();
        return call;
    }

    /** One call as the engine sees it. */
    static final class Call implements CallTransport.Listener {
        final CallTransport transport;
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        final AtomicInteger frames = new AtomicInteger();
        final AtomicInteger audioBytes = new AtomicInteger();
        volatile CallInfo info;
        private volatile boolean stopped;

        Call(CallTransport transport) {
            this.transport = transport;
        }

        boolean stopped() {
            return stopped;
        }

        @Override
        public void onStart(CallInfo call) {
            info = call;
            events.add("start");
        }

        @Override
        public void onAudio(byte[] frame) {
            frames.incrementAndGet();
            audioBytes.addAndGet(frame.length);
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
            stopped = true;
            events.add("stop");
        }

        String nextEvent() throws InterruptedException {
            String event = events.poll(10, TimeUnit.SECONDS);
            assertThat(event).as("an event reached the call").isNotNull();
            return event;
        }
    }
}
