package dev.hotline.core.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.hotline.core.CallEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class SafeObserverTest {

    @Test
    void givenAnObserverThatKeepsThrowing_whenEventsArrive_thenNothingEscapesAndItIsLoggedOnce() {
        Logger logger = Logger.getLogger(SafeObserver.class.getName());
        List<LogRecord> records = new ArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                records.add(record);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(capture);
        boolean parent = logger.getUseParentHandlers();
        logger.setUseParentHandlers(false);
        try {
            SafeObserver observer = new SafeObserver(event -> {
                throw new IllegalStateException("metrics down");
            });
            CallEvent event = new CallEvent.DtmfReceived("CA1", Instant.EPOCH, '5');

            assertThatCode(() -> {
                observer.onEvent(event);
                observer.onEvent(event);
                observer.onEvent(event);
            }).doesNotThrowAnyException();

            assertThat(records).singleElement()
                    .satisfies(r -> assertThat(r.getThrown()).hasMessage("metrics down"));
        } finally {
            logger.removeHandler(capture);
            logger.setUseParentHandlers(parent);
        }
    }
}
