package dev.hotline.core.session;

import dev.hotline.audio.AudioFormat;
import dev.hotline.core.CallEvent;
import dev.hotline.core.CallHandle;
import dev.hotline.core.CallInfo;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.CallTransport;
import dev.hotline.core.CancelSignal;
import dev.hotline.core.CancelledException;
import dev.hotline.core.Persona;
import dev.hotline.core.ProviderException;
import dev.hotline.core.Responder;
import dev.hotline.core.RetryPolicy;
import dev.hotline.core.StreamingSynthesizer;
import dev.hotline.core.Synthesizer;
import dev.hotline.core.Transcriber;
import dev.hotline.core.Transcript;
import dev.hotline.core.Utterance;
import dev.hotline.core.VoiceActivityDetector;
import dev.hotline.core.conversation.Conversation;
import dev.hotline.core.text.SentenceChunker;
import dev.hotline.core.text.TranscriptFilter;
import dev.hotline.core.turn.Decoder;
import dev.hotline.core.turn.TurnDetector;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One call, driven from start to end: the state machine ({@link CallState}), turn detection in audio time,
 * the streaming turn pipeline, barge-in, idle prompts, limits and the planned failure paths.
 *
 * <p><b>Threads.</b> Inbound events run on the transport's thread and only do bounded work under the
 * session's lock: decode, VAD, turn detection, timers in audio time, state changes. Each reply runs on two
 * virtual threads: one transcribes and streams the reply text into a bounded piece queue, the other
 * synthesizes piece after piece into the {@link Playout}, so piece N+1 is synthesized while piece N plays.
 * Lock order: session, then playout; the playout calls back without holding its own lock.
 *
 * <p><b>Time.</b> The call's clock is its inbound audio: every timer (end of turn, barge-in, idle prompts,
 * the silence bound, the maximum call length) counts frames. The monotonic clock only measures latency.
 *
 * <p><b>End.</b> When the transport reports the stop (or the engine forces an end) the call's
 * {@link CancelSignal} is cancelled, which stops every provider call and thread of the call, buffers are
 * released, and {@link CallEvent.CallEnded} is the last event.
 */
public final class CallSession implements CallHandle {

    /** How long (audio time) a goodbye may take to play before the call is hung up anyway. */
    private static final long FAREWELL_GRACE_NANOS = Duration.ofSeconds(20).toNanos();
    /** The engine ends a call whose transport stopped delivering audio this long after its maximum length. */
    private static final Duration WALL_CLOCK_GRACE = Duration.ofMinutes(1);
    /** The most digits collected for one PIN attempt; more count as a (wrong) attempt. */
    private static final int MAX_PIN_DIGITS = 12;
    /** The most pieces waiting between the reply writer and the synthesizer. */
    private static final int PIECE_QUEUE_CAPACITY = 16;

    private final SessionContext ctx;
    private final CallSettings settings;
    private final Persona persona;
    private final CallTransport transport;
    private final AudioFormat format;
    private final String refusalMessage;
    private final Consumer<CallSession> onEnd;
    private final CancelSignal callCancel = new CancelSignal();
    private final Playout playout;
    private final SynthesisChain chain;
    private final RetryPolicy retry;
    private final TranscriptFilter filter;
    private final Conversation conversation;
    private final Transcriber.Hints hints;
    private final CountDownLatch endedLatch = new CountDownLatch(1);
    private final Object lock = new Object();
    private final long createdNanos;

    // Guarded by lock.
    private CallState state = CallState.CONNECTING;
    private volatile CallInfo info;
    private Decoder decoder;
    private VoiceActivityDetector vad;
    private TurnDetector detector;
    private long audioNanos;
    private long lastActivityNanos;
    private int idlePromptsSpoken;
    private int turns;
    private Speech current;
    private int speechSegment;
    private int wordCheckSegment = -1;
    private boolean wordCheckRunning;
    private Utterance heldUtterance;
    private CarriedTurn carried;
    /** The turn so far being transcribed in the caller's pause, or {@code null} (see {@link #checkEarlyTranscript}). */
    private EarlyTranscript early;
    private String endReason;
    private long farewellDeadlineNanos = Long.MAX_VALUE;
    private final StringBuilder pinDigits = new StringBuilder();
    private int pinFailures;
    private byte[] fillerAudio;
    private volatile boolean ended;

    private CallSession(SessionContext ctx, CallTransport transport, String refusalMessage,
            Consumer<CallSession> onEnd) {
        this.ctx = ctx;
        this.settings = ctx.settings();
        this.persona = ctx.persona();
        this.transport = Objects.requireNonNull(transport, "transport");
        this.format = Objects.requireNonNull(transport.audioFormat(), "transport.audioFormat()");
        this.refusalMessage = refusalMessage;
        this.onEnd = Objects.requireNonNull(onEnd, "onEnd");
        this.chain = new SynthesisChain(ctx.synthesizers());
        this.retry = RetryPolicy.from(settings);
        this.filter = new TranscriptFilter(settings.hallucinations(), settings.maxTranscriptChars());
        this.conversation = new Conversation(persona.systemPrompt(), settings.historyMessages(),
                settings.maxExchanges());
        this.hints = new Transcriber.Hints(persona.language(), persona.vocabulary());
        this.playout = new Playout(transport, format, settings.playoutChunkMs(), settings.maxQueuedMs(),
                settings.maxBufferedAudio().toMillis(), new PlayoutCallbacks());
        this.createdNanos = ctx.nanoTime().getAsLong();
    }

    /** A session that converses with the caller; {@code onEnd} runs once when it ended. */
    public static CallSession conversation(SessionContext context, CallTransport transport,
            Consumer<CallSession> onEnd) {
        return new CallSession(context, transport, null, onEnd);
    }

    /** A session that speaks {@code message} and hangs up; {@code onEnd} runs once when it ended. */
    public static CallSession refusal(SessionContext context, CallTransport transport, String message,
            Consumer<CallSession> onEnd) {
        return new CallSession(context, transport, Objects.requireNonNull(message, "message"), onEnd);
    }

    /** Starts the transport with this session as its listener. */
    public void start() {
        try {
            transport.start(new Inbound());
        } catch (RuntimeException e) {
            synchronized (lock) {
                emit(new CallEvent.Error(callId(), now(), "transport", e, true));
                finish("transport failed");
            }
        }
    }

    @Override
    public Optional<CallInfo> call() {
        return Optional.ofNullable(info);
    }

    @Override
    public CallState state() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public boolean isEnded() {
        return ended;
    }

    @Override
    public void endCall(String reason) {
        synchronized (lock) {
            if (state == CallState.CONNECTING) {
                hangUpNow(reason);
                finish(reason);
            } else {
                beginFarewell(reason, persona.goodbye());
            }
        }
    }

    @Override
    public void hangUp(String reason) {
        synchronized (lock) {
            hangUpNow(reason);
            finish(reason);
        }
    }

    @Override
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        return endedLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Whether the call outlived its maximum length by the wall clock (its transport went quiet). */
    public boolean overdue(long nowNanos) {
        return nowNanos - createdNanos > settings.maxCallLength().plus(WALL_CLOCK_GRACE).toNanos();
    }

    // ---- inbound, on the transport's thread

    private final class Inbound implements CallTransport.Listener {
        @Override
        public void onStart(CallInfo call) {
            synchronized (lock) {
                if (state != CallState.CONNECTING || ended) {
                    return;
                }
                info = Objects.requireNonNull(call, "call");
                decoder = new Decoder(format);
                vad = ctx.vad().create(format.sampleRate());
                detector = new TurnDetector(settings, format.sampleRate());
                emit(new CallEvent.CallStarted(call.callId(), now(), call));
                if (refusalMessage != null) {
                    beginFarewell("refused", refusalMessage);
                } else if (settings.accessPin() != null) {
                    setState(CallState.PIN);
                    speakLine(Speech.Kind.PIN_PROMPT, settings.pinPrompt());
                } else {
                    setState(CallState.GREETING);
                    speakLine(Speech.Kind.GREETING, persona.greeting());
                }
            }
        }

        @Override
        public void onAudio(byte[] frame) {
            synchronized (lock) {
                if (state == CallState.CONNECTING || ended) {
                    return;
                }
                onFrame(frame);
            }
        }

        @Override
        public void onDtmf(char digit) {
            synchronized (lock) {
                if (state == CallState.CONNECTING || ended) {
                    return;
                }
                emit(new CallEvent.DtmfReceived(callId(), now(), digit));
                lastActivityNanos = audioNanos;
                if (state == CallState.PIN) {
                    onPinDigit(digit);
                }
            }
        }

        @Override
        public void onMark(String name) {
            playout.onMark(name);
        }

        @Override
        public void onStop() {
            synchronized (lock) {
                finish(endReason != null ? endReason : "caller hung up");
            }
        }
    }

    private void onFrame(byte[] frame) {
        audioNanos += format.durationOf(frame.length).toNanos();
        int n = decoder.decode(frame);
        float p = vad.speechProbability(decoder.samples(), 0, n);
        TurnDetector.Event event = detector.onFrame(decoder.samples(), n, p);
        playout.tick();
        if (ended) {
            return;
        }
        if (state == CallState.ENDING) {
            if (audioNanos >= farewellDeadlineNanos) {
                hangUpNow(endReason);
            }
            return;
        }
        if (audioNanos >= settings.maxCallLength().toNanos()) {
            beginFarewell("max duration", persona.goodbye());
            return;
        }
        if (event == TurnDetector.Event.SPEECH_STARTED) {
            speechSegment++;
            idlePromptsSpoken = 0;
            carryUnansweredTurn();
        }
        if (detector.hearingSpeech()) {
            lastActivityNanos = audioNanos;
        }
        checkBargeIn();
        checkEarlyTranscript();
        if (event == TurnDetector.Event.TURN_ENDED) {
            onUtterance(detector.takeUtterance());
            if (early != null) { // the turn was not answered, or not with it
                early.cancel.cancel("not used");
                early = null;
            }
        }
        checkSlowReply();
        checkIdle();
    }

    /**
     * The caller began a new utterance while the persona was still thinking (no reply audio sent): the caller
     * had not finished. The turn's provider calls are cancelled and it is answered together with the new
     * utterance when that ends ({@link #startTurn}).
     */
    private void carryUnansweredTurn() {
        Speech speech = current;
        if (speech == null || speech.kind != Speech.Kind.REPLY || state != CallState.THINKING) {
            return;
        }
        speech.cancel.cancel("caller went on");
        playout.clear(speech);
        current = null;
        if (speech.userAdded) {
            conversation.retractLastUser(speech.transcript);
            carried = CarriedTurn.ofTranscript(speech.transcript);
        } else {
            carried = CarriedTurn.ofAudio(speech.utterance, speech.utteranceEndAudioNanos, speech.carriedTranscript);
        }
        speech.utterance = null;
        emit(new CallEvent.BargeIn(callId(), now(), speech.turn, 0));
        setState(CallState.LISTENING);
    }

    private void checkBargeIn() {
        Speech speech = current;
        if (speech == null || !speech.kind.interruptible() || !detector.inTurn()
                || detector.voicedSoFar().compareTo(settings.bargeIn()) < 0) {
            return;
        }
        if (settings.bargeInMinWords() == 0) {
            bargeIn(speech);
        } else if (wordCheckSegment != speechSegment) {
            startWordCheck(speech, detector.snapshot());
        }
    }

    /**
     * With {@code earlyTranscript} set: once the caller's pause in a turn has lasted that long, and nothing else is
     * going on (no speech of the persona's, no turn carried), the turn so far goes to the transcriber; more
     * speech in the turn cancels that and a later pause starts another. {@link #startTurn} takes the one left.
     */
    private void checkEarlyTranscript() {
        EarlyTranscript running = early;
        if (running != null && detector.inTurn() && !detector.voicedSoFar().equals(running.voiced)) {
            running.cancel.cancel("caller went on");
            early = null;
        }
        if (early != null || settings.earlyTranscript().isZero() || !detector.inTurn() || current != null
                || carried != null || state != CallState.LISTENING
                || detector.silenceSoFar().compareTo(settings.earlyTranscript()) < 0) {
            return;
        }
        Utterance soFar = detector.utteranceIfEndedNow();
        EarlyTranscript started = new EarlyTranscript(speechSegment, detector.voicedSoFar(), callCancel.child());
        early = started;
        startThread(() -> {
            try {
                Transcript t = ctx.transcriber().transcribe(soFar, hints, started.cancel);
                reportSttUsage(t);
                started.succeeded(t);
            } catch (CancelledException e) {
                started.failed(e);
            } catch (IOException | RuntimeException e) {
                if (started.cancel.isCancelled()) { // a client may fail its own way when cancelled
                    started.failed(new CancelledException(started.cancel.reason()));
                } else {
                    error("stt", e); // a failed attempt, as each of the retry loop's is; the turn's end tries again
                    started.failed(e);
                }
            }
        });
    }

    /** Reports the audio one transcription billed, whatever became of its transcript. */
    private void reportSttUsage(Transcript transcript) {
        emit(new CallEvent.UsageReported(callId(), now(), "stt", ctx.transcriber().name(),
                transcript.usage().audioSeconds(), 0, 0, 0, false));
    }

    private void onUtterance(Utterance utterance) {
        if (state == CallState.PIN || state == CallState.ENDING) {
            emit(new CallEvent.UtteranceDropped(callId(), now(), "", "not listening in state " + state));
            return;
        }
        if (current != null) {
            if (wordCheckRunning && wordCheckSegment == speechSegment) {
                heldUtterance = utterance;
                return;
            }
            emit(new CallEvent.UtteranceDropped(callId(), now(), "", "too short to interrupt"));
            return;
        }
        startTurn(utterance);
    }

    private void checkSlowReply() {
        Speech speech = current;
        if (speech == null || speech.kind != Speech.Kind.REPLY || speech.firstAudioSent != 0) {
            return;
        }
        long waited = audioNanos - speech.startAudioNanos;
        if (waited >= settings.responderTimeout().toNanos() && !speech.timedOut) {
            speech.timedOut = true;
            CancelSignal stage = speech.stage;
            if (stage != null) {
                stage.cancel("timeout");
            }
        } else if (audioNanos - speech.heardUntilNanos >= settings.silenceBound().toNanos() && !speech.timedOut) {
            speech.heardUntilNanos = audioNanos;
            startThread(() -> speakFiller(speech));
        }
    }

    private void checkIdle() {
        if (current != null || detector.hearingSpeech()
                || (state != CallState.LISTENING && state != CallState.PIN)
                || audioNanos - lastActivityNanos < settings.idlePromptAfter().toNanos()) {
            return;
        }
        lastActivityNanos = audioNanos;
        if (idlePromptsSpoken >= settings.idlePromptsBeforeGoodbye()) {
            beginFarewell("idle caller", persona.goodbye());
            return;
        }
        if (state == CallState.PIN) {
            idlePromptsSpoken++;
            speakLine(Speech.Kind.PIN_PROMPT, settings.pinPrompt());
            return;
        }
        String prompt = persona.idlePrompts().get(Math.min(idlePromptsSpoken, persona.idlePrompts().size() - 1));
        idlePromptsSpoken++;
        speakLine(Speech.Kind.LINE, prompt);
    }

    private void onPinDigit(char digit) {
        if (current != null && current.kind == Speech.Kind.PIN_PROMPT) {
            current.cancel.cancel("dtmf");
            playout.clear(current);
            current = null;
        }
        String pin = settings.accessPin();
        if (digit != '#') {
            pinDigits.append(digit);
        }
        boolean submitted = digit == '#' || pinDigits.length() >= MAX_PIN_DIGITS;
        boolean typedInFull = pinDigits.length() == pin.length() && pin.contentEquals(pinDigits);
        if (!submitted && !typedInFull) {
            return;
        }
        boolean right = MessageDigest.isEqual(pin.getBytes(StandardCharsets.US_ASCII),
                pinDigits.toString().getBytes(StandardCharsets.US_ASCII));
        pinDigits.setLength(0);
        if (right) {
            setState(CallState.GREETING);
            speakLine(Speech.Kind.GREETING, persona.greeting());
            return;
        }
        pinFailures++;
        emit(new CallEvent.Error(callId(), now(), "pin", new SecurityException("wrong PIN, try " + pinFailures
                + " of " + settings.pinTries()), false));
        if (pinFailures >= settings.pinTries()) {
            beginFarewell("wrong PIN", settings.pinRejected());
        } else {
            speakLine(Speech.Kind.PIN_PROMPT, settings.pinRetryPrompt());
        }
    }

    // ---- speaking

    /**
     * Starts a fixed line; the caller must hold the lock and nothing else may be speaking. The line's
     * pieces all fit its queue, so queueing them never waits (which it must not, under the lock).
     */
    private void speakLine(Speech.Kind kind, String text) {
        List<String> pieces = SentenceChunker.pieces(text, settings.maxPieceChars());
        Speech speech = new Speech(kind, turns, callCancel.child(), Math.max(PIECE_QUEUE_CAPACITY, pieces.size()), 0,
                0, audioNanos);
        current = speech;
        try {
            pieces.forEach(piece -> putPiece(speech, piece));
        } finally {
            speech.pieces.end();
        }
        startThread(() -> synthesize(speech));
    }

    private static void putPiece(Speech speech, String piece) {
        try {
            speech.pieces.put(piece);
        } catch (CancelledException e) {
            throw new IllegalStateException("a new line cannot be cancelled before it starts", e);
        }
    }

    private void startTurn(Utterance said) {
        turns++;
        long silence = detector.lastTurnEndedBySilence() ? settings.endOfTurnSilence().toNanos() : 0;
        Speech speech = new Speech(Speech.Kind.REPLY, turns, callCancel.child(), PIECE_QUEUE_CAPACITY,
                ctx.nanoTime().getAsLong(), silence, audioNanos);
        long end = audioNanos - detector.trailingSilenceDropped().toNanos();
        CarriedTurn earlier = carried;
        carried = null;
        Utterance utterance = earlier == null || earlier.audio() == null ? said
                : CarriedTurn.join(earlier.audio(), end - said.duration().toNanos() - earlier.audioEndNanos(), said,
                        maxUtteranceBytes());
        if (earlier != null) {
            speech.carriedTranscript = earlier.transcript();
        }
        EarlyTranscript pending = early;
        if (pending != null && earlier == null && detector.lastTurnEndedBySilence() && pending.segment == speechSegment) {
            early = null;
            speech.early = pending;
            speech.cancel.onCancel(() -> pending.cancel.cancel("turn cancelled"));
        }
        speech.utterance = utterance;
        speech.utteranceEndAudioNanos = end;
        current = speech;
        setState(CallState.THINKING);
        emit(new CallEvent.TurnStarted(callId(), now(), turns, utterance.duration()));
        startThread(() -> reply(speech));
        startThread(() -> synthesize(speech));
    }

    /** The reply writer: transcribe, filter, remember, stream the reply into pieces. On its own thread. */
    private void reply(Speech speech) {
        try {
            Transcript transcript;
            CancelSignal stt = stage(speech);
            boolean fresh;
            try {
                transcript = speech.early == null ? null : speech.early.await(stt);
                fresh = transcript == null;
                if (fresh) {
                    transcript = transcribeAfresh(speech, stt);
                }
            } catch (CancelledException e) {
                if (speech.cancel.isCancelled()) {
                    throw e;
                }
                error("stt", new ProviderException(ctx.transcriber().name(), ProviderException.Kind.TIMEOUT,
                        "no transcript within responderTimeout (" + settings.responderTimeout() + ")"));
                keepCarriedTranscript(speech);
                speech.pieces.put(persona.didNotCatch());
                return;
            } catch (IOException | RuntimeException e) {
                error("stt", e);
                speech.transcriptReady = ctx.nanoTime().getAsLong();
                keepCarriedTranscript(speech);
                speech.pieces.put(persona.didNotCatch());
                return;
            }
            speech.transcriptReady = ctx.nanoTime().getAsLong();
            if (fresh) { // an early transcript's usage was reported when it came
                reportSttUsage(transcript);
            }
            Responder.Request request;
            synchronized (lock) {
                speech.cancel.throwIfCancelled();
                TranscriptFilter.Result result = filter.filter(transcript.text());
                String earlier = speech.carriedTranscript;
                if (result instanceof TranscriptFilter.Result.Dropped dropped) {
                    emit(new CallEvent.UtteranceDropped(callId(), now(), dropped.text(), dropped.why()));
                    if (earlier == null) {
                        speech.cancel.cancel("dropped");
                        current = null;
                        lastActivityNanos = audioNanos;
                        setState(CallState.LISTENING);
                        return;
                    }
                }
                String text = joinTranscripts(earlier, result);
                speech.utterance = null;
                speech.transcript = text;
                speech.userAdded = true;
                conversation.addUser(text);
                request = new Responder.Request(conversation.messages(), settings.maxReplyTokens());
            }
            respond(speech, request);
        } catch (CancelledException e) {
            // Barge-in, hang-up or the end of the call: whoever cancelled has dealt with the turn.
        } finally {
            speech.pieces.end();
        }
    }

    /**
     * Transcribes the turn's own audio, there being no early transcript to use. The audio is looked up here
     * rather than held by the reply thread: it is the largest thing a turn allocates (16 KB a second of
     * speech), and while the reply thread referenced it for the whole reply every young collection in between
     * copied it.
     */
    private Transcript transcribeAfresh(Speech speech, CancelSignal stt) throws IOException, CancelledException {
        Utterance utterance;
        synchronized (lock) {
            speech.cancel.throwIfCancelled();
            utterance = speech.utterance;
        }
        if (utterance == null) {
            throw new IllegalStateException("turn " + speech.turn + " has no audio to transcribe");
        }
        return retry.call(stt, () -> ctx.transcriber().transcribe(utterance, hints, stt), () -> true,
                e -> error("stt", e));
    }

    /**
     * The new utterance could not be transcribed: the earlier words carried into this turn go back into the
     * conversation, so the caller's next turn is answered knowing them.
     */
    private void keepCarriedTranscript(Speech speech) throws CancelledException {
        synchronized (lock) {
            speech.cancel.throwIfCancelled();
            if (speech.carriedTranscript != null) {
                conversation.addUser(speech.carriedTranscript);
                speech.carriedTranscript = null;
            }
        }
    }

    /** The accepted text of {@code result}, after the carried {@code earlier} transcript if there is one. */
    private String joinTranscripts(String earlier, TranscriptFilter.Result result) {
        if (!(result instanceof TranscriptFilter.Result.Accepted accepted)) {
            return earlier;
        }
        if (earlier == null) {
            return accepted.text();
        }
        return filter.filter(earlier + " " + accepted.text()) instanceof TranscriptFilter.Result.Accepted joined
                ? joined.text() : earlier;
    }

    private int maxUtteranceBytes() {
        long samples = settings.preRoll().plus(settings.maxUtterance()).toNanos() * format.sampleRate()
                / 1_000_000_000L;
        return Math.toIntExact(2 * samples);
    }

    private CancelSignal stage(Speech speech) {
        CancelSignal stage = speech.cancel.child();
        speech.stage = stage;
        synchronized (lock) {
            if (speech.timedOut) {
                stage.cancel("timeout");
            }
        }
        return stage;
    }

    private void respond(Speech speech, Responder.Request request) throws CancelledException {
        ReplyWriter writer = new ReplyWriter(speech);
        CancelSignal llm = stage(speech);
        try {
            Responder.Usage usage = retry.call(llm, () -> ctx.responder().respond(request, writer, llm),
                    () -> !writer.anyText(), e -> error("llm", e));
            writer.finish();
            emit(new CallEvent.UsageReported(callId(), now(), "llm", ctx.responder().name(), 0,
                    usage.promptTokens(), usage.completionTokens(), 0, false));
            return;
        } catch (CancelledException e) {
            if (speech.cancel.isCancelled()) {
                throw e;
            }
            if (writer.full()) {
                writer.finish();
                return;
            }
            error("llm", new ProviderException(ctx.responder().name(), ProviderException.Kind.TIMEOUT,
                    "no reply within responderTimeout (" + settings.responderTimeout() + ")"));
        } catch (IOException | RuntimeException e) {
            error("llm", e);
        }
        if (!writer.anyText() && ctx.fallbackResponder() != null && !speech.timedOut) {
            ReplyWriter fallback = new ReplyWriter(speech);
            CancelSignal second = stage(speech);
            try {
                ctx.fallbackResponder().respond(request, fallback, second);
                fallback.finish();
                return;
            } catch (CancelledException e) {
                if (speech.cancel.isCancelled()) {
                    throw e;
                }
                if (fallback.anyText()) {
                    fallback.finish();
                    return;
                }
            } catch (IOException | RuntimeException e) {
                error("llm", e);
                if (fallback.anyText()) {
                    speech.pieces.put(persona.apology());
                    return;
                }
            }
        }
        speech.pieces.put(persona.apology());
    }

    /** Receives reply deltas, cuts them into pieces and caps the reply's length. */
    private final class ReplyWriter implements Responder.TextSink {
        private final Speech speech;
        private final SentenceChunker chunker = new SentenceChunker(settings.maxPieceChars(),
                settings.firstPieceMinChars());
        private final AtomicBoolean anyText = new AtomicBoolean();
        private int chars;
        private boolean full;

        ReplyWriter(Speech speech) {
            this.speech = speech;
        }

        @Override
        public void onText(String delta) {
            if (full || delta.isEmpty()) {
                return;
            }
            if (speech.firstReplyText == 0) {
                speech.firstReplyText = ctx.nanoTime().getAsLong();
            }
            anyText.set(true);
            chunker.append(delta, this::emit);
        }

        private void emit(String piece) {
            if (full) {
                return;
            }
            String text = piece;
            if (chars + text.length() > settings.maxReplyChars()) {
                int room = settings.maxReplyChars() - chars;
                int blank = text.lastIndexOf(' ', room);
                text = blank > 0 ? text.substring(0, blank) : "";
                full = true;
                CancelSignal stage = speech.stage;
                if (stage != null) {
                    stage.cancel("reply long enough");
                }
            }
            if (text.isBlank()) {
                return;
            }
            chars += text.length();
            if (speech.firstSentenceReady == 0) {
                speech.firstSentenceReady = ctx.nanoTime().getAsLong();
            }
            try {
                speech.pieces.put(text);
            } catch (CancelledException e) {
                speech.stage.cancel("speech cancelled");
            }
        }

        void finish() {
            if (!full) {
                chunker.finish(this::emit);
            }
        }

        boolean anyText() {
            return anyText.get();
        }

        boolean full() {
            return full;
        }
    }

    /** The synthesizer side of a speech: piece after piece into the playout. On its own thread. */
    private void synthesize(Speech speech) {
        long characters = 0;
        try {
            String previous = null;
            String piece;
            if (settings.streamingSynthesis() && chain.current() instanceof StreamingSynthesizer streaming) {
                characters += synthesizeStreaming(speech, streaming);
            }
            while ((piece = speech.pieces.take()) != null) {
                int index = playout.addPiece(speech, piece);
                characters += speakPiece(speech, index, piece, previous);
                playout.pieceDone(speech, index);
                previous = piece;
            }
            Synthesizer used = chain.current();
            if (characters > 0 && used != null) {
                emit(new CallEvent.UsageReported(callId(), now(), "tts", used.name(), 0, 0, 0, characters, false));
            }
            playout.finish(speech);
        } catch (CancelledException e) {
            // Cut by barge-in or the end of the call.
        } catch (SynthesisChain.Exhausted e) {
            synchronized (lock) {
                emit(new CallEvent.Error(callId(), now(), "tts", e, true));
                hangUpNow("no synthesizer left");
            }
        }
    }

    /** Speaks one piece with the current synthesizer, falling back along the chain; returns characters billed. */
    private long speakPiece(Speech speech, int index, String text, String previous)
            throws CancelledException, SynthesisChain.Exhausted {
        while (true) {
            Synthesizer synthesizer = chain.current();
            if (synthesizer == null) {
                throw new SynthesisChain.Exhausted(null);
            }
            AtomicBoolean delivered = new AtomicBoolean();
            Synthesizer.AudioSink sink = chunk -> {
                delivered.set(true);
                if (speech.firstAudio == 0) {
                    speech.firstAudio = ctx.nanoTime().getAsLong();
                }
                playout.write(speech, index, chunk);
            };
            Synthesizer.Request request = new Synthesizer.Request(text, format, previous, null);
            try {
                return retry.call(speech.cancel, () -> synthesizer.synthesize(request, sink, speech.cancel),
                        () -> !delivered.get(), e -> error("tts", e)).characters();
            } catch (CancelledException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                if (speech.cancel.isCancelled()) {
                    throw new CancelledException(speech.cancel.reason());
                }
                if (chain.failed(synthesizer)) {
                    error("tts", e);
                }
                if (chain.current() == null) {
                    throw new SynthesisChain.Exhausted(e instanceof ProviderException p ? p : null);
                }
                if (delivered.get()) {
                    return 0;
                }
            }
        }
    }

    /**
     * Feeds the whole reply to a streaming synthesizer. If the stream fails before any audio, what it was
     * given is spoken by the next synthesizer in the chain; the rest of the reply goes piece by piece.
     */
    private long synthesizeStreaming(Speech speech, StreamingSynthesizer synthesizer)
            throws CancelledException, SynthesisChain.Exhausted {
        int index = playout.addPiece(speech, "");
        StringBuilder said = new StringBuilder();
        AtomicBoolean delivered = new AtomicBoolean();
        Synthesizer.AudioSink sink = chunk -> {
            delivered.set(true);
            if (speech.firstAudio == 0) {
                speech.firstAudio = ctx.nanoTime().getAsLong();
            }
            playout.write(speech, index, chunk);
        };
        // Opening (a WebSocket handshake, say) is retried like any provider call; nothing was sent yet.
        try (StreamingSynthesizer.SpeechStream stream = retry.call(speech.cancel,
                () -> synthesizer.open(format, sink, speech.cancel), () -> true, e -> error("tts", e))) {
            String piece;
            while ((piece = speech.pieces.take()) != null) {
                said.append(piece).append(' ');
                playout.appendPieceText(speech, index, piece + " ");
                stream.append(piece + " ");
                stream.flush();
            }
            return stream.finish().characters();
        } catch (CancelledException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            if (speech.cancel.isCancelled()) {
                throw new CancelledException(speech.cancel.reason());
            }
            if (chain.failed(synthesizer)) {
                error("tts", e);
            }
            if (delivered.get() || said.isEmpty()) {
                return 0;
            }
            if (chain.current() == null) {
                throw new SynthesisChain.Exhausted(e instanceof ProviderException p ? p : null);
            }
            return speakPiece(speech, index, said.toString().strip(), null);
        } finally {
            playout.pieceDone(speech, index);
        }
    }

    /**
     * Speaks the filler phrase while a slow reply has nothing queued yet. Repeated each time the caller has
     * heard nothing for {@code silenceBound} (the filler's own length counts as heard).
     */
    private void speakFiller(Speech speech) {
        byte[] audio;
        synchronized (lock) {
            audio = fillerAudio;
        }
        if (audio == null) {
            Synthesizer synthesizer = chain.current();
            if (synthesizer == null) {
                return;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try {
                synthesizer.synthesize(Synthesizer.Request.of(settings.fillerPhrase(), format), out::writeBytes,
                        speech.cancel);
            } catch (CancelledException e) {
                return;
            } catch (IOException e) {
                error("tts", e);
                return;
            }
            audio = out.toByteArray();
            synchronized (lock) {
                fillerAudio = audio;
            }
        }
        if (playout.writeFiller(speech, audio)) {
            synchronized (lock) {
                speech.heardUntilNanos = audioNanos + format.durationOf(audio.length).toNanos();
            }
        }
    }

    private void startWordCheck(Speech speech, Utterance soFar) {
        if (soFar == null) {
            return;
        }
        wordCheckSegment = speechSegment;
        wordCheckRunning = true;
        int segment = speechSegment;
        CancelSignal cancel = callCancel.child();
        startThread(() -> {
            int words = 0;
            try {
                Transcript t = ctx.transcriber().transcribe(soFar, hints, cancel);
                String text = t.text().strip();
                words = text.isEmpty() ? 0 : text.split("\\s+").length;
                reportSttUsage(t);
            } catch (CancelledException e) {
                return;
            } catch (IOException e) {
                error("stt", e);
            }
            synchronized (lock) {
                wordCheckRunning = false;
                Utterance held = heldUtterance;
                heldUtterance = null;
                if (ended || segment != speechSegment) {
                    return;
                }
                if (words >= settings.bargeInMinWords() && current == speech && !speech.cancel.isCancelled()) {
                    bargeIn(speech);
                    if (held != null) {
                        startTurn(held);
                    }
                } else if (held != null) {
                    emit(new CallEvent.UtteranceDropped(callId(), now(), "", "too few words to interrupt"));
                }
            }
        });
    }

    // ---- state changes, under the lock

    private void bargeIn(Speech speech) {
        speech.cancel.cancel("barge-in");
        playout.clear(speech);
        String heard = playout.heardText(speech);
        current = null;
        emit(new CallEvent.BargeIn(callId(), now(), speech.turn, heard.length()));
        if (speech.kind == Speech.Kind.REPLY) {
            if (speech.userAdded) {
                conversation.addAssistant(heard);
            }
            emit(new CallEvent.TurnCompleted(callId(), now(), speech.turn, speech.transcript, heard,
                    timings(speech), true));
        }
        setState(CallState.LISTENING);
    }

    /**
     * The call's last reply is all at the transport: it counts as said now and the goodbye is queued right
     * behind it, so the caller hears one after the other with no pause for the marks' round trip and the
     * goodbye's synthesis. The up to {@code maxQueuedMs} of the reply still queued plays out; a barge-in can
     * no longer cut it (the call is ending).
     */
    private void onAllSent(Speech speech) {
        if (speech != current || ended || state == CallState.ENDING || speech.kind != Speech.Kind.REPLY
                || !speech.userAdded || conversation.exchanges() + 1 < settings.maxExchanges()) {
            return;
        }
        String said = playout.fullText(speech);
        conversation.addAssistant(said);
        emit(new CallEvent.TurnCompleted(callId(), now(), speech.turn, speech.transcript, said, timings(speech),
                false));
        current = null;
        beginFarewell("exchange limit", persona.goodbye());
    }

    private void onPlayed(Speech speech) {
        if (speech != current || ended) {
            return;
        }
        current = null;
        lastActivityNanos = audioNanos;
        switch (speech.kind) {
            case GREETING, LINE -> setState(CallState.LISTENING);
            case PIN_PROMPT -> {
            }
            case REPLY -> {
                String said = playout.fullText(speech);
                if (speech.userAdded) {
                    conversation.addAssistant(said);
                }
                emit(new CallEvent.TurnCompleted(callId(), now(), speech.turn, speech.transcript, said,
                        timings(speech), false));
                setState(CallState.LISTENING);
                if (conversation.limitReached()) {
                    beginFarewell("exchange limit", persona.goodbye());
                }
            }
            case FAREWELL -> hangUpNow(endReason);
        }
    }

    private void beginFarewell(String reason, String words) {
        if (ended || state == CallState.ENDING) {
            return;
        }
        endReason = reason;
        carried = null;
        Speech speech = current;
        if (speech != null) {
            speech.cancel.cancel(reason);
            playout.clear(speech);
            if (speech.kind == Speech.Kind.REPLY && speech.userAdded) {
                String heard = playout.heardText(speech);
                conversation.addAssistant(heard);
                emit(new CallEvent.TurnCompleted(callId(), now(), speech.turn, speech.transcript, heard,
                        timings(speech), true));
            }
            current = null;
        }
        setState(CallState.ENDING);
        farewellDeadlineNanos = audioNanos + FAREWELL_GRACE_NANOS;
        speakLine(Speech.Kind.FAREWELL, words);
    }

    private void hangUpNow(String reason) {
        if (endReason == null) {
            endReason = reason;
        }
        try {
            transport.hangUp();
        } catch (RuntimeException e) {
            emit(new CallEvent.Error(callId(), now(), "transport", e, true));
            finish(endReason);
        }
    }

    /** Ends the call for good. Idempotent. */
    void finish(String reason) {
        if (ended) {
            return;
        }
        ended = true;
        callCancel.cancel("call ended");
        playout.close();
        CallState from = state;
        state = CallState.ENDED;
        if (info != null) {
            emit(new CallEvent.StateChanged(callId(), now(), from.name(), CallState.ENDED.name()));
            emit(new CallEvent.CallEnded(callId(), now(), reason, Duration.ofNanos(audioNanos)));
        }
        current = null;
        heldUtterance = null;
        carried = null;
        detector = null;
        vad = null;
        decoder = null;
        fillerAudio = null;
        conversation.clear();
        endedLatch.countDown();
        onEnd.accept(this);
    }

    private void setState(CallState next) {
        if (state == next) {
            return;
        }
        CallState from = state;
        state = next;
        emit(new CallEvent.StateChanged(callId(), now(), from.name(), next.name()));
    }

    private CallEvent.TurnTimings timings(Speech s) {
        return new CallEvent.TurnTimings(since(s, s.transcriptReady), since(s, s.firstReplyText),
                since(s, s.firstSentenceReady), since(s, s.firstAudio), since(s, s.firstAudioSent),
                s.startNanos == 0 ? null : Duration.ofNanos(s.startAudioNanos - s.silenceOffsetNanos));
    }

    private static Duration since(Speech s, long at) {
        return at == 0 || s.startNanos == 0 ? null : Duration.ofNanos(at - s.startNanos + s.silenceOffsetNanos);
    }

    private void error(String stage, Throwable cause) {
        emit(new CallEvent.Error(callId(), now(), stage, cause, false));
    }

    private void emit(CallEvent event) {
        if (ended && !(event instanceof CallEvent.CallEnded) && !(event instanceof CallEvent.StateChanged)) {
            return;
        }
        ctx.observer().onEvent(event);
    }

    private String callId() {
        CallInfo call = info;
        return call == null ? "unknown" : call.callId();
    }

    private Instant now() {
        return ctx.clock().instant();
    }

    private void startThread(Runnable task) {
        ctx.threads().newThread(task).start();
    }

    private final class PlayoutCallbacks implements Playout.Callbacks {
        @Override
        public void firstAudioSent(Speech speech) {
            if (speech.startNanos != 0 && speech.firstAudioSent == 0) {
                speech.firstAudioSent = ctx.nanoTime().getAsLong();
            }
            synchronized (lock) {
                if (speech == current && state == CallState.THINKING) {
                    setState(CallState.SPEAKING);
                }
            }
        }

        @Override
        public void allSent(Speech speech) {
            synchronized (lock) {
                onAllSent(speech);
            }
        }

        @Override
        public void played(Speech speech) {
            synchronized (lock) {
                onPlayed(speech);
            }
        }

        @Override
        public void transportFailed(RuntimeException failure) {
            synchronized (lock) {
                emit(new CallEvent.Error(callId(), now(), "transport", failure, true));
                hangUpNow("transport failed");
                finish("transport failed");
            }
        }
    }
}
