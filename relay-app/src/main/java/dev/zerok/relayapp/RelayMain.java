package dev.zerok.relayapp;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code zerok-relay [--config FILE]}: runs a relay until SIGINT/SIGTERM, then shuts down
 * gracefully. Exit codes: 0 after a clean shutdown, 2 if it cannot start (one-line reason on
 * stderr), 64 for a usage error.
 */
public final class RelayMain {
    /**
     * The JVM options a relay process runs with: the serial collector, and a heap that starts at
     * 16 MiB and is capped at 128 MiB. The {@code zerok relay} launcher and the relay that
     * {@code zerok demo} and {@code bench} start pass them; a relay launched another way should
     * too. The relay-wide inbound budget ({@code limits.inbound.buffer.bytes}) defaults to half
     * the heap, so under load connections wait instead of the heap running out; a relay allowed
     * more than the default 1,000 sessions needs a larger {@code -Xmx}. Measured with 1,000 idle
     * authenticated sessions ({@code RelayIdleConnectionsBenchmark}, docs/PERFORMANCE.md): RSS
     * 230-236 MiB with these options and {@link #ENVIRONMENT}, 274 MiB with the JVM's defaults
     * (G1, a quarter of the machine's memory as the heap cap).
     */
    public static final List<String> JVM_OPTIONS = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx128m");

    /**
     * The environment a relay process runs with: glibc's malloc keeps at most 2 arenas (its
     * default is 8 per core, each holding freed memory of the native libraries: quiche, SQLite).
     */
    public static final Map<String, String> ENVIRONMENT = Map.of("MALLOC_ARENA_MAX", "2");

    private RelayMain() {}

    public static void main(String[] args) {
        System.setProperty("org.jooq.no-logo", "true");
        System.setProperty("org.jooq.no-tips", "true");
        RelayConfig config;
        try {
            if (args.length == 0) {
                config = RelayConfig.of(Map.of());
            } else if (args.length == 2 && args[0].equals("--config")) {
                config = RelayConfig.load(Path.of(args[1]));
            } else {
                System.err.println("usage: zerok-relay [--config FILE]");
                System.exit(64);
                return;
            }
        } catch (Exception e) {
            System.err.println("zerok-relay: " + e.getMessage());
            System.exit(2);
            return;
        }
        RelayServer relay;
        try {
            relay = RelayServer.start(config);
        } catch (Exception e) {
            System.err.println("zerok-relay: cannot start: " + oneLine(e));
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            relay.close();
            stopped.countDown();
        }, "zerok-relay-shutdown"));
        System.out.println("zerok-relay " + RelayServer.VERSION + " listening on quic://" + relay.endpoint());
        System.out.println("relay public key (pin this): " + relay.publicKeyHex());
        System.out.println("identity: " + relay.identityFile() + " (data directory " + relay.identityFile().getParent() + ")");
        if (relay.identityCreated()) {
            System.err.println("zerok-relay: WARNING: created a NEW relay identity in " + relay.identityFile()
                    + "; devices that pinned another key will refuse this relay (if this relay ran before from another "
                    + "directory, stop it and start it with that data.dir, or restore its relay.key there)");
        }
        System.out.println("health: http://" + relay.httpEndpoint() + "/health  metrics: http://" + relay.httpEndpoint() + "/metrics");
        System.out.flush();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replace('\n', ' ');
    }
}
