package dev.zerok.adapters.transport.mock;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import java.time.Duration;
import java.util.Set;

/**
 * The {@code mock} Transport provider: an in-process transport on a {@link MockNetwork}, with
 * deterministic fault injection in virtual time (see {@link LinkFaults} for the fault model).
 *
 * <p>Configuration keys (unknown keys are rejected):
 * <ul>
 *   <li>{@code network}: the name a {@link MockNetwork} was {@link MockNetwork#register registered}
 *       under. The transport joins it; the network's clock must be the context's clock. Without this
 *       key the transport gets a private network of its own (built from the context's clock and
 *       entropy), which only it can reach.
 *   <li>{@code host}: this node's name on the network, used by the fault API for links; default
 *       {@code node-N}.
 *   <li>{@code idle.timeout}: a channel that carries nothing this long closes with {@code TIMEOUT};
 *       default {@code 30s}.
 *   <li>{@code connect.timeout}: a connect not answered this long fails with {@code TIMEOUT};
 *       default {@code 10s}.
 * </ul>
 *
 * <p>Thread-safe and stateless; each {@link #open} makes a new transport.
 */
public final class MockTransportProvider implements TransportProvider {
    /** The configuration keys this provider honours. */
    public static final Set<String> KEYS = Set.of("network", "host", "idle.timeout", "connect.timeout");

    public MockTransportProvider() {}

    @Override
    public String name() {
        return "mock";
    }

    /**
     * @throws ConfigException if a key is unknown, a duration malformed or not positive, the named
     *     network is not registered, or its clock is not the context's clock
     */
    @Override
    public Transport open(ProviderConfig config, ProviderContext context) throws ConfigException {
        config.requireOnly(KEYS);
        Duration idle = positive(config, "idle.timeout", Duration.ofSeconds(30));
        Duration connect = positive(config, "connect.timeout", Duration.ofSeconds(10));
        MockNetwork network;
        var name = config.string("network");
        if (name.isPresent()) {
            network = MockNetwork.lookup(name.get()).orElseThrow(() -> new ConfigException(
                    "configuration key 'network' names mock network '" + name.get() + "', which is not registered; registered: "
                            + MockNetwork.registeredNames() + ". Call MockNetwork.register first."));
            if (network.clock() != context.clock()) {
                throw new ConfigException("mock network '" + name.get()
                        + "' runs on another clock than the provider context's; pass the network's clock");
            }
        } else {
            network = new MockNetwork(context.clock(), context.entropy());
        }
        String host = config.string("host").orElseGet(network::nextHostName);
        if (host.isBlank()) {
            throw new ConfigException("configuration key 'host' must not be blank");
        }
        return network.transport(host, idle, connect);
    }

    private static Duration positive(ProviderConfig config, String key, Duration fallback) throws ConfigException {
        Duration value = config.duration(key, fallback);
        if (value.isZero()) {
            throw new ConfigException("configuration key '" + key + "' must be positive, got " + value);
        }
        return value;
    }
}
