package dev.zerok.chaos.mock;

import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.chaos.topology.TopologyFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** Opens {@link MockTopology} instances, optionally with extra relay settings for every relay. */
public final class MockTopologyFactory implements TopologyFactory {
    private final Map<String, String> relaySettings;

    /** Default relay settings. */
    public MockTopologyFactory() {
        this(Map.of());
    }

    /** @param relaySettings relay configuration keys applied to every relay (e.g. a small quota) */
    public MockTopologyFactory(Map<String, String> relaySettings) {
        this.relaySettings = Map.copyOf(relaySettings);
    }

    @Override
    public String kind() {
        return "mock";
    }

    @Override
    public Set<Capability> capabilities() {
        return MockTopology.CAPABILITIES;
    }

    @Override
    public Topology open(long seed, Path workDir) {
        return new MockTopology(seed, workDir, relaySettings);
    }
}
