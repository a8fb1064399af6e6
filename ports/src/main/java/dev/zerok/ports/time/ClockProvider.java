package dev.zerok.ports.time;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.NamedProvider;
import dev.zerok.ports.spi.ProviderConfig;

/**
 * ServiceLoader entry point for clocks ({@code system}). The virtual clock of the chaos suite is
 * constructed directly by the simulator and is not a provider.
 */
public interface ClockProvider extends NamedProvider {
    /**
     * @throws ConfigException if a key is unknown or a value invalid
     */
    Clock open(ProviderConfig config) throws ConfigException;
}
