package dev.hotline.core;

/**
 * Watches calls: logging, metrics and call records are observers, so the engine never knows about them.
 *
 * <p><b>Threading.</b> {@link #onEvent} is called on the call's own threads, in the order events happen
 * within one call; events of different calls arrive concurrently. It must return quickly: hand slow work
 * (network, disk) to another thread.
 *
 * <p><b>Failures.</b> An observer that throws is logged once by the engine and never breaks the call.
 */
@FunctionalInterface
public interface CallObserver {

    /** Something happened on a call. */
    void onEvent(CallEvent event);

    /** An observer that ignores everything. */
    CallObserver NONE = event -> { };
}
