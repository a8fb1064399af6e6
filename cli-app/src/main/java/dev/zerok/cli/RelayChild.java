package dev.zerok.cli;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.relayapp.RelayMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A zerok relay running as a separate OS process from this JVM's own class path (the relay
 * application ships inside the CLI's class path), for {@code zerok demo} and tests. It reads the
 * relay's start-up lines from its standard output; its log goes to {@code relay.log} beside the
 * config.
 */
final class RelayChild implements AutoCloseable {
    private final Process process;
    private final String address;
    private final byte[] publicKey;
    private final Path log;

    private RelayChild(Process process, String address, byte[] publicKey, Path log) {
        this.process = process;
        this.address = address;
        this.publicKey = publicKey;
        this.log = log;
    }

    /**
     * Starts a relay listening on a free loopback port with its data in {@code dir/data}.
     *
     * @throws IOException if the process cannot start or does not report its address and key
     *     within {@code startTimeout} (the message includes the end of its log)
     */
    static RelayChild start(Path dir, Duration startTimeout) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("relay.properties");
        Files.writeString(config, String.join("\n", "listen=127.0.0.1:0", "http.listen=127.0.0.1:0",
                "data.dir=" + dir.resolve("data"), ""));
        Path log = dir.resolve("relay.log");
        List<String> command = javaCommand(RelayMain.JVM_OPTIONS, RelayMain.class.getName());
        command.addAll(List.of("--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        builder.environment().putAll(RelayMain.ENVIRONMENT);
        Process process = builder.start();
        CompletableFuture<String[]> startup = CompletableFuture.supplyAsync(() -> readStartup(process));
        try {
            String[] lines = startup.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            byte[] key = StaticIdentity.decodePublic(HexFormat.of().parseHex(lines[1]));
            return new RelayChild(process, lines[0], key, log);
        } catch (Exception e) {
            process.destroyForcibly();
            String tail = Files.exists(log) ? tail(Files.readString(log)) : "";
            throw new IOException("the relay process did not start" + (tail.isEmpty() ? "" : ": " + tail), e);
        }
    }

    private static String[] readStartup(Process process) {
        String address = null;
        String key = null;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((address == null || key == null) && (line = out.readLine()) != null) {
                int at = line.indexOf("listening on quic://");
                if (at >= 0) {
                    address = line.substring(at + "listening on quic://".length()).strip();
                }
                if (line.startsWith("relay public key (pin this): ")) {
                    key = line.substring("relay public key (pin this): ".length()).strip();
                }
            }
            // keep draining so the relay never blocks on a full pipe
            Thread.ofVirtual().start(() -> {
                try {
                    out.transferTo(java.io.Writer.nullWriter());
                } catch (IOException ignored) {
                    // the process ended
                }
            });
        } catch (IOException e) {
            throw new IllegalStateException("reading the relay's output failed", e);
        }
        if (address == null || key == null) {
            throw new IllegalStateException("the relay exited before reporting its address");
        }
        return new String[] {address, key};
    }

    private static String tail(String text) {
        String[] lines = text.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }

    /** {@code host:port} where the relay listens. */
    String address() {
        return address;
    }

    /** The relay's 32-byte static public key. */
    byte[] publicKey() {
        return publicKey.clone();
    }

    /** The process id. */
    long pid() {
        return process.pid();
    }

    /** The relay's log file. */
    Path log() {
        return log;
    }

    /** The relay's peak resident set size so far, in bytes, from /proc (Linux); empty elsewhere. */
    OptionalLong peakRssBytes() {
        return peakRssBytes(process.pid());
    }

    /** Process {@code pid}'s peak resident set size (VmHWM) so far, in bytes; empty if unknown (not Linux, ended). */
    static OptionalLong peakRssBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // not Linux, or the process ended
        }
        return OptionalLong.empty();
    }

    /**
     * The command that runs {@code mainClass} from this JVM's class path on this JVM's java, with
     * the flags that keep JDK warnings off the terminal.
     */
    static List<String> javaCommand(String mainClass) {
        return javaCommand(List.of(), mainClass);
    }

    /** As {@link #javaCommand(String)}, with {@code jvmOptions} before the class path. */
    static List<String> javaCommand(List<String> jvmOptions, String mainClass) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString());
        List<String> command = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED"));
        if (Runtime.version().feature() >= 23) {
            command.add("--sun-misc-unsafe-memory-access=allow"); // msgpack-core's Unsafe use, quiet
        }
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        return command;
    }

    /** Stops the relay gracefully (SIGTERM: it drains), forcibly after 10 s. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
