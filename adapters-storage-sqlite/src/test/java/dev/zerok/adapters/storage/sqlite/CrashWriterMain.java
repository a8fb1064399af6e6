package dev.zerok.adapters.storage.sqlite;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.AppendResult;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import java.time.Duration;
import java.time.Instant;

/**
 * The victim process of {@link SqliteRelayStoreCrashTest}: appends 1 KiB blobs to one group as
 * fast as it can and prints {@code ACK <cursor>} after each append returns, until it is killed or
 * has written {@code args[1]} blobs.
 *
 * <p>Arguments: database path, maximum number of appends.
 */
final class CrashWriterMain {
    private CrashWriterMain() {}

    public static void main(String[] args) throws Exception {
        SeededEntropy entropy = new SeededEntropy(7);
        int max = Integer.parseInt(args[1]);
        try (RelayStore store = new SqliteRelayStoreProvider().open(ProviderConfig.of("path", args[0]),
                new ProviderContext(new ManualClock(), entropy))) {
            GroupId group = new GroupId(new byte[GroupId.LENGTH]);
            DeviceId sender = new DeviceId(new byte[DeviceId.LENGTH]);
            System.out.println("READY");
            System.out.flush();
            for (int i = 0; i < max; i++) {
                AppendResult r = store.append(group, sender, new BlobId(entropy.bytes(BlobId.LENGTH)),
                        entropy.bytes(1024), Instant.parse("2026-01-01T00:00:00Z"), Duration.ofDays(1));
                System.out.println("ACK " + r.cursor().toUnsignedString());
                System.out.flush();
            }
        }
    }
}
