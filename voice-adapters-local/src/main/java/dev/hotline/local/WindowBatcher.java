package dev.hotline.local;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs the Silero windows of many calls, at one sample rate, through the shared session, several in one
 * {@code run} when they arrive together: the model's batch dimension costs far less per window than a run
 * each (docs/benchmarks.md, "Silero windows batched across calls": 0.067-0.070 ms of CPU per window alone,
 * 0.038-0.040 in fours, 0.032-0.033 in eights).
 *
 * <p><b>Group commit.</b> The first window to arrive opens a batch and, when windows have lately been arriving
 * less than half of {@code maxDelay} apart (many calls at once) and the window before came from another
 * detector (one detector fed faster than real time is not many calls), waits up to {@code maxDelay} for others; a
 * window arriving meanwhile joins it and waits for its result. At {@code maxWindows} the batch closes early. The
 * opener then runs the batch on its own thread and wakes the others. With few calls the windows arrive tens of
 * milliseconds apart, nobody waits, and each window runs alone at once. A window is delayed by at most
 * {@code maxDelay} plus one batch's run.
 *
 * <p>Thread-safe. The native tensors (one set per batch size in use at once) are pooled and closed by
 * {@link #close}.
 */
final class WindowBatcher implements AutoCloseable {

    /** The LSTM state per call: [2, 1, 128]. */
    static final int STATE_SIZE = 2 * 128;
    private static final int LAYER = 128;
    /** How strongly the mean gap between arrivals follows the latest gap (1/16: about the last 16 windows). */
    private static final int GAP_SMOOTHING = 16;

    /** One detector's window: its input and state, written back with the probability after the run. */
    static final class Request {
        final float[] input;
        final float[] state = new float[STATE_SIZE];
        float probability;

        Request(int samples) {
            this.input = new float[samples];
        }
    }

    private final OrtEnvironment env;
    private final OrtSession session;
    private final OnnxTensor rate;
    private final int samples;
    private final long maxDelayNanos;
    private final int maxWindows;
    private final ReentrantLock lock = new ReentrantLock();
    /** The batch still taking windows, or {@code null}. Guarded by {@link #lock}. */
    private Batch open;
    private long lastArrivalNanos;
    private double meanGapNanos = Double.MAX_VALUE;
    /** The request that arrived last: one detector fed faster than real time is not many calls. */
    private Request lastRequest;
    private final List<ConcurrentLinkedQueue<Tensors>> pool = new ArrayList<>();
    private final ConcurrentLinkedQueue<Tensors> made = new ConcurrentLinkedQueue<>();
    private long runs;
    private long windows;

    WindowBatcher(OrtEnvironment env, OrtSession session, OnnxTensor rate, int samples, long maxDelayNanos,
            int maxWindows) {
        this.env = env;
        this.session = session;
        this.rate = rate;
        this.samples = samples;
        this.maxDelayNanos = maxDelayNanos;
        this.maxWindows = maxWindows;
        for (int i = 0; i <= maxWindows; i++) {
            pool.add(new ConcurrentLinkedQueue<>());
        }
    }

    /** Runs the request's window, possibly with others; on return its probability and state are the model's. */
    void run(Request request) {
        Batch batch;
        lock.lock();
        try {
            long now = System.nanoTime();
            if (lastArrivalNanos != 0) {
                double gap = now - lastArrivalNanos;
                meanGapNanos = meanGapNanos == Double.MAX_VALUE ? gap : meanGapNanos + (gap - meanGapNanos) / GAP_SMOOTHING;
            }
            lastArrivalNanos = now;
            boolean sameFeeder = lastRequest == request;
            lastRequest = request;
            batch = open;
            if (batch != null) {
                batch.requests.add(request);
                if (batch.requests.size() >= maxWindows) {
                    open = null;
                    batch.closed.signal();
                }
                while (!batch.finished) {
                    batch.done.awaitUninterruptibly();
                }
                if (batch.failure != null) {
                    throw batch.failure;
                }
                return;
            }
            batch = new Batch();
            batch.requests.add(request);
            if (maxWindows > 1 && !sameFeeder && meanGapNanos * 2 < maxDelayNanos) {
                open = batch;
                long wait = maxDelayNanos;
                while (open == batch && wait > 0) {
                    try {
                        wait = batch.closed.awaitNanos(wait);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                if (open == batch) {
                    open = null;
                }
            }
        } finally {
            lock.unlock();
        }
        RuntimeException failure = null;
        try {
            execute(batch.requests);
        } catch (RuntimeException e) {
            failure = e;
        }
        lock.lock();
        try {
            batch.finished = true;
            batch.failure = failure;
            batch.done.signalAll();
            runs++;
            windows += batch.requests.size();
        } finally {
            lock.unlock();
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Model runs so far, and the windows they held: {runs, windows}. */
    long[] counts() {
        lock.lock();
        try {
            return new long[] {runs, windows};
        } finally {
            lock.unlock();
        }
    }

    /** Runs these windows in one model run, now, on this thread (as a batch does; for the benchmark). */
    void execute(List<Request> requests) {
        int n = requests.size();
        Tensors tensors = pool.get(n).poll();
        if (tensors == null) {
            tensors = new Tensors(n);
            made.add(tensors);
        }
        try {
            for (int i = 0; i < n; i++) {
                Request request = requests.get(i);
                tensors.input.put(i * samples, request.input);
                tensors.stateIn.put(i * LAYER, request.state, 0, LAYER);
                tensors.stateIn.put((n + i) * LAYER, request.state, LAYER, LAYER);
            }
            try (OrtSession.Result ignored = session.run(tensors.inputs, tensors.outputs)) {
                for (int i = 0; i < n; i++) {
                    Request request = requests.get(i);
                    request.probability = tensors.output.get(i);
                    tensors.stateOut.get(i * LAYER, request.state, 0, LAYER);
                    tensors.stateOut.get((n + i) * LAYER, request.state, LAYER, LAYER);
                }
            } catch (OrtException e) {
                throw new IllegalStateException("Silero VAD failed to run: " + e.getMessage(), e);
            }
        } finally {
            pool.get(n).add(tensors);
        }
    }

    /** Closes every tensor set made. No window may run afterwards. */
    @Override
    public void close() {
        for (Tensors tensors; (tensors = made.poll()) != null; ) {
            tensors.close();
        }
    }

    /** A batch: the windows in it, and whether (and how) it ran. Guarded by the batcher's lock. */
    private final class Batch {
        final List<Request> requests = new ArrayList<>(maxWindows);
        final Condition closed = lock.newCondition();
        final Condition done = lock.newCondition();
        boolean finished;
        RuntimeException failure;
    }

    /**
     * The native tensors of one batch size, over direct buffers read and written in place: audio in [n,
     * samples], state in and out [2, n, 128] (the output is pinned, so a run allocates no tensor), probability
     * out [n, 1].
     */
    private final class Tensors {
        final FloatBuffer input;
        final FloatBuffer stateIn;
        final FloatBuffer stateOut;
        final FloatBuffer output;
        private final OnnxTensor[] all = new OnnxTensor[4];
        final Map<String, OnnxTensor> inputs;
        final Map<String, OnnxTensor> outputs;

        Tensors(int n) {
            input = directFloats(n * samples);
            stateIn = directFloats(n * STATE_SIZE);
            stateOut = directFloats(n * STATE_SIZE);
            output = directFloats(n);
            try {
                all[0] = OnnxTensor.createTensor(env, input, new long[] {n, samples});
                all[1] = OnnxTensor.createTensor(env, stateIn, new long[] {2, n, LAYER});
                all[2] = OnnxTensor.createTensor(env, stateOut, new long[] {2, n, LAYER});
                all[3] = OnnxTensor.createTensor(env, output, new long[] {n, 1});
            } catch (OrtException e) {
                close();
                throw new IllegalStateException("ONNX Runtime could not make the VAD's tensors: " + e.getMessage(), e);
            }
            inputs = Map.of("input", all[0], "state", all[1], "sr", rate);
            outputs = Map.of("output", all[3], "stateN", all[2]);
        }

        void close() {
            for (OnnxTensor tensor : all) {
                if (tensor != null) {
                    tensor.close();
                }
            }
        }
    }

    private static FloatBuffer directFloats(int count) {
        return ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
