package dev.zerok.relayapp;

import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Bounded manual benchmark, not a test: 1 KiB pushes per second through a relay process on
 * loopback with 1 and 8 clients (each with 16 pushes in flight), and push-to-notify and
 * push-to-pulled latency (p50/p99) between two devices: the observer pulls after each Notify, and
 * push-to-pulled ends when the PullResponse holding the pushed blob arrived. Run: see docs/OPERATIONS.md "Performance".
 * Arguments: pushes per client (default 2000), latency samples (default 300), pushes in flight per
 * client (default 16; the relay stores the pushes that wait behind a commit in one transaction, so
 * a larger window makes larger batches).
 */
public final class RelayPushBenchmark {
    private RelayPushBenchmark() {}

    public static void main(String[] args) throws Exception {
        BenchmarkPorts ports = BenchmarkPorts.open();
        int perClient = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int samples = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int window = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        KeyExchange crypto = ports.crypto();
        Entropy entropy = ports.entropy();
        var clock = ports.clock();
        Path dir = Files.createTempDirectory("zerok-bench");
        try (RelayProcess relay = new RelayProcess(dir.resolve("relay.properties"), "listen=127.0.0.1:0\nhttp.listen=127.0.0.1:0\n"
                + "data.dir=" + dir.resolve("data") + "\nlimits.rate.device.per.second=1000000\nlimits.rate.device.burst=1000000\n"
                + "limits.rate.global.per.second=1000000\nlimits.rate.global.burst=1000000\n"
                + "limits.rate.group.per.second=1000000\nlimits.rate.group.burst=1000000\n");
                Transport transport = Providers.select(TransportProvider.class, "quic").open(ProviderConfig.EMPTY,
                        new ProviderContext(clock, entropy))) {
            for (int clients : new int[] {1, 8}) {
                GroupKeys group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
                List<RawDevice> devices = new ArrayList<>();
                for (int i = 0; i < clients; i++) {
                    RawDevice d = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy);
                    d.hello(crypto, group);
                    devices.add(d);
                }
                ExecutorService pool = Executors.newFixedThreadPool(clients);
                long start = System.nanoTime();
                List<Future<?>> runs = new ArrayList<>();
                for (RawDevice d : devices) {
                    runs.add(pool.submit(() -> {
                        pushWindowed(d, perClient, window, entropy);
                        return null;
                    }));
                }
                for (Future<?> f : runs) {
                    f.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("clients=%d window=%d pushes=%d seconds=%.2f pushes/s=%.0f%n", clients, window,
                        clients * perClient, seconds, clients * perClient / seconds);
                pool.shutdown();
                for (RawDevice d : devices) {
                    d.close();
                }
            }
            GroupKeys group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
            try (RawDevice pusher = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy);
                    RawDevice observer = new RawDevice(transport, relay.endpoint, relay.publicKey, crypto, entropy)) {
                pusher.hello(crypto, group);
                observer.hello(crypto, group);
                long[] micros = new long[samples];
                long[] pulledMicros = new long[samples];
                dev.zerok.ports.id.Cursor cursor = dev.zerok.ports.id.Cursor.ZERO;
                for (int i = 0; i < samples; i++) {
                    BlobId blob = new BlobId(entropy.bytes(16));
                    long t0 = System.nanoTime();
                    pusher.send(new Message.Push(blob, 3600, entropy.bytes(1024)));
                    Message m = observer.receive(Duration.ofSeconds(10));
                    micros[i] = (System.nanoTime() - t0) / 1000;
                    if (!(m instanceof Message.Notify)) {
                        throw new IllegalStateException("expected Notify, got " + m);
                    }
                    observer.send(new Message.Pull(cursor, 16, 1 << 20));
                    Message page = observer.receive(Duration.ofSeconds(10));
                    pulledMicros[i] = (System.nanoTime() - t0) / 1000;
                    if (!(page instanceof Message.PullResponse r) || r.blobs().isEmpty()
                            || !r.blobs().getLast().blob().equals(blob)) {
                        throw new IllegalStateException("expected a page ending with the pushed blob, got " + page);
                    }
                    cursor = r.blobs().getLast().cursor();
                    pusher.receive(Duration.ofSeconds(10));
                }
                Arrays.sort(micros);
                Arrays.sort(pulledMicros);
                System.out.printf("push-to-notify samples=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n", samples,
                        micros[samples / 2] / 1000.0, micros[(int) (samples * 0.99)] / 1000.0, micros[samples - 1] / 1000.0);
                System.out.printf("push-to-pulled samples=%d p50=%.2f ms p99=%.2f ms max=%.2f ms%n", samples,
                        pulledMicros[samples / 2] / 1000.0, pulledMicros[(int) (samples * 0.99)] / 1000.0,
                        pulledMicros[samples - 1] / 1000.0);
            }
            String status = Files.readString(Path.of("/proc/" + relay.process.pid() + "/status"));
            status.lines().filter(l -> l.startsWith("VmHWM") || l.startsWith("VmRSS")).forEach(l -> System.out.println("relay " + l));
        }
    }

    private static void pushWindowed(RawDevice d, int count, int window, Entropy entropy) throws Exception {
        int sent = 0;
        int acked = 0;
        byte[] payload = entropy.bytes(1024);
        while (acked < count) {
            while (sent < count && sent - acked < window) {
                d.send(new Message.Push(new BlobId(entropy.bytes(16)), 3600, payload));
                sent++;
            }
            Message m = d.receive(Duration.ofSeconds(30));
            if (m instanceof Message.PushAck) {
                acked++;
            } else if (!(m instanceof Message.Notify)) {
                throw new IllegalStateException("unexpected " + m);
            }
        }
    }
}
