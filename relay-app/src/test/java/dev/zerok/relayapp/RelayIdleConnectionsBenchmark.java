package dev.zerok.relayapp;

import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounded manual benchmark, not a test: the relay process's memory with N idle authenticated
 * sessions (issue 13's target: at most 256 MiB with 1,000). Opens N raw devices one after another
 * (each a hybrid handshake and a verified Hello, groups of 10 devices), then leaves them idle and
 * prints the relay's VmRSS and VmHWM from {@code /proc} before, right after and 10 s after, with
 * {@code zerok_relay_connections_active} as the relay counts it. Arguments: sessions (default
 * 1000, at most the relay's {@code limits.sessions.max} of 1000), the relay's {@code -Xmx} in MiB
 * (default 0: the JVM's default heap). All sessions come from 127.0.0.1, so the relay's
 * per-source caps are raised for the run. Run like {@code RelayPushBenchmark} (docs/OPERATIONS.md).
 */
public final class RelayIdleConnectionsBenchmark {
    private RelayIdleConnectionsBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchmarkPorts ports = BenchmarkPorts.open();
        int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int heapMiB = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        KeyExchange crypto = ports.crypto();
        Entropy entropy = ports.entropy();
        var clock = ports.clock();
        Path dir = Files.createTempDirectory("zerok-idle-bench");
        try (RelayProcess relay = new RelayProcess(dir.resolve("relay.properties"), "listen=127.0.0.1:0\n"
                + "http.listen=127.0.0.1:0\ndata.dir=" + dir.resolve("data") + "\n"
                // every session comes from 127.0.0.1: the per-source caps (32 connections, 20
                // handshakes/s) would refuse them, as they would one host opening 1,000
                + "transport.max.connections.per.source=2000\ntransport.handshake.rate.per.source.per.second=100000\n"
                + "transport.handshake.rate.per.source.burst=100000\n", 4096, heapMiB);
                Transport transport = Providers.select(TransportProvider.class, "quic").open(
                        ProviderConfig.of("idle.timeout", "120s"), new ProviderContext(clock, entropy))) {
            memory(relay, "before");
            List<RawDevice> devices = new ArrayList<>();
            long start = System.nanoTime();
            try {
                GroupKeys group = null;
                for (int i = 0; i < sessions; i++) {
                    if (i % 10 == 0) {
                        group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
                    }
                    RawDevice d = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy);
                    devices.add(d);
                    Message answer = d.hello(crypto, group);
                    if (!(answer instanceof Message.Welcome)) {
                        throw new IllegalStateException("session " + i + ": expected Welcome, got " + answer);
                    }
                }
                System.out.printf("sessions=%d opened in %.1f s%n", sessions, (System.nanoTime() - start) / 1e9);
                memory(relay, "all open");
                Thread.sleep(10_000);
                memory(relay, "10 s idle");
            } finally {
                for (RawDevice d : devices) {
                    d.close();
                }
            }
        }
    }

    private static void memory(RelayProcess relay, String when) throws Exception {
        String status = Files.readString(Path.of("/proc/" + relay.process.pid() + "/status"));
        String rss = status.lines().filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM"))
                .map(l -> l.replaceAll("\\s+", " ")).reduce((a, b) -> a + ", " + b).orElse("?");
        java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + relay.http.host() + ":"
                        + relay.http.port() + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        String active = metrics.body().lines().filter(l -> l.startsWith("zerok_relay_connections_active "))
                .findFirst().orElse("zerok_relay_connections_active ?");
        System.out.println(when + ": relay " + rss + "; " + active);
    }
}
