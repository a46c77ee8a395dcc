package dev.hotline.twilio;

import com.twilio.twiml.TwiMLException;
import com.twilio.twiml.VoiceResponse;
import com.twilio.twiml.voice.Connect;
import com.twilio.twiml.voice.Hangup;
import com.twilio.twiml.voice.Parameter;
import com.twilio.twiml.voice.Say;
import com.twilio.twiml.voice.Stream;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The TwiML documents the voice webhook answers with, built with the Twilio SDK.
 *
 * <p>{@link #connectStream} connects the call to this server's Media Stream socket:
 * <pre>
 * &lt;Response&gt;&lt;Connect&gt;&lt;Stream url="wss://{host}/voice-stream"&gt;
 *   &lt;Parameter name="From" value="..."/&gt; ...
 * &lt;/Stream&gt;&lt;/Connect&gt;&lt;/Response&gt;
 * </pre>
 * The URL never has a query string (Twilio does not support one); what the socket needs to know travels in
 * {@code <Parameter>}s and arrives in {@code start.customParameters}. {@link #refuse} speaks a line and hangs
 * up.
 *
 * <p>Immutable and thread-safe.
 */
public final class TwimlBuilder {

    /** The path of the Media Stream socket on this server. */
    public static final String STREAM_PATH = "/voice-stream";

    /** Twilio's limit: a {@code <Parameter>}'s name and value together are under 500 characters. */
    static final int MAX_PARAMETER_CHARS = 499;

    private final String streamUrl;

    /**
     * @param publicBaseUrl the server's public origin, {@code https://host[:port]}; only its host and port are
     *     used, with the {@code wss} scheme
     */
    public TwimlBuilder(URI publicBaseUrl) {
        this.streamUrl = streamUrl(publicBaseUrl);
    }

    /** {@code wss://{host[:port]}/voice-stream} for a public base URL. */
    public static String streamUrl(URI publicBaseUrl) {
        Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
        String host = publicBaseUrl.getHost();
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("public base URL has no host: " + publicBaseUrl);
        }
        String scheme = publicBaseUrl.getScheme() == null ? "" : publicBaseUrl.getScheme().toLowerCase(Locale.ROOT);
        int port = publicBaseUrl.getPort();
        boolean defaultPort = port == -1 || (port == 443 && scheme.equals("https")) || (port == 80 && scheme.equals("http"));
        return "wss://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port) + STREAM_PATH;
    }

    /** The Media Stream URL this builder puts in {@code <Stream url>}. */
    public String streamUrl() {
        return streamUrl;
    }

    /**
     * TwiML that connects the call to the Media Stream socket and passes {@code parameters} along, in the
     * map's order. A parameter whose name and value exceed Twilio's length limit, or whose value is
     * {@code null}, is left out.
     */
    public String connectStream(Map<String, String> parameters) {
        Stream.Builder stream = new Stream.Builder().url(streamUrl);
        parameters.forEach((name, value) -> {
            if (value != null && name.length() + value.length() <= MAX_PARAMETER_CHARS) {
                stream.parameter(new Parameter.Builder().name(name).value(value).build());
            }
        });
        VoiceResponse response = new VoiceResponse.Builder()
                .connect(new Connect.Builder().stream(stream.build()).build())
                .build();
        return xml(response);
    }

    /** TwiML that says {@code message} and hangs up: the polite refusal of a call. */
    public static String refuse(String message) {
        Objects.requireNonNull(message, "message");
        VoiceResponse response = new VoiceResponse.Builder()
                .say(new Say.Builder(message).build())
                .hangup(new Hangup.Builder().build())
                .build();
        return xml(response);
    }

    private static String xml(VoiceResponse response) {
        try {
            return response.toXml();
        } catch (TwiMLException e) {
            throw new IllegalStateException("the Twilio SDK could not write TwiML", e);
        }
    }
}
