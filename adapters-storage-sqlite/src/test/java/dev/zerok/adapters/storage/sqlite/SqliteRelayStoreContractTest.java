package dev.zerok.adapters.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.RelayStoreContract;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.io.TempDir;

class SqliteRelayStoreContractTest extends RelayStoreContract {
    @TempDir
    Path dir;

    @Override
    protected RelayStore open(Duration ttlMax, long groupQuotaBytes, long capacityBytes, long capacityBlobs)
            throws Exception {
        return new SqliteRelayStoreProvider().open(
                ProviderConfig.of(
                        "path", dir.resolve("relay.db").toString(),
                        "ttl.max", ttlMax.toMillis() + "ms",
                        "quota.group.bytes", Long.toString(groupQuotaBytes),
                        "capacity.bytes", Long.toString(capacityBytes),
                        "capacity.blobs", Long.toString(capacityBlobs)),
                new ProviderContext(new ManualClock(), new SeededEntropy(1)));
    }

    /**
     * Flips one bit in the middle of every copy of {@code payload} in the database file and its
     * WAL, below SQLite: as a failing disk would, SQLite itself does not notice (it keeps no
     * checksums of table contents). With the store closed the WAL has normally been checkpointed
     * into the main file and removed.
     */
    @Override
    protected void rotStoredPayload(byte[] payload) throws Exception {
        int flipped = 0;
        for (Path file : new Path[] {dir.resolve("relay.db"), dir.resolve("relay.db-wal")}) {
            if (!Files.exists(file)) {
                continue;
            }
            byte[] bytes = Files.readAllBytes(file);
            int copies = 0;
            for (int at = indexOf(bytes, payload, 0); at >= 0; at = indexOf(bytes, payload, at + payload.length)) {
                bytes[at + payload.length / 2] ^= 0x10;
                copies++;
            }
            if (copies > 0) {
                Files.write(file, bytes);
                flipped += copies;
            }
        }
        assertThat(flipped).as("copies of the payload found in the database files").isPositive();
    }

    private static int indexOf(byte[] haystack, byte[] needle, int from) {
        for (int i = from; i <= haystack.length - needle.length; i++) {
            if (haystack[i] == needle[0] && Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
