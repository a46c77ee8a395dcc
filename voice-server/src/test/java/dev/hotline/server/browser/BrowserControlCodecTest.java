package dev.hotline.server.browser;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BrowserControlCodecTest {

    private final BrowserControlCodec codec = new BrowserControlCodec();

    @Test
    void givenEachServerMessage_whenEncoded_thenTheExactWireTextIsProduced() {
        assertThat(codec.encode(new ServerMessage.Mark("m-12"))).isEqualTo("{\"type\":\"mark\",\"name\":\"m-12\"}");
        assertThat(codec.encode(new ServerMessage.Clear())).isEqualTo("{\"type\":\"clear\"}");
        assertThat(codec.encode(new ServerMessage.Caption("caller", "Hi there")))
                .isEqualTo("{\"type\":\"caption\",\"who\":\"caller\",\"text\":\"Hi there\"}");
        assertThat(codec.encode(new ServerMessage.Caption("persona", "Hey!")))
                .isEqualTo("{\"type\":\"caption\",\"who\":\"persona\",\"text\":\"Hey!\"}");
        assertThat(codec.encode(new ServerMessage.Turn(812))).isEqualTo("{\"type\":\"turn\",\"latencyMs\":812}");
        assertThat(codec.encode(new ServerMessage.Hangup())).isEqualTo("{\"type\":\"hangup\"}");
    }

    @Test
    void givenCaptionWithQuotesAndNewlines_whenEncoded_thenItIsEscapedAsJson() {
        assertThat(codec.encode(new ServerMessage.Caption("persona", "He said \"hi\"\n</script>")))
                .isEqualTo("{\"type\":\"caption\",\"who\":\"persona\",\"text\":\"He said \\\"hi\\\"\\n</script>\"}");
    }

    @Test
    void givenEachClientMessage_whenDecoded_thenTheMatchingRecordComesOut() {
        assertThat(codec.decode("{\"type\":\"start\",\"persona\":\"Synthetic Jason\"}"))
                .isEqualTo(new ClientMessage.Start("Synthetic Jason"));
        assertThat(codec.decode("{\"type\":\"start\"}")).isEqualTo(new ClientMessage.Start(null));
        assertThat(codec.decode("{\"type\":\"mark\",\"name\":\"m-12\"}"))
                .isEqualTo(new ClientMessage.MarkPlayed("m-12"));
        assertThat(codec.decode("{\"type\":\"stop\"}")).isEqualTo(new ClientMessage.Stop());
    }

    @Test
    void givenExtraFields_whenDecoded_thenTheyAreIgnored() {
        assertThat(codec.decode("{\"name\":\"a\",\"type\":\"mark\",\"playedAt\":123}"))
                .isEqualTo(new ClientMessage.MarkPlayed("a"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "not json", "[1,2]", "\"start\"", "{}", "{\"type\":3}", "{\"type\":\"dial\"}",
        "{\"type\":\"mark\"}", "{\"type\":\"mark\",\"name\":\"\"}", "{\"type\":\"mark\",\"name\":7}",
        "{\"type\":\"start\",\"persona\":{}}"
    })
    void givenMalformedMessage_whenDecoded_thenIllegalArgumentNamesTheProblem(String text) {
        assertThatThrownBy(() -> codec.decode(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageMatching(".*(JSON|object|type|name|persona|string).*");
    }

    @Test
    void givenUnknownType_whenDecoded_thenTheMessageSaysWhichTypesExist() {
        assertThatThrownBy(() -> codec.decode("{\"type\":\"dial\"}"))
                .hasMessage("unknown control message type 'dial' (expected start, mark or stop)");
    }

    @Test
    void givenOverlongMessage_whenDecoded_thenItIsRefusedBeforeParsing() {
        String huge = "{\"type\":\"stop\",\"pad\":\"" + "x".repeat(BrowserControlCodec.MAX_MESSAGE_CHARS) + "\"}";
        assertThatThrownBy(() -> codec.decode(huge)).hasMessageContaining("too long");
    }

    @Test
    void givenCaptionFromNobody_whenBuilt_thenIllegalArgument() {
        assertThatThrownBy(() -> new ServerMessage.Caption("narrator", "x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("who must be 'caller' or 'persona'");
    }
}
