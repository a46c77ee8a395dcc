package dev.hotline.twilio;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message Twilio sends on a bidirectional Media Stream, as parsed by {@link MediaStreamCodec}.
 *
 * <p>Twilio sends, in this order: {@link Connected} once (no stream SID yet), {@link Start} once, then any
 * number of {@link Media}, {@link Dtmf} and {@link Mark}, then {@link Stop}. Twilio writes the numeric fields
 * {@code sequenceNumber}, {@code chunk} and {@code timestamp} as JSON strings; they are numbers here.
 *
 * <p>Instances are immutable values, except that {@link Media#payload()} is the codec's own array: the codec
 * never touches it again, so a consumer may keep it.
 */
public sealed interface MediaStreamMessage {

    /** The first message on the socket: the WebSocket is connected, the stream has not started yet. */
    record Connected(String protocol, String version) implements MediaStreamMessage {
    }

    /**
     * The stream started; carries the call's identity and the custom parameters from the TwiML
     * {@code <Parameter>} elements.
     *
     * @param sequenceNumber the message's position in the stream, from 1
     * @param streamSid the stream's id ({@code MZ...}); every later message names it
     * @param accountSid the Twilio account ({@code AC...})
     * @param callSid the call ({@code CA...})
     * @param tracks the tracks delivered; {@code ["inbound"]} for bidirectional streams
     * @param encoding the audio encoding, always {@code audio/x-mulaw} per Twilio's docs
     * @param sampleRate Hz, always 8000 per Twilio's docs
     * @param channels always 1 per Twilio's docs
     * @param customParameters the {@code <Parameter>} values; empty when the key is absent
     */
    record Start(long sequenceNumber, String streamSid, String accountSid, String callSid, List<String> tracks,
            String encoding, int sampleRate, int channels, Map<String, String> customParameters)
            implements MediaStreamMessage {
        public Start {
            Objects.requireNonNull(streamSid, "streamSid");
            Objects.requireNonNull(callSid, "callSid");
            tracks = List.copyOf(tracks);
            customParameters = Map.copyOf(customParameters);
        }
    }

    /**
     * One frame of the caller's audio.
     *
     * @param sequenceNumber the message's position in the stream
     * @param streamSid the stream the frame belongs to
     * @param track {@code inbound} (the caller) or {@code outbound}
     * @param chunk the frame's number, from 1
     * @param timestamp milliseconds from the start of the stream
     * @param payload the decoded audio bytes: 8 kHz mu-law, 160 bytes (20 ms) in real captures
     */
    record Media(long sequenceNumber, String streamSid, String track, long chunk, long timestamp, byte[] payload)
            implements MediaStreamMessage {
        public Media {
            Objects.requireNonNull(streamSid, "streamSid");
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** The caller pressed a key; {@code digit} is one of {@code 0-9 * # A-D}. */
    record Dtmf(long sequenceNumber, String streamSid, String track, char digit) implements MediaStreamMessage {
    }

    /** A mark we sent came back: the audio before it was played, or cleared. */
    record Mark(long sequenceNumber, String streamSid, String name) implements MediaStreamMessage {
    }

    /** The stream stopped: the call ended. The last message Twilio sends. */
    record Stop(long sequenceNumber, String streamSid, String accountSid, String callSid)
            implements MediaStreamMessage {
    }
}
