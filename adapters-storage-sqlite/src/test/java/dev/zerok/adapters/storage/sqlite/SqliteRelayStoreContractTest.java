package dev.zerok.adapters.storage.sqlite;

import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.RelayStoreContract;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.file.Path;
import java.time.Duration;
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
}
