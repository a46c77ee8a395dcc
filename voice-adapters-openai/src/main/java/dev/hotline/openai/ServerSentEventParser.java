package dev.hotline.openai;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An incremental parser of a {@code text/event-stream} body (WHATWG HTML, "Server-sent events", section
 * 9.2.6 "Interpreting an event stream"). Bytes are fed as they arrive, in pieces of any size, and each event
 * is handed to the {@link Listener} as soon as its terminating blank line has been fed, so no event waits for
 * the next read.
 *
 * <p>Handled: lines ending in {@code \n}, {@code \r\n} or {@code \r} (a {@code \r\n} may be split across
 * feeds), a leading byte-order mark, comment lines ({@code : keep-alive}), blank keep-alive lines, several
 * {@code data:} lines joined with {@code \n}, the optional space after the colon, the {@code event} field,
 * and unknown fields (ignored). UTF-8 characters split across feeds are decoded whole, because lines are
 * decoded only once complete. {@code id} and {@code retry} are ignored: the adapters never reconnect.
 *
 * <p>Bounded: a line or an event larger than the limit given at construction fails with
 * {@link EventTooLargeException} instead of growing without end.
 *
 * <p>Not thread-safe: one parser per response body, fed from one thread.
 */
final class ServerSentEventParser {

    /** Receives each complete event. */
    @FunctionalInterface
    interface Listener {
        /**
         * One event.
         *
         * @param type the {@code event} field, or {@code "message"} when the event had none
         * @param data the {@code data} lines joined with {@code \n}
         * @throws IOException to stop parsing; it propagates out of {@link #feed}
         */
        void onEvent(String type, String data) throws IOException;
    }

    /** A line or event exceeded the parser's limit. */
    static final class EventTooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        EventTooLargeException(String message) {
            super(message);
        }
    }

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final String DEFAULT_EVENT_TYPE = "message";
    private static final String BYTE_ORDER_MARK = "\uFEFF";

    private final Listener listener;
    private final int maxEventBytes;

    private byte[] line = new byte[256];
    private int lineLength;
    /** The previous byte was a CR, so an LF right after it ends nothing. */
    private boolean skipNextLf;
    private boolean firstLine = true;

    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private String eventType;
    private long eventCount;

    /**
     * @param listener receives each event, on the thread that feeds
     * @param maxEventBytes the largest line, and the largest event's data, accepted
     */
    ServerSentEventParser(Listener listener, int maxEventBytes) {
        if (maxEventBytes <= 0) {
            throw new IllegalArgumentException("maxEventBytes must be > 0, was " + maxEventBytes);
        }
        this.listener = listener;
        this.maxEventBytes = maxEventBytes;
    }

    /** Feeds all of {@code bytes}. */
    void feed(byte[] bytes) throws IOException {
        feed(bytes, 0, bytes.length);
    }

    /**
     * Feeds {@code length} bytes of {@code bytes} from {@code offset}, dispatching every event they complete.
     *
     * @throws IOException what the listener threw, or {@link EventTooLargeException}
     */
    void feed(byte[] bytes, int offset, int length) throws IOException {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            byte b = bytes[i];
            if (skipNextLf) {
                skipNextLf = false;
                if (b == LF) {
                    continue;
                }
            }
            if (b == CR) {
                skipNextLf = true;
                endLine();
            } else if (b == LF) {
                endLine();
            } else {
                append(b);
            }
        }
    }

    /** How many events were dispatched so far. */
    long eventCount() {
        return eventCount;
    }

    /**
     * Whether bytes of an unfinished event are pending: the stream stopped in the middle of an event. Per
     * the specification such an event is never dispatched.
     */
    boolean hasPartialEvent() {
        return lineLength > 0 || hasData || eventType != null;
    }

    private void append(byte b) throws EventTooLargeException {
        if (lineLength == line.length) {
            if (line.length >= maxEventBytes) {
                throw new EventTooLargeException("an event-stream line exceeded " + maxEventBytes + " bytes");
            }
            line = Arrays.copyOf(line, Math.min(maxEventBytes, line.length * 2));
        }
        line[lineLength++] = b;
    }

    private void endLine() throws IOException {
        String text = new String(line, 0, lineLength, StandardCharsets.UTF_8);
        lineLength = 0;
        if (firstLine) {
            firstLine = false;
            if (text.startsWith(BYTE_ORDER_MARK)) {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            dispatch();
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = "";
        if (colon >= 0) {
            int start = colon + 1;
            if (start < text.length() && text.charAt(start) == ' ') {
                start++;
            }
            value = text.substring(start);
        }
        switch (field) {
            case "data" -> {
                if (data.length() + value.length() + 1 > maxEventBytes) {
                    throw new EventTooLargeException("an event's data exceeded " + maxEventBytes + " bytes");
                }
                if (hasData) {
                    data.append('\n');
                }
                data.append(value);
                hasData = true;
            }
            case "event" -> eventType = value;
            default -> {
                // id, retry and unknown fields: nothing to do for a one-shot stream.
            }
        }
    }

    private void dispatch() throws IOException {
        if (!hasData) {
            eventType = null;
            return;
        }
        String type = eventType == null || eventType.isEmpty() ? DEFAULT_EVENT_TYPE : eventType;
        String payload = data.toString();
        data.setLength(0);
        hasData = false;
        eventType = null;
        eventCount++;
        listener.onEvent(type, payload);
    }
}
