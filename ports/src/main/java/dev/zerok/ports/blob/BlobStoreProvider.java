package dev.zerok.ports.blob;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.NamedProvider;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;

/** ServiceLoader entry point for BlobStore adapters ({@code fs}). */
public interface BlobStoreProvider extends NamedProvider {
    /**
     * Opens (creating if needed) a store.
     *
     * @param config provider keys, for example the directory; unknown keys are rejected
     * @throws ConfigException if a key is unknown or a value invalid
     * @throws BlobStoreException if the storage cannot be opened
     */
    BlobStore open(ProviderConfig config, ProviderContext context) throws ConfigException, BlobStoreException;
}
