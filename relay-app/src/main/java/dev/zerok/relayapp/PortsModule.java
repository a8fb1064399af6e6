package dev.zerok.relayapp;

import dagger.Module;
import dagger.Provides;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.relaystore.RelayStoreProvider;
import dev.zerok.ports.spi.NamedProvider;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import javax.inject.Singleton;

/**
 * Provides each port by asking ServiceLoader for the provider named in the configuration
 * (docs/ARCHITECTURE.md, "How a port is wired"). A missing name fails start-up with the names that
 * were found.
 */
@Module
final class PortsModule {
    private PortsModule() {}

    @Provides
    @Singleton
    static Clock clock(RelayConfig config) {
        return open("clock", config, ClockProvider.class, (p, c) -> p.open(c));
    }

    @Provides
    @Singleton
    static Entropy entropy(RelayConfig config) {
        return open("entropy", config, EntropyProvider.class, (p, c) -> p.open(c));
    }

    @Provides
    @Singleton
    static KeyExchange keyExchange(RelayConfig config) {
        return open("keyexchange", config, KeyExchangeProvider.class, (p, c) -> p.open(c));
    }

    @Provides
    @Singleton
    static ProviderContext context(Clock clock, Entropy entropy) {
        return new ProviderContext(clock, entropy);
    }

    @Provides
    @Singleton
    static Transport transport(RelayConfig config, ProviderContext context) {
        return open("transport", config, TransportProvider.class, (p, c) -> p.open(c, context));
    }

    @Provides
    @Singleton
    static RelayStore relayStore(RelayConfig config, ProviderContext context) {
        return open("store", config, RelayStoreProvider.class, (p, c) -> p.open(c, context));
    }

    @FunctionalInterface
    interface Opener<P, T> {
        T open(P provider, dev.zerok.ports.spi.ProviderConfig config) throws Exception;
    }

    private static <P extends NamedProvider, T> T open(String port, RelayConfig config, Class<P> family,
            Opener<P, T> opener) {
        String name = config.providerName(port);
        try {
            P provider = Providers.select(family, name, PortsModule.class.getClassLoader());
            return opener.open(provider, config.providerConfig(port));
        } catch (Exception e) {
            throw new RelayStartupException(port + " '" + name + "': " + e.getMessage(), e);
        }
    }
}
