package dev.zerok.adapters.storage.sqlite;

import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.ClientStateStoreContract;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteClientStateStoreContractTest extends ClientStateStoreContract {
    @TempDir
    Path dir;

    @Override
    protected ClientStateStore open() throws Exception {
        return new SqliteClientStateStoreProvider().open(
                ProviderConfig.of("path", dir.resolve("client.db").toString()),
                new ProviderContext(new ManualClock(), new SeededEntropy(2)));
    }
}
