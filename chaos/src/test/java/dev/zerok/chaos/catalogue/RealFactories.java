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

    /**
     * Capabilities that put a scenario on device OS processes: pausing a device, and crashing one
     * (seed 000: "kill client-a", so SIGKILL of a process, not an in-process abort).
     */
    private static final Set<Capability> NEEDS_DEVICE_PROCESSES = Set.of(Capability.DEVICE_PROCESSES,
            Capability.PAUSE_DEVICE, Capability.CRASH_DEVICE);

    private static final RealTopologyFactory DEVICE_PROCESSES =
            new RealTopologyFactory(SETTINGS.withDeviceProcesses());
    private static final RealTopologyFactory DISK_FULL = new RealTopologyFactory(SETTINGS.withDiskFull());

    /**
     * Production timeouts: scenarios whose point is that the shipped deadlines admit a slow path
     * (E-HS-04: 5 s per handshake message) must not run with the shortened CI timeouts above.
     */
    private static final RealTopologyFactory PRODUCTION_TIMEOUTS = new RealTopologyFactory(
            RealTopologyFactory.Settings.DEFAULTS);
    private static final Set<String> NEEDS_PRODUCTION_TIMEOUTS = Set.of("E-HS-04");

    private RealFactories() {}

    /** Devices as OS processes: crash = SIGKILL, pause = SIGSTOP. */
    static TopologyFactory deviceProcesses() {
        return DEVICE_PROCESSES;
    }

    /**
     * The variant's own factory (adversarial relay configurations), else by what the scenario
     * requires: size-limited tmpfs stores for disk-full scenarios, device processes for crash and
     * pause, in-process devices otherwise.
     */
    static TopologyFactory forVariant(Catalogue.Variant variant) {
        if (variant.factory().isPresent()) {
            return variant.factory().get();
        }
        if (NEEDS_PRODUCTION_TIMEOUTS.contains(variant.scenario().id())) {
            return PRODUCTION_TIMEOUTS;
        }
        Set<Capability> requires = variant.scenario().requires();
        if (requires.contains(Capability.DISK_FULL)) {
            return DISK_FULL;
        }
        boolean processes = requires.stream().anyMatch(NEEDS_DEVICE_PROCESSES::contains);
        return processes ? DEVICE_PROCESSES : IN_PROCESS_DEVICES;
    }
}
