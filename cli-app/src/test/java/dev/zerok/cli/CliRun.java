package dev.zerok.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;

/** Runs {@code zerok} in this process with captured streams, no console and a given clock. */
final class CliRun {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Result(int exitCode, String out, String err) {
        /** stdout parsed as exactly one JSON object (fails the test if it is not). */
        JsonNode json() {
            try {
                JsonNode node = JSON.readTree(out);
                if (node == null || !node.isObject()) {
                    throw new AssertionError("stdout is not one JSON object: " + out);
                }
                return node;
            } catch (java.io.IOException e) {
                throw new AssertionError("stdout is not JSON: " + out, e);
            }
        }
    }

    private CliRun() {}

    static Result run(Path userHome, Clock clock, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CliEnv env = new CliEnv(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), userHome, clock,
                prompt -> Optional.empty(), false);
        int code = ZerokMain.run(args, env);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Result run(Path userHome, String... args) {
        return run(userHome, Clock.systemUTC(), args);
    }
}
