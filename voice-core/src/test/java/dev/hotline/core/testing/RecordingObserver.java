package dev.hotline.core.testing;

import dev.hotline.core.CallEvent;
import dev.hotline.core.CallObserver;
import java.util.ArrayList;
import java.util.List;

/** Keeps every event it sees, in order. Thread-safe. */
public final class RecordingObserver implements CallObserver {

    private final List<CallEvent> events = new ArrayList<>();

    @Override
    public synchronized void onEvent(CallEvent event) {
        events.add(event);
    }

    /** Every event so far. */
    public synchronized List<CallEvent> events() {
        return List.copyOf(events);
    }

    /** The events of one type so far. */
    public synchronized <E extends CallEvent> List<E> events(Class<E> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
