package dev.zerok.ports.crypto;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.NamedProvider;
import dev.zerok.ports.spi.ProviderConfig;

/** ServiceLoader entry point for crypto primitive adapters ({@code bouncycastle}). */
public interface KeyExchangeProvider extends NamedProvider {
    /**
     * @throws ConfigException if a key is unknown or a value invalid
     */
    KeyExchange open(ProviderConfig config) throws ConfigException;
}
