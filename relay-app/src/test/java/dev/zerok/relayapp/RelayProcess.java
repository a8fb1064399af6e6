package dev.zerok.relayapp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.transport.Endpoint;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A relay started as a separate OS process from the test class path, with its output captured.
 * It logs at TRACE (tests read its log) unless {@code -Dzerok.relay.log.level} says otherwise; the
 * benchmarks run it at INFO, the production default.
 */
final class RelayProcess implements AutoCloseable {
    final Process process;
    final Endpoint endpoint;
    final Endpoint http;
    final byte[] publicKey;
    private final StringBuilder log = new StringBuilder();

    RelayProcess(Path configFile, String configText) throws Exception {
        this(configFile, configText, 0, 0);
    }

    /**
     * A relay under resource pressure: {@code openFilesLimit} is the process's {@code ulimit -n}
     * and {@code heapMiB} its {@code -Xmx} (0 for the defaults).
     */
    RelayProcess(Path configFile, String configText, int openFilesLimit, int heapMiB) throws Exception {
        Files.writeString(configFile, configText);
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>();
        if (openFilesLimit > 0) {
            // exec keeps the relay's pid: the shell only lowers the limit for it.
            command.addAll(List.of("/bin/sh", "-c", "ulimit -n " + openFilesLimit + " && exec \"$0\" \"$@\""));
        }
        command.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Dzerok.log.level=" + System.getProperty("zerok.relay.log.level", "TRACE")));
        if (heapMiB > 0) {
            command.add("-Xmx" + heapMiB + "m");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), RelayMain.class.getName(), "--config",
                configFile.toString()));
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Endpoint quic = null;
        Endpoint web = null;
        byte[] key = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((quic == null || web == null || key == null) && System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) {
                break;
            }
            append(line);
            if (line.contains("listening on quic://")) {
                quic = Endpoint.parse(line.substring(line.indexOf("quic://") + 7).trim());
            } else if (line.startsWith("relay public key")) {
                key = StaticIdentity.decodePublic(HexFormat.of().parseHex(line.substring(line.lastIndexOf(' ') + 1)));
            } else if (line.startsWith("health: http://")) {
                web = Endpoint.parse(line.substring("health: http://".length(), line.indexOf("/health")));
            }
        }
        assertThat(quic).as("relay start-up output:\n%s", log()).isNotNull();
        endpoint = quic;
        http = web;
        publicKey = key;
        Thread drain = new Thread(() -> {
            try {
                out.lines().forEach(this::append);
            } catch (java.io.UncheckedIOException closedWithTheProcess) {
                // the relay exited; its output ends here
            }
        }, "relay-log");
        drain.setDaemon(true);
        drain.start();
    }

    private synchronized void append(String line) {
        log.append(line).append('\n');
    }

    /** Everything the relay printed so far. */
    synchronized String log() {
        return log.toString();
    }

    /** SIGTERM, then wait for the graceful shutdown to finish. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        return process.exitValue();
    }

    /**
     * Stops the relay and fails if its log has an ERROR line or an unchecked exception the tests
     * never expect: every such line is a relay bug (a swallowed failure in a connection task was
     * how stalled handshakes leaked sessions).
     */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            stop();
        }
        try {
            // The failure capture: the whole relay log, next to the surefire reports.
            Path logs = Path.of("target", "relay-logs");
            Files.createDirectories(logs);
            Files.writeString(logs.resolve("relay-" + process.pid() + ".log"), log());
        } catch (java.io.IOException e) {
            // best effort; the assertion below still runs
        }
        assertThat(log().lines().filter(line -> UNEXPECTED.matcher(line).find()).toList())
                .as("relay log lines no test expects").isEmpty();
    }

    private static final java.util.regex.Pattern UNEXPECTED =
            java.util.regex.Pattern.compile("\\bERROR\\b|IllegalStateException|IllegalArgumentException");
}
