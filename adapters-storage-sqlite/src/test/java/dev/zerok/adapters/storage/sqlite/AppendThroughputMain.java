package dev.zerok.adapters.storage.sqlite;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.AppendOutcome;
import dev.zerok.ports.relaystore.AppendRequest;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A manual, bounded measurement of single-threaded append throughput with 1 KiB payloads (not part
 * of the test run; see the module README for the command). Arguments: synchronous level (FULL or
 * NORMAL), number of appends (at most 200000), directory for the database file, appends per
 * transaction (default 1: {@link RelayStore#append}; more: {@link RelayStore#appendAll} of that many).
 */
final class AppendThroughputMain {
    private AppendThroughputMain() {}

    public static void main(String[] args) throws Exception {
        String synchronous = args.length > 0 ? args[0] : "FULL";
        int count = Math.min(200_000, args.length > 1 ? Integer.parseInt(args[1]) : 5_000);
        Path directory = Files.createTempDirectory(args.length > 2 ? Path.of(args[2]) : Path.of("target"), "bench");
        int batch = args.length > 3 ? Math.max(1, Integer.parseInt(args[3])) : 1;
        SeededEntropy entropy = new SeededEntropy(42);
        byte[][] payloads = new byte[count][];
        BlobId[] ids = new BlobId[count];
        for (int i = 0; i < count; i++) {
            payloads[i] = entropy.bytes(1024);
            ids[i] = new BlobId(entropy.bytes(BlobId.LENGTH));
        }
        GroupId group = new GroupId(entropy.bytes(GroupId.LENGTH));
        DeviceId sender = new DeviceId(entropy.bytes(DeviceId.LENGTH));
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        try (RelayStore store = new SqliteRelayStoreProvider().open(
                ProviderConfig.of("path", directory.resolve("relay.db").toString(), "synchronous", synchronous),
                new ProviderContext(new ManualClock(), entropy))) {
            int warmup = Math.min(500, count / 10);
            for (int i = 0; i < warmup; i++) {
                store.append(group, sender, ids[i], payloads[i], now, Duration.ofDays(1));
            }
            long start = System.nanoTime();
            for (int i = warmup; i < count; i += batch) {
                if (batch == 1) {
                    store.append(group, sender, ids[i], payloads[i], now, Duration.ofDays(1));
                    continue;
                }
                List<AppendRequest> requests = new ArrayList<>();
                for (int j = i; j < Math.min(count, i + batch); j++) {
                    requests.add(new AppendRequest(group, sender, ids[j], payloads[j], Duration.ofDays(1)));
                }
                for (AppendOutcome outcome : store.appendAll(requests, now)) {
                    if (outcome instanceof AppendOutcome.Refused refused) {
                        throw refused.failure();
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            int measured = count - warmup;
            System.out.printf("synchronous=%s batch=%d appends=%d seconds=%.3f appends_per_second=%.0f%n",
                    synchronous, batch, measured, seconds, measured / seconds);
        }
    }
}
