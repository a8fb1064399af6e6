package dev.zerok.ports.entropy;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.NamedProvider;
import dev.zerok.ports.spi.ProviderConfig;

/** ServiceLoader entry point for entropy sources ({@code drbg}). */
public interface EntropyProvider extends NamedProvider {
    /**
     * @throws ConfigException if a key is unknown or a value invalid
     */
    Entropy open(ProviderConfig config) throws ConfigException;
}
