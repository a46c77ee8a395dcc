package dev.hotline.server;

import java.util.List;

/**
 * The configuration cannot be used. The message names every problem at once, one per line, each with the
 * setting to fix, so an operator fixes them in one go. Messages never contain a secret's value.
 */
public final class ConfigException extends Exception {

    private final List<String> problems;

    /** @param problems one line per problem, each naming its setting; at least one */
    public ConfigException(List<String> problems) {
        super(message(problems));
        this.problems = List.copyOf(problems);
    }

    /** The problems, one per setting at fault. */
    public List<String> problems() {
        return problems;
    }

    private static String message(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a ConfigException needs at least one problem");
        }
        StringBuilder text = new StringBuilder("Hotline cannot start: fix ")
                .append(problems.size() == 1 ? "this setting" : "these " + problems.size() + " settings")
                .append(':');
        problems.forEach(problem -> text.append(System.lineSeparator()).append("  - ").append(problem));
        return text.toString();
    }
}
