package dev.zerok.chaos.catalogue;

import dev.zerok.chaos.real.RealTopologyFactory;
import dev.zerok.chaos.runner.Catalogue;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.TopologyFactory;
import java.util.Set;

/** Which real topology each catalogue variant runs on. */
final class RealFactories {
    /**
     * Production settings except two timeouts that would only make scenarios slower: devices notice
     * a dead QUIC path after 5 s and give up a connection attempt after 5 s, relays end a stalled
     * handshake after 3 s (the CI smoke settings).
     */
    static final RealTopologyFactory.Settings SETTINGS = RealTopologyFactory.Settings.DEFAULTS
            .withDeviceTransport("idle.timeout", "5s").withDeviceTransport("connect.timeout", "5s")
            .withRelay("limits.hello.timeout", "3s");

    static final RealTopologyFactory IN_PROCESS_DEVICES = new RealTopologyFactory(SETTINGS);

    /** Capabilities only a topology with device OS processes has. */
    private static final Set<Capability> NEEDS_DEVICE_PROCESSES = Set.of(Capability.DEVICE_PROCESSES,
            Capability.PAUSE_DEVICE);

    private RealFactories() {}

    /**
     * THE single place that switches device processes on. Until
     * {@code RealTopologyFactory.Settings#withDeviceProcesses()} is merged (another issue-11 branch),
     * this returns the in-process factory, which lacks {@link Capability#DEVICE_PROCESSES} and
     * {@link Capability#PAUSE_DEVICE}, so those scenarios are reported NOT RUN naming them. At merge:
     * {@code return new RealTopologyFactory(SETTINGS.withDeviceProcesses());}
     */
    static TopologyFactory deviceProcesses() {
        return IN_PROCESS_DEVICES;
    }

    /** The variant's own factory (adversarial relay configurations), else by what the scenario requires. */
    static TopologyFactory forVariant(Catalogue.Variant variant) {
        if (variant.factory().isPresent()) {
            return variant.factory().get();
        }
        boolean processes = variant.scenario().requires().stream().anyMatch(NEEDS_DEVICE_PROCESSES::contains);
        return processes ? deviceProcesses() : IN_PROCESS_DEVICES;
    }
}
