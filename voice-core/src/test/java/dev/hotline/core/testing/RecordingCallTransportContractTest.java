package dev.hotline.core.testing;

import dev.hotline.core.contract.CallTransportContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The scripted fake keeps its port's contract, so engine tests built on it test against the real rules. */
class RecordingCallTransportContractTest extends CallTransportContract {
    @Override
    protected Remote connect() {
        RecordingCallTransport transport = new RecordingCallTransport(null);
        return new Remote() {
            @Override
            public RecordingCallTransport transport() {
                return transport;
            }

            @Override
            public void start(String callId) {
                transport.connect(callId);
            }

            @Override
            public void audio(byte[] frame) {
                transport.feed(frame);
            }

            @Override
            public void dtmf(char digit) {
                transport.dtmf(digit);
            }

            @Override
            public void played() {
                transport.playAll();
            }

            @Override
            public void stop() {
                transport.callerHangsUp();
            }

            @Override
            public List<Outbound> awaitOutbound(int count, Duration timeout) {
                List<Outbound> out = new ArrayList<>();
                for (RecordingCallTransport.Sent sent : transport.log()) {
                    out.add(switch (sent) {
                        case RecordingCallTransport.Sent.Audio a -> new Outbound.Audio(a.bytes());
                        case RecordingCallTransport.Sent.Mark m -> new Outbound.Mark(m.name());
                        case RecordingCallTransport.Sent.Clear c -> new Outbound.Clear();
                        case RecordingCallTransport.Sent.HangUp h -> new Outbound.HangUp();
                    });
                }
                if (out.size() < count) {
                    throw new AssertionError("expected " + count + " outbound items, had " + out);
                }
                return out;
            }
        };
    }
}
