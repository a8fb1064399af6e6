package dev.zerok.chaos.scenarios;

import static dev.zerok.chaos.scenarios.Steps.SETTLE;
import static dev.zerok.chaos.scenarios.Steps.check;
import static dev.zerok.chaos.scenarios.Steps.converge;

import dev.zerok.chaos.runner.Category;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.content.ContentException;
import dev.zerok.kernel.content.FileRecord;
import dev.zerok.kernel.content.FolderCodec;
import dev.zerok.kernel.content.FolderState;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.DeviceId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The folder model's protocol under the catalogue's faults, on any topology (mock in virtual time,
 * real over QUIC): three devices exchange folder change records ({@link FolderCodec}, sent as the
 * topology devices' blobs) and merge them with the kernel's {@link FolderState}, settling
 * conflicts with {@link FolderState#settleConflicts}, exactly as the device library's
 * {@code Folders} does. Each device's directory is modelled in memory (path to the record whose
 * content it holds; a file's content is a unique string whose SHA-256 stands for its one chunk):
 * these scenarios test the records, the merge, the winner rule and conflict settling across loss,
 * delay, duplication and reordering, not the disk code (the real-stack {@code FolderScenariosTest}
 * covers that).
 *
 * <p>Oracle, after the faults are healed and every device ran passes until none publishes:
 * identical trees on the three devices (conflict copies included), and no lost edit: every write
 * is at its path or in a conflict copy, unless a device later changed that path while it held that
 * write (causally superseded).
 */
public final class FolderModelScenarios {
    private FolderModelScenarios() {}

    private static final Set<Capability> NEEDS = Set.of(Capability.LATENCY, Capability.LOSS, Capability.RELAY_STORAGE_FILES,
            Capability.RELAY_LOGS, Capability.CAPTURE_FRAMES);
    private static final String FOLDER = "docs";
    private static final int ROUNDS = 12;
    private static final int SETTLE_PASSES = 6;

    public static final Scenario F_MODEL_01 = new Scenario("F-MODEL-01",
            "Folder records: three devices edit, delete and rename under T-LOSS-02 (20% loss each way)",
            Category.SYNC, NEEDS, t -> run(t, (topology, devices) -> {
                for (Device d : devices) {
                    Steps.faultAllLinks(topology, d, LinkDirection.BOTH, LinkFaults.NONE.withLoss(0.20));
                }
            }));

    public static final Scenario F_MODEL_02 = new Scenario("F-MODEL-02",
            "Folder records: three devices edit, delete and rename under S-CONV-03's asymmetric chaos",
            Category.SYNC, NEEDS, t -> run(t, (topology, devices) -> {
                Steps.faultAllLinks(topology, devices.get(0), LinkDirection.BOTH,
                        LinkFaults.NONE.withDelay(Duration.ofMillis(200), Duration.ZERO));
                Steps.faultAllLinks(topology, devices.get(1), LinkDirection.BOTH, LinkFaults.NONE.withLoss(0.20));
            }));

    public static final List<Scenario> ALL = List.of(F_MODEL_01, F_MODEL_02);

    private interface Faults {
        void apply(Topology t, List<Device> devices);
    }

    private static void run(Topology t, Faults faults) throws Exception {
        SplittableRandom random = Steps.random(t);
        List<Device> devices = Steps.devicesOnOneRelay(t, 3);
        List<Peer> peers = new ArrayList<>();
        Map<ContentHash, String> contents = new HashMap<>();
        for (Device d : devices) {
            peers.add(new Peer(d, contents));
        }
        Map<String, Boolean> superseded = new HashMap<>();
        faults.apply(t, devices);
        int writes = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (Peer p : peers) {
                int ops = 1 + random.nextInt(3);
                for (int i = 0; i < ops; i++) {
                    writes += p.randomChange(random, round, i, superseded, t);
                }
            }
            for (Peer p : peers) {
                if (random.nextBoolean()) {
                    p.pass(t);
                }
            }
            t.runFor(Duration.ofSeconds(5));
        }
        for (Device d : devices) {
            t.heal(d);
        }
        boolean quiet = false;
        for (int pass = 0; pass < SETTLE_PASSES && !quiet; pass++) {
            converge(t, SETTLE);
            quiet = true;
            for (Peer p : peers) {
                quiet &= p.pass(t) == 0;
            }
        }
        converge(t, SETTLE);
        for (Peer p : peers) {
            p.receive();
            p.applyView();
        }
        check(quiet, "the devices still published after " + SETTLE_PASSES + " settling passes");
        Map<String, String> first = peers.getFirst().tree();
        for (Peer p : peers) {
            check(p.tree().equals(first), p.device.name() + "'s tree differs: " + p.tree() + " vs " + first);
        }
        List<String> lost = new ArrayList<>();
        for (Map.Entry<String, Boolean> w : superseded.entrySet()) {
            if (!w.getValue() && !first.containsValue(w.getKey())) {
                lost.add(w.getKey());
            }
        }
        check(writes > 0, "the workload wrote nothing");
        check(lost.isEmpty(), "lost edits (neither at their path nor in a conflict copy): " + lost);
        Steps.allInvariants(t);
    }

    /** One device's folder: its records and its modelled directory. */
    private static final class Peer {
        final Device device;
        final DeviceId self;
        final FolderState state = new FolderState(FOLDER);
        /** Path to the record whose content this device's directory holds. */
        final TreeMap<String, FileRecord> disk = new TreeMap<>();
        /** Local changes not yet published (the next pass's scan). */
        final List<FileRecord> unpublished = new ArrayList<>();
        final Set<BlobId> seen = new HashSet<>();
        /** Every content written in this run, by its stand-in chunk address (shared by the peers). */
        final Map<ContentHash, String> contents;

        Peer(Device device, Map<ContentHash, String> contents) {
            this.device = device;
            this.contents = contents;
            this.self = new DeviceId(sha256(device.name()));
        }

        /** One edit, create, delete or rename in the directory; returns 1 for a write of new content. */
        int randomChange(SplittableRandom random, int round, int op, Map<String, Boolean> superseded, Topology t) {
            String path = (random.nextBoolean() ? "" : "sub/") + "f" + random.nextInt(4) + ".txt";
            FileRecord there = disk.get(path);
            long mtime = t.now().toEpochMilli() + random.nextInt(3);
            if (there != null) {
                superseded.put(contents.get(there.chunks().getFirst()), true);
            }
            int kind = random.nextInt(6);
            if (kind == 0 && there != null) {
                change(FileRecord.tombstone(path, FileRecord.Type.FILE, mtime, state.nextVersion(path, there.version(), self), self));
                return 0;
            }
            if (kind == 1 && there != null) {
                String to = path.replace(".txt", "-moved.txt");
                change(FileRecord.tombstone(path, FileRecord.Type.FILE, mtime, state.nextVersion(path, there.version(), self), self));
                FileRecord target = disk.get(to);
                if (target != null) {
                    superseded.put(contents.get(target.chunks().getFirst()), true);
                }
                VersionVector base = target == null ? VersionVector.EMPTY : target.version();
                change(there.moved(to, state.nextVersion(to, base, self), self));
                return 0;
            }
            String content = device.name() + " round " + round + " op " + op + " " + Long.toHexString(random.nextLong());
            ContentHash chunk = new ContentHash(sha256(content));
            contents.put(chunk, content);
            superseded.put(content, false);
            VersionVector base = there == null ? VersionVector.EMPTY : there.version();
            change(FileRecord.file(path, 0644, content.length(), mtime, List.of(chunk), state.nextVersion(path, base, self), self));
            return 1;
        }

        private void change(FileRecord r) {
            state.merge(r);
            unpublished.add(r);
            if (r.deleted()) {
                disk.remove(r.path());
            } else {
                disk.put(r.path(), r);
            }
        }

        /** One `sync --once` pass: publish local changes, take in what arrived, settle conflicts, apply. */
        int pass(Topology t) {
            receive();
            List<FileRecord> out = new ArrayList<>(unpublished);
            unpublished.clear();
            List<FileRecord> settled = state.settleConflicts(self);
            settled.forEach(state::merge);
            out.addAll(settled);
            if (!out.isEmpty()) {
                device.push(FolderCodec.encode(new FolderCodec.Records(FOLDER, out)));
                device.syncNow();
            }
            applyView();
            return out.size();
        }

        void receive() {
            for (Map.Entry<BlobId, byte[]> blob : device.received().entrySet()) {
                if (!seen.add(blob.getKey())) {
                    continue;
                }
                try {
                    if (FolderCodec.decode(blob.getValue()) instanceof FolderCodec.Records records) {
                        records.records().forEach(state::merge);
                    }
                } catch (ContentException e) {
                    throw new AssertionError(device.name() + " received a folder message that does not decode: " + e);
                }
            }
        }

        /** Apply: the directory shows the winner of every path (records published by others carry their content). */
        void applyView() {
            for (String path : state.paths()) {
                FileRecord w = state.resolve(path).winner();
                FileRecord here = disk.get(path);
                if (here != null && FolderState.compare(here.version(), w.version()) == FolderState.Order.AFTER) {
                    continue; // a local change not yet published
                }
                if (w.deleted()) {
                    disk.remove(path);
                } else {
                    disk.put(path, w);
                }
            }
        }

        /** Path to content, the way a user would compare two directories. */
        Map<String, String> tree() {
            Map<String, String> out = new TreeMap<>();
            for (FileRecord r : disk.values()) {
                out.put(r.path(), contents.get(r.chunks().getFirst()));
            }
            return out;
        }
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
