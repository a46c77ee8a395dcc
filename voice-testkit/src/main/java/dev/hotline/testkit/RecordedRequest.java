package dev.hotline.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One request a fake server received, for assertions.
 *
 * @param method the HTTP method, or {@code WS} for a WebSocket message
 * @param path the request path without the query
 * @param query the query parameters (first value of each)
 * @param headers the request headers, names in lower case (first value of each)
 * @param fields form fields of a multipart request, or the parsed JSON fields' text for convenience; may be empty
 * @param body the raw body (for multipart: the uploaded file)
 * @param receivedNanos {@link System#nanoTime()} when the request arrived
 */
public record RecordedRequest(String method, String path, Map<String, String> query, Map<String, String> headers,
        Map<String, String> fields, byte[] body, long receivedNanos) {

    public RecordedRequest {
        query = Map.copyOf(query);
        headers = Map.copyOf(headers);
        fields = Map.copyOf(fields);
        body = body.clone();
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }
}
