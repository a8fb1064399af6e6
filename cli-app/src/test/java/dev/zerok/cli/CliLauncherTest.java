package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.relayapp.RelayConfig;
import dev.zerok.relayapp.RelayMain;
import dev.zerok.relayapp.RelayServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher script {@code zerok} at the repository root, run as a user runs it (its JDK choice
 * and JVM flags), with this build's class path ({@code ZEROK_CLASSPATH}) instead of building: no
 * line a command writes on stderr starts with {@code WARNING:} (JDK native-access and
 * sun.misc.Unsafe warnings of Netty, SQLite JDBC and msgpack-core).
 */
class CliLauncherTest {
    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {}

    private Run zerok(String... args) throws IOException, InterruptedException {
        Path launcher = Path.of("").toAbsolutePath().getParent().resolve("zerok");
        List<String> command = new ArrayList<>(List.of("bash", launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("out.txt").toFile()).redirectError(dir.resolve("err.txt").toFile());
        Map<String, String> env = builder.environment();
        env.put("ZEROK_HOME", dir.resolve("device").toString());
        env.put("HOME", dir.resolve("user").toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("ZEROK_CLASSPATH", System.getProperty("java.class.path"));
        Process process = builder.start();
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("zerok " + String.join(" ", args) + " did not finish within 90 s");
        }
        return new Run(process.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8));
    }

    private static void assertNoJvmWarning(Run run, String what) {
        assertThat(run.err().lines().filter(line -> line.startsWith("WARNING:")).toList())
                .as("stderr of zerok %s:%n%s", what, run.err()).isEmpty();
    }

    @Test
    void launcher_relay_runsWithTheRelaysJvmOptionsAndEnvironment_thenZerokJavaOpts() throws Exception {
        Path launcher = Path.of("").toAbsolutePath().getParent().resolve("zerok");
        Path config = dir.resolve("relay.properties");
        Files.writeString(config, "listen=127.0.0.1:0\nhttp.listen=127.0.0.1:0\ndata.dir=" + dir.resolve("relay") + "\n");
        ProcessBuilder builder = new ProcessBuilder("bash", launcher.toString(), "relay", "--config", config.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("relay-out.txt").toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("ZEROK_CLASSPATH", System.getProperty("java.class.path"));
        builder.environment().put("ZEROK_JAVA_OPTS", "-Xmx200m");
        builder.environment().remove("MALLOC_ARENA_MAX");
        Process relay = builder.start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.readString(dir.resolve("relay-out.txt")).contains("listening on quic://")) {
                assertThat(relay.isAlive() && System.nanoTime() < deadline)
                        .as("zerok relay started: %s", Files.readString(dir.resolve("relay-out.txt"))).isTrue();
                Thread.sleep(50);
            }
            // the launcher execs java: the relay is the launcher's process
            List<String> args = List.of(Files.readString(Path.of("/proc", Long.toString(relay.pid()), "cmdline"))
                    .split("\0"));
            assertThat(args).containsSubsequence(RelayMain.JVM_OPTIONS)
                    .containsSubsequence(RelayMain.JVM_OPTIONS.get(RelayMain.JVM_OPTIONS.size() - 1), "-Xmx200m");
            List<String> environment = List.of(Files.readString(Path.of("/proc", Long.toString(relay.pid()), "environ"))
                    .split("\0"));
            RelayMain.ENVIRONMENT.forEach((k, v) -> assertThat(environment).contains(k + "=" + v));
        } finally {
            relay.destroy();
            if (!relay.waitFor(15, TimeUnit.SECONDS)) {
                relay.destroyForcibly();
            }
        }
    }

    @Test
    void launcher_helpInitPairPushStatus_noWarningLinesOnStderr() throws Exception {
        Files.createDirectories(dir.resolve("user"));
        try (RelayServer relay = RelayServer.start(RelayConfig.of(Map.of("listen", "127.0.0.1:0", "http.listen",
                "127.0.0.1:0", "data.dir", dir.resolve("relay").toString())))) {
            String address = relay.endpoint().host() + ":" + relay.endpoint().port();
            String[][] commands = {
                {"--help"},
                {"init", "--name", "laptop"},
                {"relays", "add", address, "--key", relay.publicKeyHex()},
                {"pair", "--create", "--no-qr"},
                {"push", "hello", "--wait", "20s"},
                {"status", "--wait", "20s"},
            };
            for (String[] args : commands) {
                Run run = zerok(args);
                String what = String.join(" ", args);
                assertThat(run.exitCode()).as("zerok %s: %s", what, run.err()).isZero();
                assertNoJvmWarning(run, what);
            }
        }
    }
}
