package dev.hotline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.ChatMessage;
import dev.hotline.core.Persona;
import dev.hotline.core.Responder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptedResponderTest {

    private final ScriptedResponder responder = ScriptedResponder.syntheticJason();
    private final PersonaScript script = responder.script();

    @Test
    void givenTheShippedScript_whenComparedWithTheCorePersona_thenTheSharedLinesAreIdentical() {
        Persona core = Persona.syntheticJason();
        assertThat(script.name()).isEqualTo(core.name());
        assertThat(script.greeting()).isEqualTo(core.greeting());
        assertThat(script.goodbye()).isEqualTo(core.goodbye());
        assertThat(script.idlePrompts()).isEqualTo(core.idlePrompts());
        assertThat(script.didNotCatch()).isEqualTo(core.didNotCatch());
        assertThat(script.apology()).isEqualTo(core.apology());
        assertThat(script.language()).isEqualTo(core.language());
    }

    @Test
    void givenOnlyTheSystemPrompt_whenResponding_thenTheGreetingIsStreamedWordByWord() throws Exception {
        List<String> deltas = new ArrayList<>();
        Responder.Usage usage = responder.respond(request(ChatMessage.system("be nice")), deltas::add,
                new CancelSignal());

        assertThat(String.join("", deltas)).isEqualTo(script.greeting());
        assertThat(deltas).hasSize(script.greeting().split("\\s+").length)
                .allSatisfy(d -> assertThat(d).isNotBlank());
        assertThat(usage.completionTokens()).isEqualTo(deltas.size());
        assertThat(usage.finishReason()).isEqualTo("stop");
    }

    @Test
    void givenAQuestionAboutTheTour_whenAskedThreeTimes_thenTheRepliesRotateAndThenRepeat() {
        List<ChatMessage> conversation = new ArrayList<>(List.of(ChatMessage.system("x")));
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            conversation.add(ChatMessage.user("When is the next concert in my city?"));
            String reply = responder.replyTo(conversation);
            replies.add(reply);
            conversation.add(ChatMessage.assistant(reply));
        }
        List<String> tour = intent("tour").replies();
        assertThat(replies).containsExactly(tour.get(0), tour.get(1), tour.get(2), tour.get(0));
    }

    @Test
    void givenTheSameConversation_whenAnsweredTwice_thenTheReplyIsTheSame() {
        List<ChatMessage> conversation = List.of(ChatMessage.system("x"), ChatMessage.user("tell me about the album"),
                ChatMessage.assistant("..."), ChatMessage.user("what about the songs"));
        assertThat(new ScriptedResponder(PersonaScript.syntheticJason()).replyTo(conversation))
                .isEqualTo(responder.replyTo(conversation))
                .isEqualTo(intent("album").replies().get(1));
    }

    @Test
    void givenWordsOfSeveralIntents_whenMatched_thenTheIntentWithMostKeywordsWins() {
        String reply = responder.replyTo(List.of(ChatMessage.user("Are you a real human or a robot? I love the tour")));
        assertThat(reply).isEqualTo(intent("who").replies().getFirst());
    }

    @Test
    void givenAKeywordInsideAnotherWord_whenMatched_thenItDoesNotCount() {
        assertThat(responder.replyTo(List.of(ChatMessage.user("Which showers are best?"))))
                .isEqualTo(script.fallback().getFirst());
    }

    @Test
    void givenNothingTheScriptKnows_whenAskedRepeatedly_thenFallbackLinesRotate() {
        List<ChatMessage> conversation = new ArrayList<>();
        List<String> replies = new ArrayList<>();
        for (int i = 0; i < script.fallback().size(); i++) {
            conversation.add(ChatMessage.user("What is the capital of Peru?"));
            replies.add(responder.replyTo(conversation));
        }
        assertThat(replies).containsExactlyElementsOf(script.fallback());
    }

    @Test
    void givenTheCallerSaysGoodbye_whenResponding_thenTheGoodbyeIsSaid() {
        assertThat(responder.replyTo(List.of(ChatMessage.user("OK that's all, bye!")))).isEqualTo(script.goodbye());
        assertThat(responder.replyTo(List.of(ChatMessage.user("I will see you at the show"))))
                .isEqualTo(script.goodbye());
    }

    @Test
    void givenATokenLimit_whenResponding_thenTheReplyIsCutAndReportedAsLength() throws Exception {
        List<String> deltas = new ArrayList<>();
        Responder.Usage usage = responder.respond(new Responder.Request(List.of(ChatMessage.user("hello")), 3),
                deltas::add, new CancelSignal());
        assertThat(deltas).hasSize(3);
        assertThat(usage.truncated()).isTrue();
    }

    @Test
    void givenACancelAfterTheFirstWord_whenResponding_thenNoMoreWordsArrive() {
        CancelSignal cancel = new CancelSignal();
        List<String> deltas = new ArrayList<>();
        assertThatThrownBy(() -> responder.respond(request(ChatMessage.user("tour?")), d -> {
            deltas.add(d);
            cancel.cancel("barge-in");
        }, cancel)).isInstanceOf(CancelledException.class);
        assertThat(deltas).hasSize(1);
    }

    private PersonaScript.Intent intent(String name) {
        return script.intents().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow();
    }

    private static Responder.Request request(ChatMessage... messages) {
        return new Responder.Request(List.of(messages), 0);
    }
}
