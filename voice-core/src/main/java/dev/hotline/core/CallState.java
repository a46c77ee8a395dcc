package dev.hotline.core;

/**
 * Where a call is. The usual path is {@code GREETING -> LISTENING -> THINKING -> SPEAKING -> LISTENING ...
 * -> ENDING -> ENDED}; {@code PIN} sits before the greeting when an access PIN is configured.
 */
public enum CallState {
    /** Waiting for the transport to report the start of the media. */
    CONNECTING,
    /** Asking for and collecting the access PIN by DTMF. */
    PIN,
    /** Speaking the greeting; the caller may talk over it. */
    GREETING,
    /** Waiting for the caller to speak (or speaking an idle prompt or a short fixed line). */
    LISTENING,
    /** The caller finished a turn; transcribing it and writing the reply, nothing audible yet. */
    THINKING,
    /** Playing the reply. */
    SPEAKING,
    /** Saying goodbye; the call hangs up when it has played. */
    ENDING,
    /** Over. No event follows {@code CallEnded}. */
    ENDED
}
