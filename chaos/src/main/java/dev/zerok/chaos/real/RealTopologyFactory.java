package dev.zerok.chaos.real;

import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.chaos.topology.TopologyFactory;
import dev.zerok.relayapp.RelayMain;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Opens {@link RealTopology}s: relay OS processes on loopback QUIC, in-process devices, a UDP fault
 * proxy on every link. Available wherever this JVM's class path holds {@code relay-app} and the
 * native QUIC codec loads (Linux x86-64). Thread-safe (immutable).
 */
public final class RealTopologyFactory implements TopologyFactory {
    /**
     * How the members of a real topology are configured.
     *
     * @param relaySettings relay configuration keys written into every relay's file (docs/OPERATIONS.md);
     *     {@code listen}, {@code http.listen} and {@code data.dir} are set by the topology
     * @param relayJvmOptions extra options of every relay JVM (heap, JIT), before the main class
     * @param deviceTransportSettings {@code quic} transport keys of every device
     *     ({@code adapters-transport-quic/README.md}), e.g. {@code idle.timeout}
     * @param deviceProcesses every device is its own OS process ({@link DeviceAgentMain}) instead of
     *     an in-process client: crash = SIGKILL, pause = SIGSTOP ({@link #withDeviceProcesses()})
     * @param diskFull every relay's data directory and every device's home is its own size-limited
     *     tmpfs that {@code setRelayDiskFull}/{@code setDeviceDiskFull} fill ({@link #withDiskFull()};
     *     needs root on Linux, else {@link Capability#DISK_FULL} is missing)
     */
    public record Settings(Map<String, String> relaySettings, List<String> relayJvmOptions,
            Map<String, String> deviceTransportSettings, boolean deviceProcesses, boolean diskFull) {
        /**
         * Small relay JVMs that start fast (C1 only, serial GC: a relay of a scenario serves a few
         * devices), one event-loop thread per device transport, production timeouts otherwise.
         */
        public static final Settings DEFAULTS = new Settings(Map.of("transport.event.loop.threads", "1"),
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m", "-Xss512k"),
                Map.of("event.loop.threads", "1"));

        public Settings {
            relaySettings = Map.copyOf(relaySettings);
            relayJvmOptions = List.copyOf(relayJvmOptions);
            deviceTransportSettings = Map.copyOf(deviceTransportSettings);
        }

        /** In-process devices, no tmpfs mounts. */
        public Settings(Map<String, String> relaySettings, List<String> relayJvmOptions,
                Map<String, String> deviceTransportSettings) {
            this(relaySettings, relayJvmOptions, deviceTransportSettings, false, false);
        }

        /** These settings with {@code key=value} added to every device's transport configuration. */
        public Settings withDeviceTransport(String key, String value) {
            Map<String, String> m = new java.util.TreeMap<>(deviceTransportSettings);
            m.put(key, value);
            return new Settings(relaySettings, relayJvmOptions, m, deviceProcesses, diskFull);
        }

        /** These settings with {@code key=value} added to every relay's configuration. */
        public Settings withRelay(String key, String value) {
            Map<String, String> m = new java.util.TreeMap<>(relaySettings);
            m.put(key, value);
            return new Settings(m, relayJvmOptions, deviceTransportSettings, deviceProcesses, diskFull);
        }

        /**
         * These settings with every device as its own OS process (a child JVM from this JVM's class
         * path, C1, small heap): adds {@link Capability#DEVICE_PROCESSES} and
         * {@link Capability#PAUSE_DEVICE} (frames are captured in each device process and read from
         * its frame file).
         */
        public Settings withDeviceProcesses() {
            return new Settings(relaySettings, relayJvmOptions, deviceTransportSettings, true, diskFull);
        }

        /**
         * These settings with each relay's data directory and each device's home on its own
         * {@value RealTopology#DISK_FULL_MOUNT_BYTES}-byte tmpfs: adds {@link Capability#DISK_FULL}
         * where this JVM runs as root on Linux ({@link TmpfsMount#unavailableReason()}).
         */
        public Settings withDiskFull() {
            return new Settings(relaySettings, relayJvmOptions, deviceTransportSettings, deviceProcesses, true);
        }
    }

    private final Settings settings;

    /** A factory with {@link Settings#DEFAULTS}. */
    public RealTopologyFactory() {
        this(Settings.DEFAULTS);
    }

    public RealTopologyFactory(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String kind() {
        return "real";
    }

    @Override
    public Set<Capability> capabilities() {
        return RealTopology.capabilities(settings);
    }

    /** Null where relay-app is on the class path and the OS is Linux; else why not. */
    @Override
    public String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return "the real topology needs Linux (native QUIC codec, kill -STOP)";
        }
        try {
            Class.forName(RelayMain.class.getName());
        } catch (ClassNotFoundException | LinkageError e) {
            return "relay-app is not on the class path";
        }
        return null;
    }

    @Override
    public Topology open(long seed, Path workDir) {
        return new RealTopology(seed, workDir, settings);
    }
}
