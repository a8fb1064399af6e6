package dev.zerok.chaos.swarm;

import dev.zerok.chaos.report.Timeline;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.RelayCounters;
import dev.zerok.chaos.topology.RelayResources;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.chaos.topology.TopologyFactory;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * A deliberately broken topology for the test that the swarm runner can fail: it forwards
 * everything to a real topology, except that the application record of one device
 * ({@code device-N}, N = {@code victim} + 1) loses its first received blob, as an application that
 * dropped one delivery would.
 */
final class LossyTopology implements Topology {
    /** Opens {@link LossyTopology}s over {@code real}'s topologies. */
    static TopologyFactory factory(TopologyFactory real, int victim) {
        return new TopologyFactory() {
            @Override
            public String kind() {
                return real.kind() + "-lossy";
            }

            @Override
            public Set<Capability> capabilities() {
                return real.capabilities();
            }

            @Override
            public Topology open(long seed, Path workDir) {
                return new LossyTopology(real.open(seed, workDir), victim);
            }
        };
    }

    private final Topology real;
    private final int victim;
    private final Map<Device, Device> wrappers = new IdentityHashMap<>();

    private LossyTopology(Topology real, int victim) {
        this.real = real;
        this.victim = victim;
    }

    private Device wrap(Device d) {
        return wrappers.computeIfAbsent(d, x -> real.devices().indexOf(x) == victim ? new Forgetful(x) : x);
    }

    private static Device unwrap(Device d) {
        return d instanceof Forgetful f ? f.real : d;
    }

    @Override public String kind() { return real.kind() + "-lossy"; }
    @Override public long seed() { return real.seed(); }
    @Override public Set<Capability> capabilities() { return real.capabilities(); }
    @Override public Timeline timeline() { return real.timeline(); }
    @Override public Instant now() { return real.now(); }
    @Override public Group newGroup() { return real.newGroup(); }
    @Override public Relay addRelay() { return real.addRelay(); }
    @Override public Device addDevice(Group group, List<Relay> relays) { return wrap(real.addDevice(group, relays)); }

    @Override
    public Device addDevice(Group group, List<Relay> relays, Duration clockOffset) {
        return wrap(real.addDevice(group, relays, clockOffset));
    }

    @Override public List<Relay> relays() { return real.relays(); }
    @Override public List<Device> devices() { return real.devices().stream().map(this::wrap).toList(); }

    @Override
    public void setFaults(Device device, Relay relay, LinkDirection direction, LinkFaults faults) {
        real.setFaults(unwrap(device), relay, direction, faults);
    }

    @Override public void partition(Device device) { real.partition(unwrap(device)); }
    @Override public void heal(Device device) { real.heal(unwrap(device)); }
    @Override public void killRelay(Relay relay) { real.killRelay(relay); }
    @Override public void stopRelay(Relay relay) { real.stopRelay(relay); }
    @Override public void restartRelay(Relay relay) { real.restartRelay(relay); }
    @Override public void pauseRelay(Relay relay) { real.pauseRelay(relay); }
    @Override public void resumeRelay(Relay relay) { real.resumeRelay(relay); }
    @Override public void crashDevice(Device device) { real.crashDevice(unwrap(device)); }
    @Override public void restartDevice(Device device) { real.restartDevice(unwrap(device)); }
    @Override public void pauseDevice(Device device) { real.pauseDevice(unwrap(device)); }
    @Override public void resumeDevice(Device device) { real.resumeDevice(unwrap(device)); }
    @Override public int corruptStoredBlobs(Relay relay) { return real.corruptStoredBlobs(relay); }
    @Override public void runFor(Duration duration) { real.runFor(duration); }
    @Override public boolean await(BooleanSupplier condition, Duration timeout) { return real.await(condition, timeout); }
    @Override public boolean awaitConvergence(Duration timeout) { return real.awaitConvergence(timeout); }
    @Override public List<Path> relayStorageFiles(Relay relay) { return real.relayStorageFiles(relay); }
    @Override public List<String> relayLogLines(Relay relay) { return real.relayLogLines(relay); }
    @Override public List<byte[]> capturedFrames() { return real.capturedFrames(); }
    @Override public RelayResources relayResources(Relay relay) { return real.relayResources(relay); }
    @Override public RelayCounters relayCounters(Relay relay) { return real.relayCounters(relay); }
    @Override public void verifyRelayLogs() { real.verifyRelayLogs(); }
    @Override public void close() { real.close(); }

    /** A device whose {@code received()} has lost its first entry. */
    private record Forgetful(Device real) implements Device {
        @Override
        public Map<BlobId, byte[]> received() {
            Map<BlobId, byte[]> all = new LinkedHashMap<>(real.received());
            all.keySet().stream().findFirst().ifPresent(all::remove);
            return all;
        }

        @Override public String name() { return real.name(); }
        @Override public Optional<DeviceId> deviceId() { return real.deviceId(); }
        @Override public Group group() { return real.group(); }
        @Override public List<Relay> relays() { return real.relays(); }
        @Override public boolean running() { return real.running(); }
        @Override public BlobId push(byte[] data) { return real.push(data); }
        @Override public int maxPayloadBytes() { return real.maxPayloadBytes(); }
        @Override public void syncNow() { real.syncNow(); }
        @Override public SyncStatus status() { return real.status(); }
        @Override public VersionVector versionVector() { return real.versionVector(); }
        @Override public Cursor pullCursor(Relay relay) { return real.pullCursor(relay); }
        @Override public Map<BlobId, byte[]> pushed() { return real.pushed(); }
        @Override public long deliveries() { return real.deliveries(); }
        @Override public List<SyncEvent> events() { return real.events(); }
    }
}
