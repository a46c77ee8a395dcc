package dev.hotline.testkit.cli;

import dev.hotline.testkit.twilio.CallReport;
import dev.hotline.testkit.twilio.CallScript;
import dev.hotline.testkit.twilio.SimulatedTwilioCaller;
import dev.hotline.testkit.twilio.TurnReport;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code hotline call <ws-url> --play a.wav [--play b.wav ...] [--record heard.wav]}: dials a running
 * hotline the way Twilio does ({@link SimulatedTwilioCaller}), says each WAV file in turn, and prints each
 * turn's voice-to-voice latency, how much reply it heard, underruns and barge-ins.
 *
 * <p>Options: {@code --interrupt-ms N} makes the next {@code --play} talk over the reply N ms after it
 * began; {@code --param name=value} adds a custom parameter; {@code --auth-token T} signs the handshake,
 * over {@code --signed-url U} if the public URL differs; {@code --pause-ms}, {@code --reply-timeout-s},
 * {@code --greeting-timeout-s} and {@code --max-seconds} tune the script (see {@link CallScript}).
 *
 * <p>Stateless; {@link #run} may be called from any thread. Exit statuses: 0 the call ran, 1 it could not
 * be placed or a file could not be read, 2 the command line was wrong.
 */
public final class CallCommand {

    /** Printed after a command-line error. */
    public static final String USAGE = """
            usage: hotline call <ws-url> --play a.wav [--play b.wav ...] [--record heard.wav]
                   [--interrupt-ms N (applies to the next --play)] [--param name=value ...]
                   [--auth-token T [--signed-url wss://public/voice-stream]]
                   [--pause-ms 800] [--reply-timeout-s 15] [--greeting-timeout-s 5] [--max-seconds 600]""";

    private static final Set<String> OPTIONS = Set.of("play", "record", "interrupt-ms", "param", "auth-token",
            "signed-url", "pause-ms", "reply-timeout-s", "greeting-timeout-s", "max-seconds");

    /**
     * Runs the command from a plain class path, before or without the server's jar (which adds the in-process
     * hotline): exits with {@link #run}'s status.
     */
    public static void main(String[] args) {
        System.exit(new CallCommand().run(args, System.out));
    }

    /**
     * Runs the command.
     *
     * @return the exit status
     */
    public int run(String[] args, PrintStream out) {
        try {
            return call(args, out);
        } catch (UsageException e) {
            out.println("hotline call: " + e.getMessage());
            out.println(USAGE);
            return 2;
        } catch (IOException e) {
            out.println("hotline call: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out.println("hotline call: interrupted");
            return 1;
        }
    }

    private int call(String[] args, PrintStream out) throws UsageException, IOException, InterruptedException {
        Options options = Options.parse(args, OPTIONS);
        if (options.positional().size() != 1) {
            throw new UsageException("give exactly one ws:// or wss:// URL");
        }
        if (options.all("play").isEmpty()) {
            throw new UsageException("give at least one --play file");
        }
        URI url = URI.create(options.positional().get(0));
        if (!"ws".equals(url.getScheme()) && !"wss".equals(url.getScheme())) {
            throw new UsageException("the URL must start with ws:// or wss://, was " + url);
        }
        CallScript.Builder script = CallScript.builder();
        Duration interruptNext = null;
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("--interrupt-ms")) {
                interruptNext = Duration.ofMillis(parseMillis(args[i + 1]));
            } else if (args[i].equals("--play")) {
                Path wav = Path.of(args[i + 1]);
                if (interruptNext == null) {
                    script.sayWav(wav);
                } else {
                    script.interruptWav(wav, interruptNext);
                    interruptNext = null;
                }
            }
        }
        script.pauseBeforeSpeaking(Duration.ofMillis(options.number("pause-ms", 800, 20, 60_000)))
                .replyTimeout(Duration.ofSeconds(options.number("reply-timeout-s", 15, 1, 3_600)))
                .greetingTimeout(Duration.ofSeconds(options.number("greeting-timeout-s", 5, 0, 3_600)))
                .maxCallDuration(Duration.ofSeconds(options.number("max-seconds", 600, 1, 3_600)));
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String pair : options.all("param")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UsageException("--param needs name=value, was '" + pair + "'");
            }
            parameters.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        SimulatedTwilioCaller caller = SimulatedTwilioCaller.dialing(url).withCustomParameters(parameters);
        String token = options.text("auth-token", null);
        if (token != null) {
            caller = caller.signedWith(token, options.text("signed-url", null));
        }
        out.println("calling " + url + " ...");
        CallReport report = caller.call(script.build());
        print(report, out);
        String record = options.text("record", null);
        if (record != null) {
            report.writeHeardWav(Path.of(record));
            out.println("recorded what the caller heard to " + record);
        }
        return 0;
    }

    private static long parseMillis(String text) throws UsageException {
        try {
            long value = Long.parseLong(text.trim());
            if (value < 0 || value > 600_000) {
                throw new UsageException("--interrupt-ms must be between 0 and 600000, was " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new UsageException("--interrupt-ms must be a whole number, was '" + text + "'");
        }
    }

    /** Prints a call's report: greeting, one line per turn, protocol errors and how it ended. */
    static void print(CallReport report, PrintStream out) {
        out.println("stream " + report.streamSid() + ", call " + report.callSid());
        out.println("greeting: " + report.greetingLatency().map(d -> "first audio after " + d.toMillis() + " ms")
                .orElse("none heard"));
        List<TurnReport> turns = report.turns();
        for (TurnReport turn : turns) {
            StringBuilder line = new StringBuilder(String.format("turn %d  %-28s ", turn.index(), turn.label()));
            line.append(turn.voiceToVoice().map(d -> String.format("voice-to-voice %5d ms", d.toMillis()))
                    .orElse("no reply             "));
            line.append(String.format("  heard %6.2f s", turn.replyHeard().toMillis() / 1000.0));
            line.append(String.format("  underruns %d (%d ms)", turn.underruns(), turn.underrunTime().toMillis()));
            turn.firstUnderrun().ifPresent(d -> line.append(String.format(", the first %d ms after the speech ended",
                    d.toMillis())));
            if (turn.bargedIn()) {
                line.append(turn.clearAfter().map(d -> String.format("  barge-in: cleared after %d ms, %d ms discarded",
                        d.toMillis(), turn.clearedAudio().toMillis())).orElse("  barge-in: NOT cleared"));
            }
            out.println(line);
        }
        out.println("marks echoed " + report.marksEchoed() + ", clears " + report.clearsReceived()
                + ", audio discarded " + report.discardedAudio().toMillis() + " ms, caller clock lag max "
                + report.maxTickLag().toMillis() + " ms");
        for (String error : report.protocolErrors()) {
            out.println("protocol error: " + error);
        }
        out.println("ended: " + report.ending());
    }
}
