package dev.hotline.openai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ServerSentEventParserTest {

    private record Event(String type, String data) {
    }

    private final List<Event> events = new ArrayList<>();
    private final ServerSentEventParser parser =
            new ServerSentEventParser((type, data) -> events.add(new Event(type, data)), 1024 * 1024);

    private static List<Event> parseWhole(byte[] body) throws IOException {
        List<Event> out = new ArrayList<>();
        new ServerSentEventParser((type, data) -> out.add(new Event(type, data)), 1024 * 1024).feed(body);
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat_stream_text_with_usage.sse", "chat_stream_2025_usage_obfuscation.sse",
            "chat_stream_tool_call_with_usage.sse"})
    void givenRecordedStream_whenSplitAtEveryByteBoundary_thenEventsAreTheSameAsWhole(String fixture)
            throws IOException {
        byte[] body = SharedFixtures.bytes("openai/" + fixture);
        List<Event> whole = parseWhole(body);
        assertThat(whole).isNotEmpty();
        assertThat(whole.getLast().data()).isEqualTo("[DONE]");
        assertThat(whole).allSatisfy(event -> assertThat(event.type()).isEqualTo("message"));

        for (int split = 1; split < body.length; split++) {
            events.clear();
            ServerSentEventParser fresh =
                    new ServerSentEventParser((type, data) -> events.add(new Event(type, data)), 1024 * 1024);
            fresh.feed(body, 0, split);
            fresh.feed(body, split, body.length - split);
            assertThat(events).as("split at byte %d", split).isEqualTo(whole);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat_stream_text_with_usage.sse", "chat_stream_2025_usage_obfuscation.sse"})
    void givenRecordedStreamWithCrLf_whenFedOneByteAtATime_thenEventsMatchTheLfVersion(String fixture)
            throws IOException {
        byte[] body = SharedFixtures.bytes("openai/" + fixture);
        List<Event> expected = parseWhole(body);
        byte[] crlf = new String(body, StandardCharsets.UTF_8).replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);

        for (byte b : crlf) {
            parser.feed(new byte[] {b});
        }

        assertThat(events).isEqualTo(expected);
        assertThat(parser.hasPartialEvent()).isFalse();
    }

    @Test
    void givenEventWithoutItsBlankLine_whenFed_thenNothingIsDispatchedYet() throws IOException {
        parser.feed(bytes("data: {\"a\":1}\n"));

        assertThat(events).isEmpty();
        assertThat(parser.hasPartialEvent()).isTrue();

        parser.feed(bytes("\n"));

        assertThat(events).containsExactly(new Event("message", "{\"a\":1}"));
        assertThat(parser.hasPartialEvent()).isFalse();
    }

    @Test
    void givenCommentsKeepAlivesAndUnknownFields_whenParsed_thenOnlyDataEventsAreDispatched() throws IOException {
        parser.feed(bytes(": OPENROUTER PROCESSING\n\n\n\nid: 7\nretry: 100\nfoo: bar\ndata: one\n\n:ping\n\ndata: two\n\n"));

        assertThat(events).containsExactly(new Event("message", "one"), new Event("message", "two"));
    }

    @Test
    void givenMultiLineData_whenParsed_thenLinesAreJoinedWithNewline() throws IOException {
        parser.feed(bytes("data: {\"a\":\ndata:  1}\ndata\n\n"));

        assertThat(events).containsExactly(new Event("message", "{\"a\":\n 1}\n"));
    }

    @Test
    void givenEventField_whenParsed_thenTypeIsReportedAndResetAfterwards() throws IOException {
        parser.feed(bytes("event: error\ndata: {\"error\":{}}\n\ndata: x\n\n"));

        assertThat(events).containsExactly(new Event("error", "{\"error\":{}}"), new Event("message", "x"));
    }

    @Test
    void givenCrOnlyLineEndings_whenParsed_thenEventsAreDispatched() throws IOException {
        parser.feed(bytes("data: a\r\rdata: b\r"));
        parser.feed(bytes("\r"));

        assertThat(events).containsExactly(new Event("message", "a"), new Event("message", "b"));
    }

    @Test
    void givenCrLfSplitBetweenFeeds_whenParsed_thenTheLfIsNotASecondLineEnd() throws IOException {
        parser.feed(bytes("data: a\r"));
        parser.feed(bytes("\ndata: b\r"));
        parser.feed(bytes("\n\r"));
        parser.feed(bytes("\n"));

        assertThat(events).containsExactly(new Event("message", "a\nb"));
    }

    @Test
    void givenMultiByteCharacterSplitAcrossFeeds_whenParsed_thenItIsDecodedWhole() throws IOException {
        byte[] body = bytes("data: caf\u00e9 \u20ac \uD83D\uDE00\n\n");
        for (byte b : body) {
            parser.feed(new byte[] {b});
        }

        assertThat(events).containsExactly(new Event("message", "caf\u00e9 \u20ac \uD83D\uDE00"));
    }

    @Test
    void givenByteOrderMark_whenParsed_thenItIsIgnored() throws IOException {
        parser.feed(bytes("\uFEFFdata: a\n\n"));

        assertThat(events).containsExactly(new Event("message", "a"));
    }

    @Test
    void givenNoSpaceAfterColon_whenParsed_thenValueIsKeptWhole() throws IOException {
        parser.feed(bytes("data:[DONE]\n\ndata:  two spaces\n\n"));

        assertThat(events).containsExactly(new Event("message", "[DONE]"), new Event("message", " two spaces"));
    }

    @Test
    void givenLineLongerThanTheLimit_whenFed_thenItFailsInsteadOfGrowing() {
        ServerSentEventParser small = new ServerSentEventParser((type, data) -> events.add(new Event(type, data)), 64);

        assertThatThrownBy(() -> small.feed(bytes("data: " + "x".repeat(100) + "\n\n")))
                .isInstanceOf(ServerSentEventParser.EventTooLargeException.class)
                .hasMessageContaining("64 bytes");
        assertThat(events).isEmpty();
    }

    @Test
    void givenManyDataLinesExceedingTheLimit_whenFed_thenItFails() {
        ServerSentEventParser small = new ServerSentEventParser((type, data) -> events.add(new Event(type, data)), 64);

        assertThatThrownBy(() -> small.feed(bytes("data: 0123456789\n".repeat(10))))
                .isInstanceOf(ServerSentEventParser.EventTooLargeException.class);
    }

    @Test
    void givenListenerThrows_whenFed_thenTheExceptionPropagates() {
        ServerSentEventParser failing = new ServerSentEventParser((type, data) -> {
            throw new IOException("stop at " + data);
        }, 1024);

        assertThatThrownBy(() -> failing.feed(bytes("data: first\n\ndata: second\n\n")))
                .isInstanceOf(IOException.class)
                .hasMessage("stop at first");
    }

    @Test
    void givenCountOfEvents_whenParsed_thenItCountsDispatchedEventsOnly() throws IOException {
        parser.feed(bytes(": c\n\ndata: a\n\n\n\ndata: b\n\ndata: c\n"));

        assertThat(parser.eventCount()).isEqualTo(2);
    }

    @Test
    void givenNonPositiveLimit_whenConstructed_thenItIsRefused() {
        assertThatThrownBy(() -> new ServerSentEventParser((type, data) -> { }, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxEventBytes");
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
