package dev.hotline.server;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

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

    @Override
    public void onEvent(CallEvent event) {
        try (MDC.MDCCloseable mdc = MDC.putCloseable("callSid", event.callId())) {
            switch (event) {
                case CallEvent.CallStarted started -> LOG.info("call started from {} to {}",
                        started.call().from(), started.call().to());
                case CallEvent.CallEnded ended -> LOG.info("call ended: {} after {} s", ended.reason(),
                        ended.duration().toSeconds());
                case CallEvent.StateChanged changed -> LOG.debug("state {} -> {}", changed.from(), changed.to());
                case CallEvent.TurnCompleted turn -> {
                    LOG.info("turn {} done: voice-to-voice {} ms{}", turn.turn(), millis(turn.timings().voiceToVoice()),
                            turn.interrupted() ? " (interrupted)" : "");
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
    }

    private static String millis(java.time.Duration duration) {
        return duration == null ? "-" : Long.toString(duration.toMillis());
    }

    private static String describe(Throwable cause) {
        return cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
