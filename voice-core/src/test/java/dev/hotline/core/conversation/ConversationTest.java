package dev.hotline.core.conversation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hotline.core.ChatMessage;
import org.junit.jupiter.api.Test;

class ConversationTest {

    @Test
    void givenAFewExchanges_whenAskedForMessages_thenSystemPromptFirstThenTurnsInOrder() {
        Conversation c = new Conversation("be brief", 10, 20);
        c.addUser("hi");
        c.addAssistant("hello");
        c.addUser("bye");

        assertThat(c.messages()).containsExactly(ChatMessage.system("be brief"), ChatMessage.user("hi"),
                ChatMessage.assistant("hello"), ChatMessage.user("bye"));
        assertThat(c.exchanges()).isEqualTo(1);
    }

    @Test
    void givenMoreMessagesThanTheHistoryLimit_whenAdded_thenTheOldestGoFirstAndTheSystemPromptStays() {
        Conversation c = new Conversation("sys", 4, 20);
        for (int i = 1; i <= 5; i++) {
            c.addUser("q" + i);
            c.addAssistant("a" + i);
        }

        assertThat(c.messages()).containsExactly(ChatMessage.system("sys"), ChatMessage.user("q4"),
                ChatMessage.assistant("a4"), ChatMessage.user("q5"), ChatMessage.assistant("a5"));
    }

    @Test
    void givenAnOddLimit_whenTrimmed_thenTheHistoryNeverStartsWithThePersona() {
        Conversation c = new Conversation("sys", 3, 20);
        c.addUser("q1");
        c.addAssistant("a1");
        c.addUser("q2");
        c.addAssistant("a2");

        assertThat(c.messages().get(1).role()).isEqualTo(ChatMessage.Role.USER);
    }

    @Test
    void givenTheExchangeLimit_whenReached_thenLimitReached() {
        Conversation c = new Conversation("sys", 10, 2);
        c.addUser("q1");
        c.addAssistant("a1");
        assertThat(c.limitReached()).isFalse();
        c.addUser("q2");
        c.addAssistant("");

        assertThat(c.limitReached()).isTrue();
        assertThat(c.messages()).hasSize(4);
    }

    @Test
    void givenAnUnansweredCallerMessage_whenRetracted_thenItIsGoneAndOnlyItCanBeRetracted() {
        Conversation c = new Conversation("sys", 10, 20);
        c.addUser("hi");
        c.addAssistant("hello");
        c.addUser("tell me");

        assertThat(c.retractLastUser("something else")).isFalse();
        assertThat(c.retractLastUser("tell me")).isTrue();
        assertThat(c.retractLastUser("hi")).as("an answered message stays").isFalse();
        assertThat(c.messages()).containsExactly(ChatMessage.system("sys"), ChatMessage.user("hi"),
                ChatMessage.assistant("hello"));
    }
}
