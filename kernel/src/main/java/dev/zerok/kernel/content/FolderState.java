package dev.zerok.kernel.content;

import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.DeviceId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One device's knowledge of one shared folder: for every path, the records no other known record
 * supersedes (its <em>heads</em>). Merging is a state-based CRDT (a multi-value register per
 * path, ordered by version vectors): a record whose version is dominated by a head is dropped,
 * heads it dominates are dropped, so devices that received the same records in any order, with
 * any duplicates, hold the same heads. docs/PROTOCOL.md, "Folders".
 *
 * <p>Two heads of one path are concurrent edits. {@link #resolve} picks the same winner on every
 * device (Syncthing's rule: a live record beats a deletion, then the newer modification time,
 * then the larger device id) and names the other live files with different content as conflicts;
 * the device that applies a conflict keeps the loser as a conflict copy ({@link ConflictNames})
 * and publishes a record that supersedes both heads ({@link #nextVersion}).
 *
 * <p>Not thread-safe; the driver owns it. No I/O.
 */
public final class FolderState {
    /** How two version vectors relate. */
    public enum Order {
        /** Same counters. */
        EQUAL,
        /** The first is strictly older: every counter at most the other's, one lower. */
        BEFORE,
        /** The first is strictly newer. */
        AFTER,
        /** Neither contains the other: concurrent changes. */
        CONCURRENT
    }

    /**
     * The winner of one path and the heads it conflicts with.
     *
     * @param winner the record every device shows at the path
     * @param conflicts concurrent live files whose content differs from the winner's, best first;
     *     each becomes a conflict copy
     */
    public record Resolution(FileRecord winner, List<FileRecord> conflicts) {
        public Resolution {
            Objects.requireNonNull(winner, "winner");
            conflicts = List.copyOf(conflicts);
        }
    }

    /** Syncthing's conflict order: the first record sorts before (beats) the second. */
    public static final Comparator<FileRecord> WINNER_FIRST = Comparator
            .comparing((FileRecord r) -> r.deleted())
            .thenComparing(Comparator.comparingLong(FileRecord::mtimeMillis).reversed())
            .thenComparing(Comparator.comparing(FileRecord::modifiedBy).reversed())
            .thenComparing(FolderState::canonical, Comparator.reverseOrder());

    private final String name;
    private final NavigableMap<String, List<FileRecord>> heads = new TreeMap<>();
    private int records;

    /** An empty folder called {@code name} (the folder id; {@link Manifest}'s name rules). */
    public FolderState(String name) {
        Manifest.unchecked(() -> Manifest.checkName(name));
        this.name = name;
    }

    /** The folder's name, which is its id in the group. */
    public String name() {
        return name;
    }

    /**
     * Merges one record.
     *
     * @return true if the heads changed (the record was new and not superseded)
     */
    public boolean merge(FileRecord record) {
        return merge(record, superseded -> {});
    }

    /**
     * Merges one record and tells {@code onSuperseded} each record it drops: former heads the
     * new record supersedes, or the new record itself when a head supersedes it. A driver keeps
     * a bounded history from these and frees the chunks no kept record references.
     *
     * @return true if the heads changed
     */
    public boolean merge(FileRecord record, java.util.function.Consumer<FileRecord> onSuperseded) {
        List<FileRecord> current = heads.get(record.path());
        if (current == null) {
            heads.put(record.path(), List.of(record));
            records++;
            return true;
        }
        List<FileRecord> next = new ArrayList<>(current.size() + 1);
        for (FileRecord head : current) {
            Order order = compare(record.version(), head.version());
            if (order == Order.BEFORE) {
                onSuperseded.accept(record);
                return false;
            }
            if (order == Order.EQUAL) {
                // Equal versions with different records only follow state loss; keep the same one everywhere.
                if (head.equals(record)) {
                    return false;
                }
                if (WINNER_FIRST.compare(head, record) <= 0) {
                    onSuperseded.accept(record);
                    return false;
                }
                onSuperseded.accept(head);
                continue;
            }
            if (order == Order.CONCURRENT) {
                next.add(head);
            } else {
                onSuperseded.accept(head);
            }
        }
        next.add(record);
        next.sort(WINNER_FIRST);
        records += next.size() - current.size();
        heads.put(record.path(), List.copyOf(next));
        return true;
    }

    /** The heads of {@code path}, winner first; empty if the path was never seen. */
    public List<FileRecord> heads(String path) {
        return heads.getOrDefault(path, List.of());
    }

    /** Every path with a record (deleted ones too), in path order. */
    public Iterable<String> paths() {
        return Collections.unmodifiableSet(heads.keySet());
    }

    /** Every head of every path, in path order: what a snapshot republishes. */
    public List<FileRecord> all() {
        List<FileRecord> out = new ArrayList<>(records);
        for (List<FileRecord> h : heads.values()) {
            out.addAll(h);
        }
        return out;
    }

    /** How many heads are held (at least the number of paths). */
    public int size() {
        return records;
    }

    /**
     * The winner of {@code path} and its conflicts.
     *
     * @throws IllegalArgumentException if the path was never seen
     */
    public Resolution resolve(String path) {
        List<FileRecord> h = heads.get(path);
        if (h == null) {
            throw new IllegalArgumentException("no record for this path");
        }
        FileRecord winner = h.getFirst();
        List<FileRecord> conflicts = new ArrayList<>();
        for (FileRecord other : h.subList(1, h.size())) {
            if (!other.deleted() && other.type() == FileRecord.Type.FILE && !other.sameContent(winner)
                    && conflicts.stream().noneMatch(other::sameContent)) {
                conflicts.add(other);
            }
        }
        return new Resolution(winner, conflicts);
    }

    /**
     * The version of a change {@code self} makes to {@code path} on top of {@code base} (the
     * version the device's disk held): {@code base} with {@code self}'s counter one above the
     * highest counter {@code self} has in any head of the path or in {@code base}. To supersede
     * every head (resolving a conflict), pass their merge as {@code base}.
     */
    public VersionVector nextVersion(String path, VersionVector base, DeviceId self) {
        long highest = base.get(self);
        for (FileRecord h : heads(path)) {
            highest = Math.max(highest, h.version().get(self));
        }
        return base.with(self, highest + 1);
    }

    /**
     * The records a device that takes part in the folder publishes to settle every conflict it
     * sees: for each losing live file a conflict copy ({@link #copyPath}; skipped when that copy
     * already exists with the same content, or its name would be too long), then a record of the
     * winner whose version supersedes every head of the path. Devices that settle the same
     * conflict concurrently publish records of equal content, which do not conflict. The caller
     * publishes them and merges them back.
     *
     * @param self the settling device
     * @return the records to publish, in path order; empty if there is no conflict
     */
    public List<FileRecord> settleConflicts(DeviceId self) {
        List<FileRecord> out = new ArrayList<>();
        for (String path : heads.keySet()) {
            Resolution r = resolve(path);
            if (r.conflicts().isEmpty()) {
                continue;
            }
            for (FileRecord loser : r.conflicts()) {
                String copy = copyPath(loser);
                if (!fits(copy) || heads(copy).stream().anyMatch(loser::sameContent)) {
                    continue;
                }
                out.add(loser.moved(copy, nextVersion(copy, headsVersion(copy), self), self));
            }
            out.add(r.winner().moved(path, nextVersion(path, headsVersion(path), self), self));
        }
        return out;
    }

    /**
     * Where the conflict copy of {@code loser} goes: Syncthing's name
     * ({@link ConflictNames#copyPath}), or, when that name already holds another version (a
     * second losing edit the same device made within the same second), the name tagged by the
     * loser's content ({@link ConflictNames#uniqueCopyPath}): a copy never replaces another copy.
     */
    public String copyPath(FileRecord loser) {
        String copy = ConflictNames.copyPath(loser);
        List<FileRecord> there = heads(copy);
        if (there.isEmpty() || there.stream().anyMatch(h -> h.deleted() || loser.sameContent(h))) {
            return copy;
        }
        return ConflictNames.uniqueCopyPath(loser);
    }

    /** True if {@code path} fits the path rules' length and a file name's 255 bytes. */
    public static boolean fits(String path) {
        return path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= Manifest.MAX_PATH_BYTES
                && path.substring(path.lastIndexOf('/') + 1).getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= 255;
    }

    /** The merge of the versions of every head of {@code path} (empty vector if none). */
    public VersionVector headsVersion(String path) {
        VersionVector out = VersionVector.EMPTY;
        for (FileRecord h : heads(path)) {
            out = union(out, h.version());
        }
        return out;
    }

    /** How {@code a} relates to {@code b}. */
    public static Order compare(VersionVector a, VersionVector b) {
        boolean aBigger = false;
        boolean bBigger = false;
        for (Map.Entry<DeviceId, Long> e : a.entries().entrySet()) {
            long other = b.get(e.getKey());
            aBigger |= e.getValue() > other;
            bBigger |= e.getValue() < other;
        }
        for (Map.Entry<DeviceId, Long> e : b.entries().entrySet()) {
            bBigger |= e.getValue() > a.get(e.getKey());
        }
        if (aBigger && bBigger) {
            return Order.CONCURRENT;
        }
        return aBigger ? Order.AFTER : bBigger ? Order.BEFORE : Order.EQUAL;
    }

    /** The entry-wise maximum of two vectors. */
    public static VersionVector union(VersionVector a, VersionVector b) {
        TreeMap<DeviceId, Long> out = new TreeMap<>(a.entries());
        b.entries().forEach((device, counter) -> out.merge(device, counter, Math::max));
        return new VersionVector(out);
    }

    private static String canonical(FileRecord r) {
        return java.util.HexFormat.of().formatHex(FolderCodec.encodeRecord(r));
    }

    @Override
    public String toString() {
        return "FolderState[" + heads.size() + " paths, " + records + " heads]";
    }
}
