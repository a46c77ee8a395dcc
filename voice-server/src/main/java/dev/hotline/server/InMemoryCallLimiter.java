package dev.hotline.server;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * {@link CallLimiter} in this process's memory: a sliding one-hour window of admissions per caller, and a slot
 * per admitted call. Withheld numbers ({@code null}, {@code anonymous}, ...) share one rate bucket; any other
 * caller key (a phone number, a browser's {@code browser:<address>}) has its own.
 *
 * <p>Bounded: a caller's history holds at most {@code callsPerCallerPerHour} instants and is dropped once they
 * are an hour old; an admitted call that never connects is dropped after {@link #CONNECT_GRACE}, a connected
 * one after {@code maxCallAge}.
 *
 * <p>Thread-safe (one lock; every operation is a few map lookups).
 */
public final class InMemoryCallLimiter implements CallLimiter {

    /** How long an admitted call may take to open its media socket before its slot is dropped. */
    static final Duration CONNECT_GRACE = Duration.ofMinutes(2);
    private static final Duration WINDOW = Duration.ofHours(1);
    private static final String WITHHELD = "withheld";
    /** What Twilio puts in {@code From} when the caller hides their number. */
    private static final Set<String> WITHHELD_MARKERS = Set.of("", "anonymous", "unknown", "restricted", "private",
            "blocked", "unavailable");

    private final Limits limits;
    private final Clock clock;
    private final Duration maxCallAge;
    private final Map<String, ArrayDeque<Instant>> history = new HashMap<>();
    private final Map<String, Slot> slots = new HashMap<>();

    /**
     * @param limits the limits
     * @param clock the time source (tests pass a fixed or stepped clock)
     * @param maxCallAge a connected call older than this is assumed over and its slot swept
     */
    public InMemoryCallLimiter(Limits limits, Clock clock, Duration maxCallAge) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.maxCallAge = Objects.requireNonNull(maxCallAge, "maxCallAge");
        if (maxCallAge.isNegative() || maxCallAge.isZero()) {
            throw new IllegalArgumentException("maxCallAge must be > 0, was " + maxCallAge);
        }
    }

    @Override
    public synchronized Decision admit(String callSid, String caller) {
        Objects.requireNonNull(callSid, "callSid");
        if (slots.containsKey(callSid)) {
            return Decision.ADMIT;
        }
        String number = caller == null || WITHHELD_MARKERS.contains(caller.strip().toLowerCase(Locale.ROOT))
                ? WITHHELD : caller.strip();
        if (limits.blocklist().contains(number)) {
            return Decision.refuse("caller is on the blocklist");
        }
        if (!limits.allowlist().isEmpty() && !limits.allowlist().contains(number)) {
            return Decision.refuse("caller is not on the allowlist");
        }
        Instant now = clock.instant();
        ArrayDeque<Instant> calls = history.computeIfAbsent(number, n -> new ArrayDeque<>());
        dropOlderThanWindow(calls, now);
        if (calls.size() >= limits.callsPerCallerPerHour()) {
            return Decision.refuse("caller reached " + limits.callsPerCallerPerHour() + " calls in the last hour");
        }
        if (slots.size() >= limits.maxConcurrentCalls()) {
            return Decision.refuse("at capacity: " + limits.maxConcurrentCalls() + " calls at once");
        }
        calls.addLast(now);
        slots.put(callSid, new Slot(now, false));
        return Decision.ADMIT;
    }

    @Override
    public synchronized void connected(String callSid) {
        slots.computeIfPresent(callSid, (sid, slot) -> new Slot(clock.instant(), true));
    }

    @Override
    public synchronized void release(String callSid) {
        slots.remove(callSid);
    }

    @Override
    public synchronized int activeCalls() {
        return slots.size();
    }

    @Override
    public synchronized void sweep() {
        Instant now = clock.instant();
        slots.values().removeIf(slot -> slot.since().plus(slot.connected() ? maxCallAge : CONNECT_GRACE).isBefore(now));
        history.values().removeIf(calls -> {
            dropOlderThanWindow(calls, now);
            return calls.isEmpty();
        });
    }

    /** Callers with admissions inside the window (for tests of boundedness). */
    synchronized int trackedCallers() {
        return history.size();
    }

    private static void dropOlderThanWindow(ArrayDeque<Instant> calls, Instant now) {
        while (!calls.isEmpty() && !calls.peekFirst().plus(WINDOW).isAfter(now)) {
            calls.removeFirst();
        }
    }

    private record Slot(Instant since, boolean connected) {
    }
}
