package dev.zerok.chaos.catalogue;

import dev.zerok.chaos.real.RealTopologyFactory;
import dev.zerok.chaos.runner.Catalogue;
import dev.zerok.chaos.scenarios.NetworkScenarios;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.TopologyFactory;
import java.util.Map;
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
     * (E-HS-04: 5 s per handshake message) must not run with the shortened CI timeouts above, nor
     * scenarios that watch idle sessions longer than 5 s (E-HS-06 counts the relay's sessions 15 s
     * after the race: with a 5 s idle timeout the idle device-1 has dropped and is reconnecting),
     * nor MR-5, whose primary is 5 s away each way (10 s round trips: with the 5 s idle and connect
     * timeouts the primary's connection ended and never came back, "no convergence within PT10M").
     * In-process devices (E-HS-06 crashes a device only to restart it as its retry).
     */
    private static final RealTopologyFactory PRODUCTION_TIMEOUTS = new RealTopologyFactory(
            RealTopologyFactory.Settings.DEFAULTS);
    private static final Set<String> NEEDS_PRODUCTION_TIMEOUTS = Set.of("E-HS-04", "E-HS-06", "MR-5");

    /**
     * Capabilities only in-process devices have (their transport and crypto in this JVM): a scenario
     * needing one runs on in-process devices even if it also crashes a device (then the crash is
     * an in-process abort; these scenarios crash only to remove or restart a device, not to test
     * SIGKILL).
     */
    private static final Set<Capability> NEEDS_IN_PROCESS = Set.of(Capability.CORRUPT_DELIVERED,
            Capability.TRUNCATE_DELIVERED, Capability.REORDER_DELIVERED, Capability.REPLAY_DELIVERED,
            Capability.FAULTY_KEY_EXCHANGE, Capability.CHANNEL_COUNTERS);

    /** Relay settings a scenario needs (the same its mock test gives the mock relays). */
    private static final Map<String, RealTopologyFactory> WITH_RELAY_SETTINGS = Map.of(
            "E-ENC-04", withRelay(NetworkScenarios.E_ENC_04_RELAY_SETTINGS),
            "E-ENC-05", withRelay(NetworkScenarios.E_ENC_05_RELAY_SETTINGS));

    static RealTopologyFactory withRelay(Map<String, String> relaySettings) {
        RealTopologyFactory.Settings s = SETTINGS;
        for (Map.Entry<String, String> e : relaySettings.entrySet()) {
            s = s.withRelay(e.getKey(), e.getValue());
        }
        return new RealTopologyFactory(s);
    }

    private RealFactories() {}

    /** Devices as OS processes: crash = SIGKILL, pause = SIGSTOP. */
    static TopologyFactory deviceProcesses() {
        return DEVICE_PROCESSES;
    }

    /**
     * The variant's own factory (adversarial relay configurations), else by what the scenario
     * requires: production timeouts (E-HS-04), the scenario's relay settings (E-ENC-04, E-ENC-05),
     * size-limited tmpfs stores for disk-full scenarios, in-process devices for faults above QUIC
     * and the watched KeyExchange, device processes for crash and pause, in-process devices
     * otherwise.
     */
    static TopologyFactory forVariant(Catalogue.Variant variant) {
        if (variant.factory().isPresent()) {
            return variant.factory().get();
        }
        if (NEEDS_PRODUCTION_TIMEOUTS.contains(variant.scenario().id())) {
            return PRODUCTION_TIMEOUTS;
        }
        if (WITH_RELAY_SETTINGS.containsKey(variant.scenario().id())) {
            return WITH_RELAY_SETTINGS.get(variant.scenario().id());
        }
        Set<Capability> requires = variant.scenario().requires();
        if (requires.stream().anyMatch(NEEDS_IN_PROCESS::contains)
                && !requires.contains(Capability.DEVICE_PROCESSES) && !requires.contains(Capability.PAUSE_DEVICE)) {
            return IN_PROCESS_DEVICES;
        }
        if (requires.contains(Capability.DISK_FULL)) {
            return DISK_FULL;
        }
        boolean processes = requires.stream().anyMatch(NEEDS_DEVICE_PROCESSES::contains);
        return processes ? DEVICE_PROCESSES : IN_PROCESS_DEVICES;
    }
}
