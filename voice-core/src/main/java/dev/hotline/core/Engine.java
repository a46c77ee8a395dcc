package dev.hotline.core;

import dev.hotline.core.session.CallSession;
import dev.hotline.core.session.SafeObserver;
import dev.hotline.core.session.SessionContext;
import dev.hotline.core.turn.EnergyVoiceActivityDetector;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The hotline engine: takes calls from {@link CallTransport}s and drives each one (greeting, turn detection,
 * transcription, the reply, speech, barge-in, idle prompts, goodbye) with the providers it was built with.
 *
 * <p><b>Lifecycle.</b> Built once per application with {@link #builder()}; {@link #startCall} takes any
 * number of calls at once until {@link #shutdown}. A call's resources are released when it ends, and the
 * engine forgets it.
 *
 * <p><b>Threading.</b> Thread-safe. Each call runs on a few virtual threads of its own (inbound processing
 * stays on the transport's thread, the current turn and its synthesis on virtual threads).
 *
 * <p><b>Failures.</b> Provider failures never escape a call: they follow the planned paths (retry, fallback
 * synthesizer or responder, a spoken apology) and are reported as {@link CallEvent.Error}s. A transport that
 * throws ends its call.
 */
public final class Engine {

    private final SessionContext context;
    private final Set<CallSession> calls = ConcurrentHashMap.newKeySet();
    private final Set<CallSession> refusals = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("hotline-sweeper").factory());
    private volatile boolean shutDown;

    private Engine(Builder b) {
        List<Synthesizer> chain = new ArrayList<>();
        chain.add(Objects.requireNonNull(b.synthesizer, "synthesizer is required"));
        chain.addAll(b.fallbackSynthesizers);
        this.context = new SessionContext(
                Objects.requireNonNull(b.transcriber, "transcriber is required"),
                Objects.requireNonNull(b.responder, "responder is required"),
                b.fallbackResponder,
                List.copyOf(chain),
                b.vad,
                b.persona,
                b.settings,
                new SafeObserver(b.observer),
                b.clock,
                b.nanoTime,
                b.threadFactory);
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_PERIOD.toMillis(), SWEEP_PERIOD.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /** How often calls are checked against their wall-clock deadline. */
    private static final Duration SWEEP_PERIOD = Duration.ofSeconds(5);

    /** Ends calls whose transport went quiet past their deadline; the map never keeps a dead call. */
    void sweep() {
        long now = context.nanoTime().getAsLong();
        for (CallSession call : List.copyOf(calls)) {
            if (call.overdue(now)) {
                call.hangUp("deadline");
            }
        }
        for (CallSession call : List.copyOf(refusals)) {
            if (call.overdue(now)) {
                call.hangUp("deadline");
            }
        }
    }

    /** A builder; transcriber, responder and synthesizer are required, everything else has a default. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Takes a call: starts the transport with a new session as its listener. The session greets the caller
     * once the transport reports the start and drives the call until it ends.
     *
     * @throws IllegalStateException after {@link #shutdown}
     */
    public CallHandle startCall(CallTransport transport) {
        Objects.requireNonNull(transport, "transport");
        if (shutDown) {
            throw new IllegalStateException("the engine is shut down and takes no more calls");
        }
        CallSession session = CallSession.conversation(context, transport, calls::remove);
        calls.add(session);
        session.start();
        return session;
    }

    /**
     * Turns a call away politely: speaks {@code message} (e.g. "All lines are busy, please call back later"),
     * then hangs up. The refused call does not count as active.
     */
    public CallHandle refuseCall(CallTransport transport, String message) {
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(message, "message");
        if (message.isBlank()) {
            throw new IllegalArgumentException("message must not be blank");
        }
        CallSession session = CallSession.refusal(context, transport, message, refusals::remove);
        refusals.add(session);
        session.start();
        return session;
    }

    /** Calls taken and not yet ended. */
    public int activeCalls() {
        return calls.size();
    }

    /**
     * Stops taking calls, lets the active ones finish for up to {@code drain}, then ends the rest with a
     * goodbye (and hangs up on those that do not finish it within a few seconds). Returns when every call
     * has ended, or the grace ran out.
     *
     * @throws InterruptedException if interrupted while waiting
     */
    public void shutdown(Duration drain) throws InterruptedException {
        Objects.requireNonNull(drain, "drain");
        if (drain.isNegative()) {
            throw new IllegalArgumentException("drain must be >= 0, was " + drain);
        }
        shutDown = true;
        long deadline = System.nanoTime() + drain.toNanos();
        for (CallSession call : List.copyOf(calls)) {
            long left = deadline - System.nanoTime();
            call.awaitEnd(Duration.ofNanos(Math.max(0, left)));
        }
        List<CallSession> remaining = new ArrayList<>(calls);
        remaining.addAll(refusals);
        for (CallSession call : remaining) {
            call.endCall("shutdown");
        }
        long goodbyeDeadline = System.nanoTime() + SHUTDOWN_GOODBYE_GRACE.toNanos();
        for (CallSession call : remaining) {
            long left = goodbyeDeadline - System.nanoTime();
            if (!call.awaitEnd(Duration.ofNanos(Math.max(0, left)))) {
                call.hangUp("shutdown");
            }
        }
        sweeper.shutdownNow();
    }

    /** How long calls get to say goodbye once the drain is over. */
    private static final Duration SHUTDOWN_GOODBYE_GRACE = Duration.ofSeconds(5);

    /** Builds an {@link Engine}. Not thread-safe. */
    public static final class Builder {
        private Transcriber transcriber;
        private Responder responder;
        private Responder fallbackResponder;
        private Synthesizer synthesizer;
        private final List<Synthesizer> fallbackSynthesizers = new ArrayList<>();
        private VoiceActivityDetector.Factory vad = EnergyVoiceActivityDetector.FACTORY;
        private Persona persona = Persona.syntheticJason();
        private CallSettings settings = CallSettings.defaults();
        private CallObserver observer = CallObserver.NONE;
        private InstantSource clock = InstantSource.system();
        private LongSupplier nanoTime = System::nanoTime;
        private ThreadFactory threadFactory = Thread.ofVirtual().name("hotline-call-", 0).factory();

        private Builder() {
        }

        /** Speech-to-text. Required. */
        public Builder transcriber(Transcriber value) {
            transcriber = Objects.requireNonNull(value, "transcriber");
            return this;
        }

        /** The LLM. Required. */
        public Builder responder(Responder value) {
            responder = Objects.requireNonNull(value, "responder");
            return this;
        }

        /** Answers when the responder fails or times out (a scripted persona, say); else an apology is spoken. */
        public Builder fallbackResponder(Responder value) {
            fallbackResponder = Objects.requireNonNull(value, "fallbackResponder");
            return this;
        }

        /** The primary text-to-speech. Required. */
        public Builder synthesizer(Synthesizer value) {
            synthesizer = Objects.requireNonNull(value, "synthesizer");
            return this;
        }

        /** Adds a synthesizer to the fallback chain, tried in the order added when the ones before fail. */
        public Builder fallbackSynthesizer(Synthesizer value) {
            fallbackSynthesizers.add(Objects.requireNonNull(value, "fallbackSynthesizer"));
            return this;
        }

        /** Voice activity detection; default: an energy detector with an adaptive noise floor. */
        public Builder vad(VoiceActivityDetector.Factory value) {
            vad = Objects.requireNonNull(value, "vad");
            return this;
        }

        /** Who the hotline is; default {@link Persona#syntheticJason()}. */
        public Builder persona(Persona value) {
            persona = Objects.requireNonNull(value, "persona");
            return this;
        }

        /** Tunables; default {@link CallSettings#defaults()}. */
        public Builder settings(CallSettings value) {
            settings = Objects.requireNonNull(value, "settings");
            return this;
        }

        /** Receives every call's events; default none. */
        public Builder observer(CallObserver value) {
            observer = Objects.requireNonNull(value, "observer");
            return this;
        }

        /** Wall-clock time stamped on events; default the system clock. */
        public Builder clock(InstantSource value) {
            clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Monotonic nanoseconds for latency measurements; default {@link System#nanoTime()}. */
        public Builder nanoTime(LongSupplier value) {
            nanoTime = Objects.requireNonNull(value, "nanoTime");
            return this;
        }

        /** Makes the threads calls run on; default virtual threads. */
        public Builder threadFactory(ThreadFactory value) {
            threadFactory = Objects.requireNonNull(value, "threadFactory");
            return this;
        }

        /**
         * Builds the engine.
         *
         * @throws NullPointerException if the transcriber, responder or synthesizer is missing
         */
        public Engine build() {
            return new Engine(this);
        }
    }
}
