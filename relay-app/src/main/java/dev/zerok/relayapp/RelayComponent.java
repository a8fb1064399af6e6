package dev.zerok.relayapp;

import dagger.BindsInstance;
import dagger.Component;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.transport.Transport;
import javax.inject.Singleton;

/** The relay's object graph: every port, opened from the providers the configuration names. */
@Singleton
@Component(modules = PortsModule.class)
public interface RelayComponent {
    Clock clock();

    Entropy entropy();

    KeyExchange keyExchange();

    Transport transport();

    RelayStore relayStore();

    /** Creates the graph for one configuration. */
    @Component.Factory
    interface Factory {
        RelayComponent create(@BindsInstance RelayConfig config);
    }

    /** The graph for {@code config}; ports are opened lazily, on first use. */
    static RelayComponent create(RelayConfig config) {
        return DaggerRelayComponent.factory().create(config);
    }
}
