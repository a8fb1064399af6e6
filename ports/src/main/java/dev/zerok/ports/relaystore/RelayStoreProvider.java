package dev.zerok.ports.relaystore;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.NamedProvider;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;

/** ServiceLoader entry point for relay stores ({@code sqlite}). */
public interface RelayStoreProvider extends NamedProvider {
    /**
     * Opens (creating and migrating if needed) a relay store.
     *
     * @param config provider keys such as the database path, TTL cap and per-group quota
     * @throws ConfigException if a key is unknown or a value invalid
     * @throws RelayStoreException if the database cannot be opened or migrated
     */
    RelayStore open(ProviderConfig config, ProviderContext context) throws ConfigException, RelayStoreException;
}
