package dev.hotline.bench;

import dev.hotline.core.CallHandle;
import dev.hotline.core.CallSettings;
import dev.hotline.core.CallState;
import dev.hotline.core.Engine;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Steady-state heap per call: starts N calls (default 200) with instant providers, lets each greet and
 * sit listening to two seconds of a quiet line, then compares the heap used after full GCs with the heap
 * before the calls. Target: &lt;= 200 KB per call. Run with
 * {@code java -cp voice-benchmarks/target/benchmarks.jar dev.hotline.bench.HeapPerCall [calls]}.
 */
public final class HeapPerCall {

    private HeapPerCall() {
    }

    public static void main(String[] args) throws Exception {
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        Engine engine = Engine.builder()
                .transcriber(new InstantProviders.Stt())
                .responder(new InstantProviders.Llm())
                .synthesizer(new InstantProviders.Tts())
                .settings(CallSettings.defaults())
                .build();
        warmUp(engine);
        long before = usedAfterGc();

        List<BenchTransport> transports = new ArrayList<>();
        List<CallHandle> handles = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            BenchTransport transport = new BenchTransport();
            CallHandle call = engine.startCall(transport);
            transport.connect("CA-" + i);
            greet(transport, call);
            for (int f = 0; f < 100; f++) {
                transport.feed(BenchTransport.SILENCE);
            }
            transports.add(transport);
            handles.add(call);
        }
        long after = usedAfterGc();

        long perCall = (after - before) / calls;
        System.out.printf("calls alive: %d (active %d)%n", calls, engine.activeCalls());
        System.out.printf("heap used before: %,d B, with the calls: %,d B%n", before, after);
        System.out.printf("steady-state heap per call: %,d B (%.1f KB); target <= 200 KB: %s%n", perCall,
                perCall / 1024.0, perCall <= 200 * 1024 ? "met" : "MISSED");
        for (BenchTransport transport : transports) {
            transport.stop();
        }
        System.out.printf("after every call ended: active %d, heap used %,d B%n", engine.activeCalls(),
                usedAfterGc());
        engine.shutdown(Duration.ZERO);
        System.out.println(handles.size() + " handles kept until the end");
    }

    private static void warmUp(Engine engine) {
        for (int i = 0; i < 20; i++) {
            BenchTransport transport = new BenchTransport();
            CallHandle call = engine.startCall(transport);
            transport.connect("warm-" + i);
            greet(transport, call);
            transport.stop();
        }
    }

    private static void greet(BenchTransport transport, CallHandle call) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (call.state() != CallState.LISTENING) {
            transport.playAll();
            Thread.onSpinWait();
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the greeting did not finish; the call is " + call.state());
            }
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
