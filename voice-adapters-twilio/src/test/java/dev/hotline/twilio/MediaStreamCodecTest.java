package dev.hotline.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hotline.twilio.MalformedMessageException.Problem;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MediaStreamCodecTest {

    private static final String SID = "MZXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX";
    private final MediaStreamCodec codec = new MediaStreamCodec();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void given_docs_connected_when_decoded_then_protocol_and_version() throws Exception {
        var message = codec.decode(SharedFixtures.read("docs-examples/from_twilio_connected.json"));
        assertThat(message).isEqualTo(new MediaStreamMessage.Connected("Call", "1.0.0"));
    }

    @Test
    void given_docs_start_when_decoded_then_every_field_and_custom_parameters() throws Exception {
        var start = (MediaStreamMessage.Start) codec.decode(SharedFixtures.read("docs-examples/from_twilio_start.json"));
        assertThat(start.sequenceNumber()).isEqualTo(1);
        assertThat(start.streamSid()).isEqualTo(SID);
        assertThat(start.accountSid()).isEqualTo("ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");
        assertThat(start.callSid()).isEqualTo("CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX");
        assertThat(start.tracks()).containsExactly("inbound");
        assertThat(start.encoding()).isEqualTo("audio/x-mulaw");
        assertThat(start.sampleRate()).isEqualTo(8000);
        assertThat(start.channels()).isEqualTo(1);
        assertThat(start.customParameters())
                .containsExactlyInAnyOrderEntriesOf(java.util.Map.of("FirstName", "Jane", "LastName", "Doe",
                        "RemoteParty", "Bob"));
    }

    @Test
    void given_docs_dtmf_mark_and_stop_when_decoded_then_fields_match() throws Exception {
        assertThat(codec.decode(SharedFixtures.read("docs-examples/from_twilio_dtmf.json")))
                .isEqualTo(new MediaStreamMessage.Dtmf(5, SID, "inbound_track", '1'));
        assertThat(codec.decode(SharedFixtures.read("docs-examples/from_twilio_mark.json")))
                .isEqualTo(new MediaStreamMessage.Mark(4, SID, "my label"));
        assertThat(codec.decode(SharedFixtures.read("docs-examples/from_twilio_stop.json")))
                .isEqualTo(new MediaStreamMessage.Stop(5, SID, "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
                        "CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"));
    }

    @Test
    void given_docs_media_with_its_abbreviated_payload_when_decoded_then_bad_base64() throws Exception {
        String docs = SharedFixtures.read("docs-examples/from_twilio_media_inbound_track.json");
        assertThatThrownBy(() -> codec.decode(docs))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.BAD_BASE64));
    }

    @Test
    void given_docs_media_with_a_valid_payload_when_decoded_then_numbers_from_strings_and_bytes() throws Exception {
        ObjectNode docs = (ObjectNode) json.readTree(SharedFixtures.read("docs-examples/from_twilio_media_inbound_track.json"));
        byte[] audio = {(byte) 0xFF, 0x7F, 0x00, 0x12};
        ((ObjectNode) docs.get("media")).put("payload", Base64.getEncoder().encodeToString(audio));

        var media = (MediaStreamMessage.Media) codec.decode(docs.toString());

        assertThat(media.sequenceNumber()).isEqualTo(4);
        assertThat(media.streamSid()).isEqualTo(SID);
        assertThat(media.track()).isEqualTo("inbound");
        assertThat(media.chunk()).isEqualTo(2);
        assertThat(media.timestamp()).isEqualTo(5);
        assertThat(media.payload()).containsExactly(audio);
    }

    @Test
    void given_the_real_capture_when_fed_one_message_at_a_time_then_616_frames_of_20_ms() throws Exception {
        List<String> lines = SharedFixtures.captureLines();
        List<MediaStreamMessage> messages = new ArrayList<>();
        for (String line : lines) {
            messages.add(codec.decode(line));
        }

        assertThat(messages).hasSize(619);
        assertThat(messages.getFirst()).isInstanceOf(MediaStreamMessage.Connected.class);
        var start = (MediaStreamMessage.Start) messages.get(1);
        assertThat(start.customParameters()).isEmpty();
        assertThat(start.callSid()).isEqualTo("CA3ae75ffe1c5d8847e478556c07d07103");
        List<MediaStreamMessage.Media> media = messages.stream()
                .filter(MediaStreamMessage.Media.class::isInstance).map(MediaStreamMessage.Media.class::cast).toList();
        assertThat(media).hasSize(616).allSatisfy(m -> assertThat(m.payload()).hasSize(160));
        for (int i = 0; i < media.size(); i++) {
            assertThat(media.get(i).chunk()).isEqualTo(i + 1);
            assertThat(media.get(i).sequenceNumber()).isEqualTo(i + 2);
            assertThat(media.get(i).timestamp()).isEqualTo(135 + 20L * i);
        }
        assertThat(messages.getLast()).isEqualTo(new MediaStreamMessage.Stop(618, "test_stream",
                "AC64f4d8c1481c0a5ac9cdbe997bfbcf58", "CA3ae75ffe1c5d8847e478556c07d07103"));
    }

    @Test
    void given_mark_and_clear_when_encoded_then_exactly_the_docs_messages() throws Exception {
        assertThat(codec.encodeMark(SID, "my label"))
                .isEqualTo(json.readTree(SharedFixtures.read("docs-examples/to_twilio_mark.json")).toString());
        assertThat(codec.encodeClear(SID))
                .isEqualTo(json.readTree(SharedFixtures.read("docs-examples/to_twilio_clear.json")).toString());
    }

    @Test
    void given_audio_when_encoded_then_the_docs_media_shape_with_a_base64_payload() throws Exception {
        byte[] audio = new byte[160];
        java.util.Arrays.fill(audio, (byte) 0xFF);
        ObjectNode expected = (ObjectNode) json.readTree(SharedFixtures.read("docs-examples/to_twilio_media.json"));
        ((ObjectNode) expected.get("media")).put("payload", Base64.getEncoder().encodeToString(audio));

        String encoded = codec.encodeMedia(SID, audio);

        assertThat(encoded).isEqualTo(expected.toString());
        var decodedBack = Base64.getDecoder().decode(json.readTree(encoded).get("media").get("payload").asText());
        assertThat(decodedBack).containsExactly(audio);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "not JSON | hello | NOT_JSON",
        "truncated JSON | {\"event\":\"media\" | NOT_JSON",
        "JSON array | [1,2] | NOT_JSON",
        "JSON string | '\"media\"' | NOT_JSON",
        "no event | {\"streamSid\":\"MZ1\"} | MISSING_FIELD",
        "event not a string | {\"event\":7} | BAD_VALUE",
        "unknown event | {\"event\":\"transfer\",\"streamSid\":\"MZ1\"} | UNKNOWN_EVENT",
        "media without streamSid | {\"event\":\"media\",\"sequenceNumber\":\"2\",\"media\":{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"5\",\"payload\":\"//8=\"}} | MISSING_FIELD",
        "media without payload | {\"event\":\"media\",\"sequenceNumber\":\"2\",\"streamSid\":\"MZ1\",\"media\":{\"chunk\":\"1\",\"timestamp\":\"5\"}} | MISSING_FIELD",
        "media not an object | {\"event\":\"media\",\"sequenceNumber\":\"2\",\"streamSid\":\"MZ1\",\"media\":\"x\"} | BAD_VALUE",
        "bad base64 | {\"event\":\"media\",\"sequenceNumber\":\"2\",\"streamSid\":\"MZ1\",\"media\":{\"chunk\":\"1\",\"timestamp\":\"5\",\"payload\":\"%%%\"}} | BAD_BASE64",
        "chunk not a number | {\"event\":\"media\",\"sequenceNumber\":\"2\",\"streamSid\":\"MZ1\",\"media\":{\"chunk\":\"one\",\"timestamp\":\"5\",\"payload\":\"//8=\"}} | BAD_VALUE",
        "negative timestamp | {\"event\":\"media\",\"sequenceNumber\":\"2\",\"streamSid\":\"MZ1\",\"media\":{\"chunk\":\"1\",\"timestamp\":\"-5\",\"payload\":\"//8=\"}} | BAD_VALUE",
        "sequence number too big | {\"event\":\"mark\",\"sequenceNumber\":\"99999999999999\",\"streamSid\":\"MZ1\",\"mark\":{\"name\":\"a\"}} | BAD_VALUE",
        "start without callSid | {\"event\":\"start\",\"sequenceNumber\":\"1\",\"streamSid\":\"MZ1\",\"start\":{\"streamSid\":\"MZ1\",\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1}}} | MISSING_FIELD",
        "start without mediaFormat | {\"event\":\"start\",\"sequenceNumber\":\"1\",\"streamSid\":\"MZ1\",\"start\":{\"callSid\":\"CA1\"}} | MISSING_FIELD",
        "custom parameter not a string | {\"event\":\"start\",\"sequenceNumber\":\"1\",\"streamSid\":\"MZ1\",\"start\":{\"callSid\":\"CA1\",\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1},\"customParameters\":{\"a\":{}}}} | BAD_VALUE",
        "dtmf digit not a key | {\"event\":\"dtmf\",\"sequenceNumber\":\"3\",\"streamSid\":\"MZ1\",\"dtmf\":{\"digit\":\"12\"}} | BAD_VALUE",
        "mark without name | {\"event\":\"mark\",\"sequenceNumber\":\"3\",\"streamSid\":\"MZ1\",\"mark\":{}} | MISSING_FIELD",
        "stop without streamSid | {\"event\":\"stop\",\"sequenceNumber\":\"9\"} | MISSING_FIELD",
    })
    void given_a_malformed_message_when_decoded_then_a_checked_exception_naming_the_problem(
            String why, String text, Problem problem) {
        assertThatThrownBy(() -> codec.decode(text))
                .as(why)
                .isInstanceOfSatisfying(MalformedMessageException.class, e -> {
                    assertThat(e.problem()).isEqualTo(problem);
                    assertThat(e.getMessage()).isNotBlank();
                });
    }

    /**
     * Media messages take a path of their own (token by token, no tree); it must answer exactly as the tree path
     * does, or leave the message to it. Every message of the real capture, and each edit of a media message that
     * could trip a token reader: keys in another order, repeated, null, of another type, nested extras.
     */
    @Test
    void given_media_messages_real_and_edited_when_decoded_then_exactly_what_the_tree_path_gives() throws Exception {
        List<String> messages = new ArrayList<>(SharedFixtures.captureLines());
        String base = "{\"event\":\"media\",\"sequenceNumber\":\"2\",\"streamSid\":\"MZ1\",\"media\":"
                + "{\"track\":\"inbound\",\"chunk\":\"1\",\"timestamp\":\"5\",\"payload\":\"//8AEg==\"}}";
        messages.add(base);
        messages.add("{\"media\":{\"payload\":\"//8AEg==\",\"timestamp\":5,\"chunk\":1},\"streamSid\":\"MZ1\","
                + "\"sequenceNumber\":2,\"event\":\"media\"}");
        messages.add(base.replace("\"track\":\"inbound\",", ""));
        messages.add(base.replace("\"track\":\"inbound\"", "\"track\":null"));
        messages.add(base.replace("\"track\":\"inbound\"", "\"track\":7"));
        messages.add(base.replace("\"track\":\"inbound\"", "\"track\":{\"a\":1}"));
        messages.add(base.replace("\"track\":\"inbound\"", "\"track\":\"inbound\",\"track\":\"outbound\""));
        messages.add(base.replace("\"streamSid\":\"MZ1\"", "\"streamSid\":\"MZ1\",\"streamSid\":\"MZ2\""));
        messages.add(base.replace("\"event\":\"media\"", "\"event\":\"media\",\"event\":\"mark\""));
        messages.add(base + "," + base);
        messages.add(base.substring(0, base.length() - 1) + ",\"media\":{\"payload\":\"AA==\",\"chunk\":\"9\","
                + "\"timestamp\":\"9\"}}");
        messages.add(base.replace("\"streamSid\":\"MZ1\"", "\"streamSid\":null"));
        messages.add(base.replace("\"streamSid\":\"MZ1\"", "\"streamSid\":1"));
        messages.add(base.replace("\"sequenceNumber\":\"2\"", "\"sequenceNumber\":2.0"));
        messages.add(base.replace("\"sequenceNumber\":\"2\"", "\"sequenceNumber\":-2"));
        messages.add(base.replace("\"sequenceNumber\":\"2\"", "\"sequenceNumber\":2147483648"));
        messages.add(base.replace("\"sequenceNumber\":\"2\"", "\"sequenceNumber\":2147483647"));
        messages.add(base.replace("\"sequenceNumber\":\"2\"", "\"sequenceNumber\":99999999999999999999999"));
        messages.add(base.replace("\"sequenceNumber\":\"2\"", "\"sequenceNumber\":\"02\""));
        messages.add(base.replace("\"sequenceNumber\":\"2\"", "\"sequenceNumber\":\" 2\""));
        messages.add(base.replace("\"sequenceNumber\":\"2\"", "\"sequenceNumber\":true"));
        messages.add(base.replace("\"chunk\":\"1\"", "\"chunk\":\"\""));
        messages.add(base.replace("\"timestamp\":\"5\"", "\"timestamp\":[5]"));
        messages.add(base.replace("\"payload\":\"//8AEg==\"", "\"payload\":\"\""));
        messages.add(base.replace("\"payload\":\"//8AEg==\"", "\"payload\":\"//8AE\""));
        messages.add(base.replace("\"payload\":\"//8AEg==\"", "\"payload\":[1]"));
        messages.add(base.replace("\"media\":{", "\"extra\":{\"media\":{\"x\":[1,{\"y\":null}]}},\"media\":{\"z\":{},"));
        messages.add(base.replace("\"event\":\"media\"", "\"event\":\"Media\""));
        messages.add(base.substring(0, base.length() - 1));
        messages.add(base + " trailing");
        messages.add("[" + base + "]");
        messages.add(base.replace("}}", "},\"mark\":{\"name\":\"a\"}}"));

        int fast = 0;
        for (String message : messages) {
            Object decoded = outcome(() -> codec.decode(message));
            Object tree = outcome(() -> codec.decodeTree(message));
            assertThat(decoded).as(message).isEqualTo(tree);
            if (codec.fastMedia(message) != null) {
                fast++;
            }
        }
        // The capture's 616 frames; the base, its reordering (numbers as JSON numbers), without a track, the
        // largest sequence number, a leading zero, an empty payload, the nested extras, the mark extra, and the
        // two with text after the object (ignored by both paths): the rest go to the tree.
        assertThat(fast).isEqualTo(616 + 10);
        assertThat(codec.fastMedia(base.replace("\"streamSid\":\"MZ1\"", "\"streamSid\":null")))
                .as("a null the tree path words").isNull();
    }

    /**
     * Outbound media and marks are written straight into an array when their strings need no escaping, and
     * through a Jackson tree otherwise: the text must be what the tree gives, for every payload length (base64's
     * padding) and for strings that need escaping.
     */
    @Test
    void given_any_payload_or_name_when_encoded_then_exactly_the_text_of_a_jackson_tree() throws Exception {
        java.util.Random random = new java.util.Random(31950);
        for (String sid : List.of(SID, "MZ\"quoted\"", "MZ\\back", "MZ\u00e9t\u00e9", "MZ\ttab", "")) {
            for (int length = 0; length <= 12; length++) {
                byte[] audio = new byte[length == 12 ? 800 : length];
                random.nextBytes(audio);
                ObjectNode media = json.createObjectNode().put("event", "media").put("streamSid", sid);
                media.putObject("media").put("payload", Base64.getEncoder().encodeToString(audio));
                assertThat(codec.encodeMedia(sid, audio)).as(sid + ", " + audio.length + " bytes")
                        .isEqualTo(json.writeValueAsString(media));
            }
            for (String name : List.of("m1", "m\"2", "m\\3", "\u00fc", "a b", "")) {
                ObjectNode mark = json.createObjectNode().put("event", "mark").put("streamSid", sid);
                mark.putObject("mark").put("name", name);
                assertThat(codec.encodeMark(sid, name)).as(sid + ", " + name).isEqualTo(json.writeValueAsString(mark));
            }
        }
    }

    /** What decoding gave, comparable with equals: a media message as a list of its fields, or the error. */
    private static Object outcome(Decoding decoding) {
        try {
            MediaStreamMessage message = decoding.decode();
            if (message instanceof MediaStreamMessage.Media m) {
                return List.of("media", m.sequenceNumber(), m.streamSid(), String.valueOf(m.track()), m.chunk(),
                        m.timestamp(), Base64.getEncoder().encodeToString(m.payload()));
            }
            return message;
        } catch (MalformedMessageException e) {
            return List.of("error", e.problem(), e.getMessage());
        }
    }

    private interface Decoding {
        MediaStreamMessage decode() throws MalformedMessageException;
    }

    @Test
    void given_a_message_over_the_limit_when_decoded_then_too_large_without_parsing() {
        String huge = "{\"event\":\"media\",\"pad\":\"" + "x".repeat(MediaStreamCodec.DEFAULT_MAX_MESSAGE_CHARS) + "\"}";
        assertThatThrownBy(() -> codec.decode(huge))
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.problem()).isEqualTo(Problem.TOO_LARGE));
    }

    @Test
    void given_an_unknown_field_when_decoded_then_ignored_as_twilio_may_add_fields() throws Exception {
        var mark = codec.decode("{\"event\":\"mark\",\"sequenceNumber\":\"3\",\"streamSid\":\"MZ1\","
                + "\"mark\":{\"name\":\"a\"},\"newField\":{\"x\":1}}");
        assertThat(mark).isEqualTo(new MediaStreamMessage.Mark(3, "MZ1", "a"));
    }

    @Test
    void given_a_tiny_limit_when_constructed_then_refused() {
        assertThatThrownBy(() -> new MediaStreamCodec(10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxMessageChars");
    }
}
