package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.testing.CallHarness;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdleAndLimitsTest {

    private final CallSettings settings = CallSettings.defaults();

    @Test
    void givenASilentCaller_when15SecondsPass_thenAreYouStillThereAndAfterTheLastPromptGoodbyeAndHangUp()
            throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.start(settings);
            h.greeted();
            Duration greeted = h.transport.audioTime();

            h.transport.feedSilence(Duration.ofMillis(14_900));
            int before = h.synthesizer.texts().size();
            h.transport.feedSilence(Duration.ofMillis(200));
            List<String> afterFirst = h.synthesizer.texts();
            boolean ended = h.transport.feedSilenceUntilEnded(Duration.ofSeconds(60));

            assertThat(afterFirst.subList(before, afterFirst.size())).containsExactly(h.persona.idlePrompts().get(0));
            assertThat(ended).isTrue();
            String afterGreeting = String.join(" ", h.synthesizer.texts().subList(before, h.synthesizer.texts().size()));
            assertThat(afterGreeting).isEqualTo(String.join(" ", h.persona.idlePrompts().get(0),
                    h.persona.idlePrompts().get(1), h.persona.goodbye()));
            assertThat(h.transport.hungUp()).isTrue();
            assertThat(h.events(CallEvent.CallEnded.class)).singleElement()
                    .satisfies(e -> assertThat(e.reason()).isEqualTo("idle caller"));
            assertThat(greeted).isPositive();
        }
    }

    @Test
    void givenTheCallerAnswersAnIdlePrompt_whenTheyTalk_thenTheIdleCountStartsAgain() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Yes, I'm here");
            h.responder.reply("Great!");
            h.start(settings);
            h.greeted();
            h.transport.feedSilence(Duration.ofMillis(15_100));
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(5));

            h.says(1_000, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));
            h.transport.feedSilence(Duration.ofMillis(15_100));
            h.transport.feedSilence(Duration.ofSeconds(5));

            assertThat(h.call().isEnded()).isFalse();
            assertThat(h.synthesizer.texts()).filteredOn(h.persona.idlePrompts().get(0)::equals).hasSize(2);
        }
    }

    @Test
    void givenAMaximumCallLength_whenReachedMidReply_thenTheReplyIsCutAndGoodbyeIsSpokenBeforeHangingUp()
            throws Exception {
        CallSettings short10 = settings.withMaxCallLength(Duration.ofSeconds(10));
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Tell me everything");
            h.responder.reply("Well, this is a very long answer that keeps going and going for a long time. "
                    + "And it goes on even more.");
            h.start(short10);
            h.greeted();
            h.says(1_000, short10);

            boolean ended = h.transport.feedSilenceUntilEnded(Duration.ofSeconds(40));

            assertThat(ended).isTrue();
            assertThat(h.events(CallEvent.CallEnded.class)).singleElement()
                    .satisfies(e -> assertThat(e.reason()).isEqualTo("max duration"));
            assertThat(h.synthesizer.texts()).endsWith("It was great talking with you.", "Take care, bye!");
            assertThat(h.events(CallEvent.TurnCompleted.class)).singleElement()
                    .satisfies(t -> assertThat(t.interrupted()).isTrue());
            assertThat(h.transport.clears()).isEqualTo(1);
        }
    }

    @Test
    void givenTheExchangeLimit_whenTheLastReplyPlayed_thenGoodbyeAndHangUp() throws Exception {
        CallSettings two = settings.toBuilder().maxExchanges(2).build();
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("one").hear("two");
            h.responder.reply("First.").reply("Second.");
            h.start(two);
            h.greeted();
            h.says(800, two);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));
            h.says(800, two);

            assertThat(h.transport.feedSilenceUntilEnded(Duration.ofSeconds(20))).isTrue();

            assertThat(h.synthesizer.texts()).endsWith("Second.", "It was great talking with you.", "Take care, bye!");
            assertThat(h.events(CallEvent.CallEnded.class).getFirst().reason()).isEqualTo("exchange limit");
        }
    }

    @Test
    void givenTheExchangeLimit_whenTheLastReplyIsAllSent_thenTheGoodbyeIsQueuedBehindItBeforeItIsHeard()
            throws Exception {
        CallSettings one = settings.toBuilder().maxExchanges(1).build();
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("one");
            // 300 ms of audio (50 ms a character): all of it fits at the transport (maxQueuedMs 800).
            h.responder.reply("First.");
            h.start(one);
            h.greeted();
            // From here no mark comes back, so the reply is never reported heard.
            h.transport.pausePlayback();
            h.says(800, one);

            assertThat(h.transport.feedSilenceUntil(() -> h.synthesizer.texts().contains("Take care, bye!"),
                    Duration.ofSeconds(10))).as("the goodbye synthesized while the reply is still queued").isTrue();
            CallEvent.TurnCompleted turn = h.events(CallEvent.TurnCompleted.class).getLast();
            assertThat(turn.reply()).isEqualTo("First.");
            assertThat(turn.interrupted()).isFalse();

            h.transport.resumePlayback();
            assertThat(h.transport.feedSilenceUntilEnded(Duration.ofSeconds(20))).isTrue();
            assertThat(h.synthesizer.texts()).endsWith("First.", "It was great talking with you.", "Take care, bye!");
            assertThat(h.events(CallEvent.CallEnded.class).getFirst().reason()).isEqualTo("exchange limit");
        }
    }

    @Test
    void givenAHistoryLimit_whenManyExchanges_thenTheRequestKeepsTheSystemPromptAndTheLatestMessages()
            throws Exception {
        CallSettings small = settings.toBuilder().historyMessages(4).build();
        try (CallHarness h = new CallHarness()) {
            for (int i = 1; i <= 4; i++) {
                h.transcriber.hear("question " + i);
                h.responder.reply("Answer " + i + ".");
            }
            h.start(small);
            h.greeted();
            for (int i = 1; i <= 4; i++) {
                h.says(800, small);
                h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(10));
            }

            List<ChatMessage> last = h.responder.requests().getLast().messages();
            assertThat(last).hasSize(4);
            assertThat(last.getFirst().role()).isEqualTo(ChatMessage.Role.SYSTEM);
            assertThat(last.subList(1, 4)).containsExactly(ChatMessage.user("question 3"),
                    ChatMessage.assistant("Answer 3."), ChatMessage.user("question 4"));
            assertThat(h.responder.requests().getFirst().maxTokens()).isEqualTo(small.maxReplyTokens());
        }
    }

    @Test
    void givenAReplyLongerThanTheCap_whenStreamed_thenItIsCutAndTheResponderCancelled() throws Exception {
        CallSettings capped = settings.toBuilder().maxReplyChars(40).build();
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("Talk");
            h.responder.reply("One short sentence. ", "Two short sentences now. ", "Three is too many. ",
                    "Four!");
            h.start(capped);
            h.greeted();

            h.says(800, capped);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            String reply = h.events(CallEvent.TurnCompleted.class).getFirst().reply();
            assertThat(reply).hasSizeLessThanOrEqualTo(41).startsWith("One short sentence.");
            assertThat(h.synthesizer.texts()).as("nothing past the cap is synthesized")
                    .doesNotContain("Three is too many.", "Four!");
            assertThat(h.events(CallEvent.Error.class)).isEmpty();
        }
    }

    @Test
    void givenKeysPressed_whenInConversation_thenEachDigitIsAnEvent() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.start(settings);
            h.greeted();

            h.transport.dtmf('1');
            h.transport.dtmf('#');

            assertThat(h.events(CallEvent.DtmfReceived.class)).extracting(CallEvent.DtmfReceived::digit)
                    .containsExactly('1', '#');
        }
    }

    @Test
    void givenAnAccessPin_whenTheRightPinIsEntered_thenTheGreetingFollows() throws Exception {
        CallSettings pin = settings.withAccessPin("4321");
        try (CallHarness h = new CallHarness()) {
            h.start(pin);
            h.silenceUntil(CallState.PIN, Duration.ofSeconds(1));
            h.transport.feedSilence(Duration.ofSeconds(3));

            for (char d : "4321#".toCharArray()) {
                h.transport.dtmf(d);
            }
            h.greeted();

            assertThat(h.synthesizer.texts().getFirst()).isEqualTo(pin.pinPrompt());
            assertThat(String.join(" ", h.synthesizer.texts())).endsWith(h.persona.greeting());
        }
    }

    @Test
    void givenAnAccessPin_whenThreeWrongPinsAreEntered_thenRejectedAndHungUp() throws Exception {
        CallSettings pin = settings.withAccessPin("4321");
        try (CallHarness h = new CallHarness()) {
            h.start(pin);
            h.transport.feedSilence(Duration.ofSeconds(4));

            for (int attempt = 0; attempt < 3; attempt++) {
                for (char d : "1111#".toCharArray()) {
                    h.transport.dtmf(d);
                }
                h.transport.feedSilence(Duration.ofSeconds(5));
            }

            assertThat(h.transport.feedSilenceUntilEnded(Duration.ofSeconds(20))).isTrue();
            assertThat(String.join(" ", h.synthesizer.texts())).doesNotContain(h.persona.greeting())
                    .endsWith(pin.pinRejected());
            assertThat(h.events(CallEvent.CallEnded.class).getFirst().reason()).isEqualTo("wrong PIN");
            assertThat(h.events(CallEvent.Error.class)).hasSize(3)
                    .allSatisfy(e -> assertThat(e.cause().getMessage()).doesNotContain("1111", "4321"));
        }
    }

    @Test
    void givenAnAccessPin_whenTheCallerSpeaksInstead_thenNoTurnStarts() throws Exception {
        CallSettings pin = settings.withAccessPin("4321");
        try (CallHarness h = new CallHarness()) {
            h.start(pin);
            h.transport.feedSilence(Duration.ofSeconds(4));

            h.says(1_000, pin);

            assertThat(h.events(CallEvent.TurnStarted.class)).isEmpty();
            assertThat(h.call().state()).isEqualTo(CallState.PIN);
        }
    }
}
