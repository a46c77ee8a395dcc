package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.testing.CallHarness;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallFlowTest {

    private final CallSettings settings = CallSettings.defaults();

    @Test
    void givenANewCall_whenTheMediaStarts_thenThePersonaGreetsAndThenListens() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.start(settings);

            h.greeted();

            assertThat(String.join(" ", h.synthesizer.texts())).isEqualTo(h.persona.greeting());
            assertThat(h.transport.playedBytes()).isEqualTo(h.transport.sentBytes()).isPositive();
            assertThat(h.events(CallEvent.CallStarted.class)).hasSize(1);
            assertThat(h.events(CallEvent.StateChanged.class)).extracting(CallEvent.StateChanged::to)
                    .containsExactly("GREETING", "LISTENING");
        }
    }

    @Test
    void givenAGreetedCaller_whenTheyAskSomething_thenTheReplyIsSpokenAndRemembered() throws Exception {
        try (CallHarness h = new CallHarness()) {
            h.transcriber.hear("When is the next tour?");
            h.responder.reply("The tour starts ", "in May. ", "See you there!");
            h.start(settings);
            h.greeted();

            h.says(1_200, settings);
            h.silenceUntil(CallState.LISTENING, Duration.ofSeconds(20));

            assertThat(h.synthesizer.texts()).endsWith("The tour starts in May.", "See you there!");
            CallEvent.TurnCompleted turn = h.events(CallEvent.TurnCompleted.class).getFirst();
            assertThat(turn.transcript()).isEqualTo("When is the next tour?");
            assertThat(turn.reply()).isEqualTo("The tour starts in May. See you there!");
            assertThat(turn.interrupted()).isFalse();
            assertThat(turn.timings().voiceToVoice()).isGreaterThan(settings.endOfTurnSilence());
            assertThat(h.responder.requests().getFirst().messages()).extracting(ChatMessage::role)
                    .containsExactly(ChatMessage.Role.SYSTEM, ChatMessage.Role.USER);
            h.transcriber.assertExhausted();
            h.responder.assertExhausted();
        }
    }
}
