package dev.hotline.server;

import java.util.Objects;
import java.util.Set;

/**
 * Decides whether a call may be taken: the abuse limits. The webhook asks {@link #admit} before connecting a
 * call; the call holds a slot until {@link #release}. An in-memory implementation serves one server; a shared
 * store (Redis, a database) can replace it behind this interface when several servers share a number.
 *
 * <p><b>Threading.</b> Implementations are thread-safe.
 *
 * <p><b>Bounded state.</b> A slot whose release was missed (the socket never came, the status callback was
 * lost) is dropped by {@link #sweep}, which the server calls periodically.
 */
public interface CallLimiter {

    /**
     * Asks to take a call. An admitted call holds a concurrency slot until released.
     *
     * @param callSid the call's id; admitting the same call twice (a webhook retry) admits it once
     * @param caller the caller's number as Twilio gives it ({@code From}), or {@code null} if withheld
     */
    Decision admit(String callSid, String caller);

    /** The call's media connected: its slot is in use and must not be swept as abandoned. */
    void connected(String callSid);

    /** The call ended: frees its slot. Unknown ids are ignored. */
    void release(String callSid);

    /** Calls holding a slot now. */
    int activeCalls();

    /** Drops slots whose release was missed and per-caller history older than the rate window. */
    void sweep();

    /**
     * The limits.
     *
     * @param callsPerCallerPerHour calls one number may place in any hour
     * @param maxConcurrentCalls calls at once
     * @param allowlist if not empty, only these numbers (E.164) may call
     * @param blocklist these numbers may never call
     */
    record Limits(int callsPerCallerPerHour, int maxConcurrentCalls, Set<String> allowlist, Set<String> blocklist) {
        public Limits {
            if (callsPerCallerPerHour < 1) {
                throw new IllegalArgumentException("callsPerCallerPerHour must be >= 1, was " + callsPerCallerPerHour);
            }
            if (maxConcurrentCalls < 1) {
                throw new IllegalArgumentException("maxConcurrentCalls must be >= 1, was " + maxConcurrentCalls);
            }
            allowlist = Set.copyOf(allowlist);
            blocklist = Set.copyOf(blocklist);
        }

        /** The defaults: 10 calls per caller per hour, 20 at once, no lists. */
        public static Limits defaults() {
            return new Limits(ServerConfig.DEFAULT_CALLS_PER_CALLER_PER_HOUR,
                    ServerConfig.DEFAULT_MAX_CONCURRENT_CALLS, Set.of(), Set.of());
        }
    }

    /**
     * The answer to {@link #admit}.
     *
     * @param admitted whether the call may go on
     * @param reason why not, for the log (the caller only hears a polite refusal); {@code null} if admitted
     */
    record Decision(boolean admitted, String reason) {
        /** The call may go on. */
        public static final Decision ADMIT = new Decision(true, null);

        /** The call is refused for {@code reason}. */
        public static Decision refuse(String reason) {
            return new Decision(false, Objects.requireNonNull(reason, "reason"));
        }
    }
}
