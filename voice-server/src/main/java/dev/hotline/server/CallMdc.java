package dev.hotline.server;

import org.slf4j.MDC;

/**
 * Puts a call's ids in the logging MDC ({@code callSid}, {@code streamSid}) for the duration of an action and
 * restores what the thread had before, so nested uses (a socket handler calling into the engine, which
 * reports events) never strip the ids from the lines that follow.
 */
final class CallMdc {

    private CallMdc() {
    }

    /** Runs {@code action} with the ids set; a {@code null} id is left as the thread had it. */
    static void run(String callSid, String streamSid, Runnable action) {
        String outerCall = MDC.get("callSid");
        String outerStream = MDC.get("streamSid");
        if (callSid != null) {
            MDC.put("callSid", callSid);
        }
        if (streamSid != null) {
            MDC.put("streamSid", streamSid);
        }
        try {
            action.run();
        } finally {
            restore("callSid", outerCall);
            restore("streamSid", outerStream);
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, value);
        }
    }
}
