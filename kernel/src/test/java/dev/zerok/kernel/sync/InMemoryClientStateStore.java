package dev.zerok.kernel.sync;

import dev.zerok.ports.clientstate.Acknowledgement;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.OutboxEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@link ClientStateStore} in memory for the sync engine's tests, checked against the shared
 * contract ({@link InMemoryClientStateStoreTest}). The state lives in a {@link Disk} that outlives
 * the store object, so a test can "restart" a device by opening a new store on the same disk.
 * {@link #failNextCalls} makes the next operations fail with {@code IO} and change nothing.
 */
public final class InMemoryClientStateStore implements ClientStateStore {
    /** The durable state, shared by every store opened on it. */
    static final class Disk {
        final LinkedHashMap<BlobId, OutboxEntry> outbox = new LinkedHashMap<>();
        final Map<BlobId, Set<RelayId>> targets = new HashMap<>();
        final Map<RelayId, Cursor> cursors = new HashMap<>();
        VersionVector vector = VersionVector.EMPTY;
        final LinkedHashMap<BlobId, BlobIndexEntry> index = new LinkedHashMap<>();
    }

    private final Disk disk;
    private boolean closed;
    private int failNext;
    private int writes;
    private long entriesRead;

    InMemoryClientStateStore(Disk disk) {
        this.disk = disk;
    }

    /** A store on a fresh, empty disk. */
    public InMemoryClientStateStore() {
        this(new Disk());
    }

    Disk disk() {
        return disk;
    }

    /** Outbox entries returned by {@code pending} so far (the payloads a sender read). */
    synchronized long entriesRead() {
        return entriesRead;
    }

    /** Successful writes so far (enqueue, acknowledge, commitPulled: one per call, as one transaction each). */
    synchronized int writes() {
        return writes;
    }

    /** The next {@code count} calls fail with {@code IO} and change nothing. */
    void failNextCalls(int count) {
        failNext = count;
    }

    private synchronized void check() throws ClientStateException {
        if (closed) {
            throw new ClientStateException(ClientStateException.Code.CLOSED, "closed");
        }
        if (failNext > 0) {
            failNext--;
            throw new ClientStateException(ClientStateException.Code.IO, "injected failure");
        }
    }

    @Override
    public synchronized void enqueue(OutboxEntry entry, List<RelayId> relays) throws ClientStateException {
        check();
        writes++;
        put(entry, relays);
    }

    @Override
    public synchronized void enqueueAll(List<OutboxEntry> entries, List<RelayId> relays, VersionVector versionVector)
            throws ClientStateException {
        if (entries.isEmpty() || entries.stream().map(OutboxEntry::blob).distinct().count() != entries.size()) {
            throw new IllegalArgumentException("one or more entries with distinct blob ids");
        }
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("an outbox entry needs at least one relay");
        }
        check();
        writes++;
        if (entries.stream().anyMatch(e -> disk.outbox.containsKey(e.blob()))) {
            return;
        }
        entries.forEach(e -> put(e, relays));
        disk.vector = versionVector;
    }

    private boolean put(OutboxEntry entry, List<RelayId> relays) {
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("an outbox entry needs at least one relay");
        }
        if (disk.outbox.containsKey(entry.blob())) {
            return false;
        }
        disk.outbox.put(entry.blob(), entry);
        disk.targets.put(entry.blob(), new LinkedHashSet<>(relays));
        return true;
    }

    @Override
    public synchronized List<OutboxEntry> pending(RelayId relay, int max) throws ClientStateException {
        check();
        List<OutboxEntry> out = disk.outbox.values().stream().filter(e -> disk.targets.get(e.blob()).contains(relay))
                .limit(max).toList();
        entriesRead += out.size();
        return out;
    }

    /** Skips the excluded entries in the "query", as the SQLite store does (the port's default over-fetches). */
    @Override
    public synchronized List<OutboxEntry> pending(RelayId relay, int max, Set<BlobId> excluding)
            throws ClientStateException {
        check();
        List<OutboxEntry> out = disk.outbox.values().stream()
                .filter(e -> disk.targets.get(e.blob()).contains(relay) && !excluding.contains(e.blob()))
                .limit(max).toList();
        entriesRead += out.size();
        return out;
    }

    @Override
    public synchronized void acknowledgeAll(List<Acknowledgement> acknowledgements) throws ClientStateException {
        check();
        writes++;
        for (Acknowledgement ack : acknowledgements) {
            Set<RelayId> t = disk.targets.get(ack.blob());
            if (t != null && t.remove(ack.relay()) && t.isEmpty()) {
                disk.targets.remove(ack.blob());
                disk.outbox.remove(ack.blob());
            }
        }
    }

    @Override
    public synchronized Cursor pullCursor(RelayId relay) throws ClientStateException {
        check();
        return disk.cursors.getOrDefault(relay, Cursor.ZERO);
    }

    @Override
    public synchronized VersionVector versionVector() throws ClientStateException {
        check();
        return disk.vector;
    }

    @Override
    public synchronized void commitPulled(RelayId relay, Cursor newPullCursor, List<BlobIndexEntry> entries,
            VersionVector versionVector) throws ClientStateException {
        check();
        writes++;
        if (newPullCursor.compareTo(disk.cursors.getOrDefault(relay, Cursor.ZERO)) < 0) {
            throw new ClientStateException(ClientStateException.Code.CURSOR_REGRESSION, "cursor regression");
        }
        for (BlobIndexEntry e : entries) {
            BlobIndexEntry existing = disk.index.get(e.blob());
            if (existing != null && existing.state() == BlobIndexEntry.State.RECEIVED && e.state() == BlobIndexEntry.State.FAILED) {
                continue;
            }
            if (existing != null) {
                disk.index.replace(e.blob(), e); // keeps its place in insertion (failure) order
            } else {
                disk.index.put(e.blob(), e);
            }
        }
        disk.vector = versionVector;
        disk.cursors.put(relay, newPullCursor);
    }

    @Override
    public synchronized Optional<BlobIndexEntry> blob(BlobId blob) throws ClientStateException {
        check();
        return Optional.ofNullable(disk.index.get(blob));
    }

    @Override
    public synchronized List<BlobIndexEntry> received(DeviceId sender, long afterSequence) throws ClientStateException {
        check();
        List<BlobIndexEntry> out = new ArrayList<>();
        for (BlobIndexEntry e : disk.index.values()) {
            if (e.sender().equals(sender) && e.sequence() > afterSequence && e.state() == BlobIndexEntry.State.RECEIVED) {
                out.add(e);
            }
        }
        out.sort(Comparator.comparingLong(BlobIndexEntry::sequence));
        return out;
    }

    @Override
    public synchronized List<BlobIndexEntry> failures() throws ClientStateException {
        check();
        return disk.index.values().stream().filter(e -> e.state() == BlobIndexEntry.State.FAILED).toList();
    }

    @Override
    public synchronized void close() {
        closed = true;
    }
}
