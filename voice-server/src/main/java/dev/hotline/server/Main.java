package dev.hotline.server;

import java.util.Map;

/**
 * {@code java -jar hotline.jar}: reads the environment, prints one banner naming the provider of each role,
 * serves until stopped, and on SIGTERM/SIGINT stops taking calls and drains the running ones.
 *
 * <p>Exit status 2 means the configuration is unusable; the message names every problem.
 */
public final class Main {

    /** Exit status for an unusable configuration. */
    static final int CONFIG_ERROR = 2;

    private Main() {
    }

    public static void main(String[] args) {
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
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "hotline-shutdown"));
        System.out.print(bootstrap.banner(server.port()));
        System.out.flush();
    }
}
