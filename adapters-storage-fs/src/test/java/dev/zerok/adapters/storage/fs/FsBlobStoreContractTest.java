package dev.zerok.adapters.storage.fs;

import dev.zerok.ports.blob.BlobStore;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.testkit.BlobStoreContract;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FsBlobStoreContractTest extends BlobStoreContract {
    @TempDir
    Path dir;

    private final SeededEntropy entropy = new SeededEntropy(21);

    @Override
    protected BlobStore open() throws Exception {
        return new FsBlobStoreProvider().open(ProviderConfig.of("directory", dir.resolve("blobs").toString()),
                new ProviderContext(new ManualClock(), entropy));
    }

    @Override
    protected void corruptStoredBytes(ContentHash hash) throws Exception {
        FsBlobStoreTest.flipOneBit(dir.resolve("blobs"), hash);
    }
}
