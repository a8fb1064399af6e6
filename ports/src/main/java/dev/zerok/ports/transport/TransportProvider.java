package dev.zerok.ports.transport;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.NamedProvider;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;

/** ServiceLoader entry point for Transport adapters ({@code quic}, {@code mock}). */
public interface TransportProvider extends NamedProvider {
    /**
     * Creates a transport.
     *
     * @param config provider-specific keys (documented by each adapter); unknown keys are rejected
     * @param context the clock (timers, timeouts) and entropy the transport must use
     * @throws ConfigException if a key is unknown or a value invalid
     * @throws TransportException if the transport's resources (event loops, TLS) cannot be set up
     */
    Transport open(ProviderConfig config, ProviderContext context) throws ConfigException, TransportException;
}
