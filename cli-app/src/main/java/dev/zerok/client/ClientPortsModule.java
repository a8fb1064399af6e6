package dev.zerok.client;

import dagger.Module;
import dagger.Provides;
import dev.zerok.ports.blob.BlobStore;
import dev.zerok.ports.blob.BlobStoreProvider;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.ClientStateStoreProvider;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.spi.NamedProvider;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import javax.inject.Singleton;

/**
 * Provides each port of a device by asking ServiceLoader for the provider that
 * {@link ClientSettings} names (docs/ARCHITECTURE.md, "How a port is wired"). A missing provider
 * fails with the names that were found.
 */
@Module
final class ClientPortsModule {
    private ClientPortsModule() {}

    @Provides
    @Singleton
    static Clock clock(ClientSettings settings) {
        return open("clock", settings, ClockProvider.class, (p, c) -> p.open(c));
    }

    @Provides
    @Singleton
    static Entropy entropy(ClientSettings settings) {
        return open("entropy", settings, EntropyProvider.class, (p, c) -> p.open(c));
    }

    @Provides
    @Singleton
    static KeyExchange keyExchange(ClientSettings settings) {
        return open("keyexchange", settings, KeyExchangeProvider.class, (p, c) -> p.open(c));
    }

    @Provides
    @Singleton
    static ProviderContext context(Clock clock, Entropy entropy) {
        return new ProviderContext(clock, entropy);
    }

    @Provides
    @Singleton
    static Transport transport(ClientSettings settings, ProviderContext context) {
        return open("transport", settings, TransportProvider.class, (p, c) -> p.open(c, context));
    }

    @Provides
    @Singleton
    static ClientStateStore state(ClientSettings settings, ProviderContext context) {
        return open("state", settings, ClientStateStoreProvider.class, (p, c) -> p.open(c, context));
    }

    @Provides
    @Singleton
    static BlobStore chunks(ClientSettings settings, ProviderContext context) {
        return open("chunks", settings, BlobStoreProvider.class, (p, c) -> p.open(c, context));
    }

    @FunctionalInterface
    interface Opener<P, T> {
        T open(P provider, ProviderConfig config) throws Exception;
    }

    /** Thrown out of the component when a port cannot be opened; {@link Device#open} maps it. */
    static final class PortOpenException extends RuntimeException {
        final String port;

        PortOpenException(String port, String message, Throwable cause) {
            super(message, cause);
            this.port = port;
        }
    }

    private static <P extends NamedProvider, T> T open(String port, ClientSettings settings, Class<P> family,
            Opener<P, T> opener) {
        String name = settings.provider(port);
        try {
            P provider = Providers.select(family, name, ClientPortsModule.class.getClassLoader());
            return opener.open(provider, settings.config(port));
        } catch (Exception e) {
            throw new PortOpenException(port, port + " '" + name + "': " + e.getMessage(), e);
        }
    }
}
