package dev.hotline.testkit.cli;

/** The command line was wrong; the message says how, and the command prints its usage after it. */
public final class UsageException extends Exception {

    private static final long serialVersionUID = 1L;

    public UsageException(String message) {
        super(message);
    }
}
