package dev.hotline.core;

import java.util.Map;
import java.util.Objects;

/**
 * Who is calling whom, as the transport learned it when the call's media started.
 *
 * @param callId the transport's identifier of the call (Twilio's CallSid)
 * @param streamId the identifier of the media stream (Twilio's StreamSid), or the call id if none
 * @param from the caller (E.164, or what the transport has), or {@code null} if unknown
 * @param to the number called, or {@code null}
 * @param parameters custom parameters passed along with the call; never null
 */
public record CallInfo(String callId, String streamId, String from, String to, Map<String, String> parameters) {

    public CallInfo {
        Objects.requireNonNull(callId, "callId");
        Objects.requireNonNull(streamId, "streamId");
        parameters = Map.copyOf(parameters);
    }
}
