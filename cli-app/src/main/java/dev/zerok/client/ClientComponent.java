package dev.zerok.client;

import dagger.BindsInstance;
import dagger.Component;
import dev.zerok.ports.blob.BlobStore;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.transport.Transport;
import javax.inject.Singleton;

/** A device's object graph: every port, opened lazily from the providers {@link ClientSettings} names. */
@Singleton
@Component(modules = ClientPortsModule.class)
public interface ClientComponent {
    Clock clock();

    Entropy entropy();

    KeyExchange keyExchange();

    Transport transport();

    ClientStateStore state();

    BlobStore chunks();

    /** Creates the graph for one settings value. */
    @Component.Factory
    interface Factory {
        ClientComponent create(@BindsInstance ClientSettings settings);
    }

    /** The graph for {@code settings}. */
    static ClientComponent create(ClientSettings settings) {
        return DaggerClientComponent.factory().create(settings);
    }
}
