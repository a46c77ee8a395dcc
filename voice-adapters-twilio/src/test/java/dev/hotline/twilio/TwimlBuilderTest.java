package dev.hotline.twilio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

class TwimlBuilderTest {

    @Test
    void given_a_public_base_url_when_connecting_then_the_docs_shape_with_our_stream_url_and_parameters()
            throws Exception {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("FirstName", "Jane");
        parameters.put("LastName", "Doe");
        String ours = new TwimlBuilder(URI.create("https://example.com")).connectStream(parameters);

        Element expected = parse(SharedFixtures.read("twiml_connect_stream_with_parameters.xml"));
        Element actual = parse(ours);
        assertThat(shape(actual).replace("wss://example.com/voice-stream", "wss://example.com/audiostream"))
                .isEqualTo(shape(expected));
    }

    @Test
    void given_caller_parameters_then_the_stream_url_has_no_query_and_parameters_carry_the_values() throws Exception {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("From", "+15550001111");
        parameters.put("To", "+15550002222");
        parameters.put("CallSid", "CA123");
        String xml = new TwimlBuilder(URI.create("https://Hotline.Example.org:443")).connectStream(parameters);

        Element stream = (Element) parse(xml).getElementsByTagName("Stream").item(0);
        assertThat(stream.getAttribute("url")).isEqualTo("wss://hotline.example.org/voice-stream").doesNotContain("?");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < stream.getElementsByTagName("Parameter").getLength(); i++) {
            Element p = (Element) stream.getElementsByTagName("Parameter").item(i);
            names.add(p.getAttribute("name") + "=" + p.getAttribute("value"));
        }
        assertThat(names).containsExactly("From=+15550001111", "To=+15550002222", "CallSid=CA123");
    }

    @Test
    void given_a_non_default_port_then_it_is_kept_and_a_value_too_long_is_left_out() throws Exception {
        String xml = new TwimlBuilder(URI.create("http://127.0.0.1:8080"))
                .connectStream(Map.of("From", "x".repeat(600)));
        Element stream = (Element) parse(xml).getElementsByTagName("Stream").item(0);
        assertThat(stream.getAttribute("url")).isEqualTo("wss://127.0.0.1:8080/voice-stream");
        assertThat(stream.getElementsByTagName("Parameter").getLength()).isZero();
    }

    @Test
    void given_a_refusal_then_say_the_message_and_hang_up() throws Exception {
        Element response = parse(TwimlBuilder.refuse("Sorry, the line is busy. Goodbye & thanks."));
        assertThat(shape(response)).isEqualTo("Response[Say{}\"Sorry, the line is busy. Goodbye & thanks.\"[]Hangup{}[]]");
    }

    @Test
    void given_a_url_without_host_then_refused() {
        assertThatThrownBy(() -> new TwimlBuilder(URI.create("file:/tmp/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no host");
    }

    private static Element parse(String xml) throws Exception {
        var factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8))).getDocumentElement();
    }

    /** Element names, attributes and text, ignoring formatting whitespace. */
    private static String shape(Element element) {
        StringBuilder out = new StringBuilder(element.getTagName()).append('{');
        var attributes = element.getAttributes();
        List<String> pairs = new ArrayList<>();
        for (int i = 0; i < attributes.getLength(); i++) {
            pairs.add(attributes.item(i).getNodeName() + "=" + attributes.item(i).getNodeValue());
        }
        pairs.sort(null);
        out.append(String.join(",", pairs)).append('}');
        StringBuilder children = new StringBuilder();
        for (Node child = element.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element e) {
                children.append(shape(e));
            } else if (child.getNodeType() == Node.TEXT_NODE && !child.getTextContent().isBlank()) {
                out.append('"').append(child.getTextContent().strip()).append('"');
            }
        }
        if (element.getTagName().equals("Response")) {
            return "Response[" + children + "]";
        }
        return out.append('[').append(children).append(']').toString();
    }
}
