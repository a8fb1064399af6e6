package dev.zerok.chaos.assertions;

import dev.zerok.chaos.report.Timeline;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/** A hand-filled topology for the assertion tests: state is whatever the test puts in. */
final class FakeTopology implements Topology {
    final List<FakeDevice> devices = new ArrayList<>();
    final List<Relay> relays = new ArrayList<>();
    final List<Path> storageFiles = new ArrayList<>();
    final List<String> logLines = new ArrayList<>();
    final List<byte[]> frames = new ArrayList<>();
    final Timeline timeline = new Timeline(() -> Instant.EPOCH);

    static final class FakeGroup implements Group {
        final GroupId id;

        FakeGroup(GroupId id) {
            this.id = id;
        }

        @Override
        public String name() {
            return "group-1";
        }

        @Override
        public Optional<GroupId> groupId() {
            return Optional.of(id);
        }
    }

    static final class FakeDevice implements Device {
        final String name;
        final Group group;
        final DeviceId id;
        final Map<BlobId, byte[]> pushed = new LinkedHashMap<>();
        final Map<BlobId, byte[]> received = new LinkedHashMap<>();
        final List<SyncEvent> events = new ArrayList<>();
        VersionVector vector = VersionVector.EMPTY;

        FakeDevice(String name, Group group, DeviceId id) {
            this.name = name;
            this.group = group;
            this.id = id;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Optional<DeviceId> deviceId() {
            return Optional.of(id);
        }

        @Override
        public Group group() {
            return group;
        }

        @Override
        public List<Relay> relays() {
            return List.of();
        }

        @Override
        public boolean running() {
            return true;
        }

        @Override
        public BlobId push(byte[] data) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int maxPayloadBytes() {
            return 0;
        }

        @Override
        public void syncNow() {}

        @Override
        public SyncStatus status() {
            return SyncStatus.of(SyncStatus.Kind.SYNCED);
        }

        @Override
        public VersionVector versionVector() {
            return vector;
        }

        @Override
        public Cursor pullCursor(Relay relay) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<BlobId, byte[]> pushed() {
            return pushed;
        }

        @Override
        public Map<BlobId, byte[]> received() {
            return received;
        }

        @Override
        public long deliveries() {
            return received.size();
        }

        @Override
        public List<SyncEvent> events() {
            return events;
        }
    }

    @Override
    public String kind() {
        return "fake";
    }

    @Override
    public long seed() {
        return 0;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public Timeline timeline() {
        return timeline;
    }

    @Override
    public Instant now() {
        return Instant.EPOCH;
    }

    @Override
    public Group newGroup() {
        throw new UnsupportedOperationException();
    }

    @Override
    public Relay addRelay() {
        Relay r = new Relay() {
            @Override
            public String name() {
                return "relay-1";
            }

            @Override
            public boolean running() {
                return true;
            }
        };
        relays.add(r);
        return r;
    }

    @Override
    public Device addDevice(Group group, List<Relay> relays) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Device addDevice(Group group, List<Relay> relays, Duration clockOffset) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Relay> relays() {
        return relays;
    }

    @Override
    public List<Device> devices() {
        return List.copyOf(devices);
    }

    @Override
    public void setFaults(Device device, Relay relay, LinkDirection direction, LinkFaults faults) {}

    @Override
    public void killRelay(Relay relay) {}

    @Override
    public void stopRelay(Relay relay) {}

    @Override
    public void restartRelay(Relay relay) {}

    @Override
    public void crashDevice(Device device) {}

    @Override
    public void restartDevice(Device device) {}

    @Override
    public int corruptStoredBlobs(Relay relay) {
        return 0;
    }

    @Override
    public void runFor(Duration duration) {}

    @Override
    public boolean await(BooleanSupplier condition, Duration timeout) {
        return condition.getAsBoolean();
    }

    @Override
    public boolean awaitConvergence(Duration timeout) {
        return true;
    }

    @Override
    public List<Path> relayStorageFiles(Relay relay) {
        return storageFiles;
    }

    @Override
    public List<String> relayLogLines(Relay relay) {
        return logLines;
    }

    @Override
    public List<byte[]> capturedFrames() {
        return frames;
    }

    @Override
    public void close() {}
}
