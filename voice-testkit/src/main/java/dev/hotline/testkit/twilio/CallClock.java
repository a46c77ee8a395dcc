package dev.hotline.testkit.twilio;

import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The 20 ms clock every simulated call in the JVM shares: a few platform threads that each tick their calls
 * in deadline order, instead of one sleeping thread per call. Two hundred calls used to wake two hundred
 * threads fifty times a second; now the wake-ups are bounded by the threads and a time grid, whatever the
 * number of calls.
 *
 * <p><b>Timing.</b> A call's first tick is due one frame after it starts, rounded up to the next
 * {@link #GRID_NANOS} boundary, and each later tick exactly {@link SimulatedTwilioCaller#FRAME_NANOS} after
 * the previous one, so calls that start close together share wake-ups while still spreading over the frame.
 * A tick runs when its due time has come, never before; how late it ran is the call's to measure
 * (it is given its due time).
 *
 * <p><b>Threading.</b> {@link #schedule} may be called from any thread; ticks of one call never overlap and run
 * on one clock thread. A tick must not block: it only sends without waiting and takes short locks. The
 * threads are daemons, started with the first call, and park while no call is scheduled.
 */
final class CallClock {

    /** Due times are rounded up to this, so calls that start within it share a wake-up. */
    static final long GRID_NANOS = 2_000_000L;
    /** Clock threads: more than one keeps time when the OS deschedules one of them. */
    static final int THREADS = 2;

    /** What a clock ticks. */
    interface Ticking {
        /**
         * Runs the tick that was due at {@code dueNanos}.
         *
         * @return when the next tick is due, or -1 when the ticking is over
         */
        long tick(long dueNanos);

        /** A tick threw: the ticking is over, with this failure. */
        void failed(Throwable failure);
    }

    private static final CallClock SHARED = new CallClock();

    private final Worker[] workers = new Worker[THREADS];
    private final AtomicInteger next = new AtomicInteger();

    private CallClock() {
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
            Thread.ofPlatform().daemon().name("twilio-caller-clock-" + i).start(workers[i]);
        }
    }

    static CallClock shared() {
        return SHARED;
    }

    /** Ticks {@code ticking} first one frame after {@code startNanos} (on the grid), then every frame. */
    void schedule(Ticking ticking, long startNanos) {
        long first = startNanos + SimulatedTwilioCaller.FRAME_NANOS;
        long due = Math.floorDiv(first + GRID_NANOS - 1, GRID_NANOS) * GRID_NANOS;
        workers[Math.floorMod(next.getAndIncrement(), workers.length)].add(new Entry(ticking, due));
    }

    private static final class Entry implements Comparable<Entry> {
        final Ticking ticking;
        long due;

        Entry(Ticking ticking, long due) {
            this.ticking = ticking;
            this.due = due;
        }

        @Override
        public int compareTo(Entry other) {
            return Long.compare(due - other.due, 0);
        }
    }

    /** One clock thread: its calls in a deadline queue; new ones arrive through {@link #inbox}. */
    private static final class Worker implements Runnable {
        private final ConcurrentLinkedQueue<Entry> inbox = new ConcurrentLinkedQueue<>();
        private final PriorityQueue<Entry> due = new PriorityQueue<>();
        private volatile Thread thread;

        void add(Entry entry) {
            inbox.add(entry);
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }

        @Override
        public void run() {
            thread = Thread.currentThread();
            while (true) {
                for (Entry e; (e = inbox.poll()) != null; ) {
                    due.add(e);
                }
                Entry head = due.peek();
                if (head == null) {
                    LockSupport.park(this);
                    continue;
                }
                long wait = head.due - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(this, wait);
                    continue;
                }
                due.poll();
                long nextDue;
                try {
                    nextDue = head.ticking.tick(head.due);
                } catch (RuntimeException | Error e) {
                    // The call ends with this failure (its caller rethrows it); the other calls keep their clock.
                    head.ticking.failed(e);
                    continue;
                }
                if (nextDue >= 0) {
                    head.due = nextDue;
                    due.add(head);
                }
            }
        }
    }
}
