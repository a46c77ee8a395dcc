package dev.hotline.twilio;

/**
 * A Media Streams message could not be understood. The message says what was wrong in words an operator can
 * act on and never quotes audio payloads; {@link #problem()} classifies it, so a transport can log each kind
 * once per call.
 */
public final class MalformedMessageException extends Exception {

    /** What kind of problem the message had. */
    public enum Problem {
        /** The text is not a JSON object. */
        NOT_JSON,
        /** The {@code event} is not one Twilio documents for a bidirectional stream. */
        UNKNOWN_EVENT,
        /** A required field is absent or null. */
        MISSING_FIELD,
        /** A field has the wrong type or an impossible value. */
        BAD_VALUE,
        /** The audio payload is not valid base64. */
        BAD_BASE64,
        /** The message is larger than the codec accepts. */
        TOO_LARGE
    }

    private final Problem problem;

    MalformedMessageException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    MalformedMessageException(Problem problem, String message, Throwable cause) {
        super(message, cause);
        this.problem = problem;
    }

    /** What kind of problem it was. */
    public Problem problem() {
        return problem;
    }
}
