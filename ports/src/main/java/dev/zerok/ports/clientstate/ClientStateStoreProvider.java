package dev.zerok.ports.clientstate;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.NamedProvider;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;

/** ServiceLoader entry point for client state stores ({@code sqlite}). */
public interface ClientStateStoreProvider extends NamedProvider {
    /**
     * Opens (creating and migrating if needed) a device's state store.
     *
     * @throws ConfigException if a key is unknown or a value invalid
     * @throws ClientStateException if the store cannot be opened
     */
    ClientStateStore open(ProviderConfig config, ProviderContext context) throws ConfigException, ClientStateException;
}
