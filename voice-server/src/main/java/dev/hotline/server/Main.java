package dev.hotline.server;

import dev.hotline.testkit.cli.BenchCommand;
import dev.hotline.testkit.cli.CallCommand;
import java.util.Arrays;
import java.util.Map;

/**
 * {@code java -jar hotline.jar}: reads the environment, prints one banner naming the provider of each role,
 * serves until stopped, and on SIGTERM/SIGINT stops taking calls and drains the running ones.
 *
 * <p>Exit status 2 means the configuration is unusable; the message names every problem.
 *
 * <p>{@code hotline.jar call ...} and {@code hotline.jar bench ...} run the test kit's simulated caller and
 * load generator instead (docs/testkit.md); bench starts this server in-process against fake providers.
 */
public final class Main {

    /** Exit status for an unusable configuration. */
    static final int CONFIG_ERROR = 2;

    private Main() {
    }

    public static void main(String[] args) {
        QuietJavaLogging.install();
        if (args.length > 0 && (args[0].equals("call") || args[0].equals("bench"))) {
            String[] rest = Arrays.copyOfRange(args, 1, args.length);
            System.exit(args[0].equals("call") ? new CallCommand().run(rest, System.out)
                    : new BenchCommand(InProcessHotline::start, ChildProcessHotline::launcher).run(rest, System.out));
        }
        Map<String, String> env = System.getenv();
        Bootstrap bootstrap;
        try {
            bootstrap = Bootstrap.fromEnvironment(env);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(CONFIG_ERROR);
            return;
        }
        HotlineServer server = bootstrap.server().start();
        bootstrap.warmPhraseCache();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "hotline-shutdown"));
        System.out.print(bootstrap.banner(server.port()));
        System.out.flush();
    }
}
