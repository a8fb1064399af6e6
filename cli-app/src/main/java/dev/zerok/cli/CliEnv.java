package dev.zerok.cli;

import java.io.Console;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@code zerok} run takes from its surroundings, so that tests can run commands in-process
 * with their own streams, environment, clock and (absent) console.
 *
 * @param out standard output: the command's result (human text or one JSON object)
 * @param err standard error: {@code zerok: <reason>} lines, prompts' companions, progress bars
 * @param environment the process environment ({@code ZEROK_HOME}, {@code HOSTNAME})
 * @param userHome the user's home directory ({@code ~})
 * @param clock wall-clock time for invite expiry and creation times
 * @param prompt reads a secret from the terminal without echo, if there is a terminal
 * @param interactive whether stderr is taken to be a terminal (progress bars are drawn only then)
 */
record CliEnv(PrintStream out, PrintStream err, Map<String, String> environment, Path userHome, Clock clock,
        SecretPrompt prompt, boolean interactive) {

    /** Reads a secret line from a terminal without echo. */
    @FunctionalInterface
    interface SecretPrompt {
        /**
         * @param prompt what to ask
         * @return the characters typed (the caller wipes them), or empty if there is no terminal
         */
        Optional<char[]> read(String prompt);
    }

    /** The real process: System streams, environment and console, the system clock. */
    static CliEnv system() {
        Console console = System.console();
        SecretPrompt prompt = text -> {
            Console c = System.console();
            return c == null ? Optional.empty() : Optional.ofNullable(c.readPassword("%s", text));
        };
        return new CliEnv(System.out, System.err, System.getenv(), Path.of(System.getProperty("user.home")),
                Clock.systemUTC(), prompt, console != null);
    }
}
