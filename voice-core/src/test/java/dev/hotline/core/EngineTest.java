package dev.hotline.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.testing.CallHarness;
import dev.hotline.core.testing.RecordingCallTransport;
import dev.hotline.core.testing.ScriptedResponder;
import dev.hotline.core.testing.ScriptedSynthesizer;
import dev.hotline.core.testing.ScriptedTranscriber;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EngineTest {

    @Test
    void givenAMissingProvider_whenBuilding_thenAClearError() {
        assertThatThrownBy(() -> Engine.builder().responder(new ScriptedResponder())
                .synthesizer(new ScriptedSynthesizer()).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("transcriber is required");
    }

    @Test
    void givenCalls_whenTheyStartAndEnd_thenActiveCallsFollowsAndTheEngineForgetsThem() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.start(CallSettings.defaults());
            RecordingCallTransport second = new RecordingCallTransport(h.threads);
            CallHandle other = h.engine().startCall(second);
            second.connect("CA-second");
            assertThat(h.engine().activeCalls()).isEqualTo(2);

            second.callerHangsUp();

            assertThat(other.isEnded()).isTrue();
            assertThat(h.engine().activeCalls()).isEqualTo(1);
            assertThat(other.call()).get().extracting(CallInfo::callId).isEqualTo("CA-second");
        }
    }

    @Test
    void givenABusyLine_whenACallIsRefused_thenTheMessageIsSpokenAndTheCallHungUp() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.start(CallSettings.defaults());
            RecordingCallTransport refused = new RecordingCallTransport(h.threads);

            h.engine().refuseCall(refused, "All lines are busy. Please call back later.");
            refused.connect("CA-refused");
            boolean ended = refused.feedSilenceUntilEnded(Duration.ofSeconds(10));

            assertThat(ended).isTrue();
            assertThat(refused.hungUp()).isTrue();
            assertThat(refused.playedBytes()).isEqualTo(refused.sentBytes()).isPositive();
            assertThat(h.synthesizer.texts()).contains("All lines are busy.", "Please call back later.");
            assertThat(h.engine().activeCalls()).isEqualTo(1);
        }
    }

    @Test
    void givenAShutDownEngine_whenACallComes_thenRefusedWithAClearError() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.start(CallSettings.defaults());
            h.call().hangUp("test");
            h.engine().shutdown(Duration.ZERO);

            assertThatThrownBy(() -> h.engine().startCall(new RecordingCallTransport(null)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("shut down");
        }
    }

    @Test
    void givenAnActiveCall_whenShuttingDownWithoutDrain_thenTheCallSaysGoodbyeOrIsHungUp() throws Exception {
        CallHarness h = new CallHarness(new ScriptedTranscriber(), new ScriptedResponder(), new ScriptedSynthesizer());
        h.start(CallSettings.defaults());
        h.greeted();
        Thread feeder = Thread.ofVirtual().start(() -> h.transport.feedSilenceUntilEnded(Duration.ofSeconds(30)));

        h.engine().shutdown(Duration.ZERO);
        feeder.join();

        assertThat(h.call().isEnded()).isTrue();
        assertThat(h.engine().activeCalls()).isZero();
        assertThat(h.events(CallEvent.CallEnded.class)).singleElement()
                .satisfies(e -> assertThat(e.reason()).isEqualTo("shutdown"));
    }

    @Test
    void givenACallWhoseTransportWentQuiet_whenTheWallClockDeadlinePasses_thenTheSweepEndsIt() throws Exception {
        CallSettings oneMinute = CallSettings.defaults().withMaxCallLength(Duration.ofMinutes(1));
        try (CallHarness h = new CallHarness()) {
            h.start(oneMinute);
            h.greeted();
            h.engine().sweep();
            assertThat(h.call().isEnded()).isFalse();

            h.advanceNanoTime(Duration.ofMinutes(3));
            h.engine().sweep();

            assertThat(h.call().isEnded()).isTrue();
            assertThat(h.engine().activeCalls()).isZero();
            assertThat(h.transport.hungUp()).isTrue();
            assertThat(h.events(CallEvent.CallEnded.class)).singleElement()
                    .satisfies(e -> assertThat(e.reason()).isEqualTo("deadline"));
        }
    }

    @Test
    void givenACallThinkingWhenItsTransportWentQuiet_whenTheSweepEndsIt_thenNoThreadOrEntryOfItSurvives()
            throws Exception {
        CallSettings oneMinute = CallSettings.defaults().withMaxCallLength(Duration.ofMinutes(1));
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Hello");
            h.responder.hang();
            h.start(oneMinute);
            h.greeted();
            h.says(1_000, oneMinute);
            assertThat(h.call().state()).isEqualTo(CallState.THINKING);
            assertThat(h.threads.alive()).as("the reply's threads wait on the responder").isPositive();

            h.advanceNanoTime(Duration.ofMinutes(3));
            h.engine().sweep();
            h.transport.settle();

            assertThat(h.call().isEnded()).isTrue();
            assertThat(h.engine().activeCalls()).isZero();
            assertThat(h.threads.alive()).as("the responder call was cancelled and every thread exited").isZero();
        }
    }
}
