package dev.hotline.server;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallObserver;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs what the engine reports about calls, one JSON line per event with the call's {@code callSid} in the MDC.
 * Transcripts and replies are logged at DEBUG only (they are what callers said); timings, barge-ins, usage
 * and errors at INFO or WARN. Keys pressed are never logged (they may be the PIN). Never logs a secret: errors are logged by kind and message, which adapters keep
 * free of secrets.
 *
 * <p>Thread-safe and quick, as {@link CallObserver} requires.
 */
final class CallLog implements CallObserver {

    private static final Logger LOG = LoggerFactory.getLogger(CallLog.class);

    /** Calls whose stream id is remembered at most; the oldest is forgotten first if an end was missed. */
    private static final int MAX_REMEMBERED_CALLS = 1024;

    /** The stream of each running call, learned from its start event and forgotten at its end. */
    private final Map<String, String> streams = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > MAX_REMEMBERED_CALLS;
        }
    });

    @Override
    public void onEvent(CallEvent event) {
        if (event instanceof CallEvent.CallStarted started) {
            streams.put(started.callId(), started.call().streamId());
        }
        String streamSid = event instanceof CallEvent.CallEnded ? streams.remove(event.callId())
                : streams.get(event.callId());
        CallMdc.run(event.callId(), streamSid, () -> log(event));
    }

    private static void log(CallEvent event) {
        switch (event) {
            case CallEvent.CallStarted started -> LOG.info("call started from {} to {}",
                    started.call().from(), started.call().to());
            case CallEvent.CallEnded ended -> LOG.info("call ended: {} after {} s", ended.reason(),
                    ended.duration().toSeconds());
            case CallEvent.StateChanged changed -> LOG.debug("state {} -> {}", changed.from(), changed.to());
            case CallEvent.TurnCompleted turn -> {
                CallEvent.TurnTimings t = turn.timings();
                LOG.info("turn {} done: voice-to-voice {} ms (transcript {}, first text {}, first sentence {},"
                        + " first audio {}, sent {}; speech ended at {} ms of call audio){}", turn.turn(),
                        millis(t.voiceToVoice()), millis(t.transcriptReady()), millis(t.firstReplyText()),
                        millis(t.firstSentenceReady()), millis(t.firstAudio()), millis(t.firstAudioSent()),
                        millis(t.speechEndAudio()), turn.interrupted() ? " (interrupted)" : "");
                LOG.debug("turn {}: caller said \"{}\", persona said \"{}\"", turn.turn(), turn.transcript(),
                        turn.reply());
            }
            case CallEvent.TurnStarted started -> LOG.debug("turn {} started after {} ms of speech",
                    started.turn(), started.utterance().toMillis());
            case CallEvent.DtmfReceived dtmf -> LOG.debug("caller pressed a key");
            case CallEvent.UtteranceDropped dropped -> LOG.debug("utterance dropped: {}", dropped.why());
            case CallEvent.BargeIn bargeIn -> LOG.info("caller barged in on turn {} after {} characters",
                    bargeIn.turn(), bargeIn.heardChars());
            case CallEvent.UsageReported usage -> LOG.debug("usage {} {}: stt {} s, tokens {}+{}, tts {} chars{}",
                    usage.role(), usage.provider(), usage.sttSeconds(), usage.promptTokens(),
                    usage.completionTokens(), usage.ttsCharacters(), usage.cached() ? " (cached)" : "");
            case CallEvent.Error error -> LOG.warn("{} failed{}: {}", error.stage(),
                    error.fatal() ? " and ended the call" : "", describe(error.cause()));
        }
    }

    private static String millis(java.time.Duration duration) {
        return duration == null ? "-" : Long.toString(duration.toMillis());
    }

    private static String describe(Throwable cause) {
        return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
