package dev.zerok.kernel.sim;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.AppendOutcome;
import dev.zerok.ports.relaystore.AppendRequest;
import dev.zerok.ports.relaystore.AppendResult;
import dev.zerok.ports.relaystore.GroupUsage;
import dev.zerok.ports.relaystore.Page;
import dev.zerok.ports.relaystore.RelayStore;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.StoreStats;
import dev.zerok.ports.relaystore.StoredBlob;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link RelayStore} in memory for the pair simulator: per group a log of rows under cursors
 * allocated strictly increasing from 1, a second append of the same {@code (group, blobId)}
 * answered with the first cursor and {@code duplicate = true}, pages bounded by count and payload
 * bytes (the first row always fits) with an honest {@code hasMore}.
 *
 * <p>Left out on purpose, because the simulator does not exercise them: TTL expiry (rows never
 * expire, so {@link #oldestRetained} is always {@code Cursor(1)} and {@link #purgeExpired}
 * removes nothing), quotas and relay-wide capacity (never refused), integrity checksums (nothing
 * is ever withheld). It is not checked against {@code RelayStoreContract}, whose expiry, quota and
 * bit-rot cases it would fail. Not thread-safe: the simulator runs on one thread.
 */
final class SimRelayStore implements RelayStore {
    private final Map<GroupId, TreeMap<Long, StoredBlob>> logs = new HashMap<>();
    private final Map<GroupId, Map<BlobId, Cursor>> cursorOf = new HashMap<>();
    private boolean closed;

    /** Each request in list order as one append; a closed store refuses every request. */
    @Override
    public List<AppendOutcome> appendAll(List<AppendRequest> requests, Instant now) {
        if (closed) {
            RelayStoreException failure = new RelayStoreException(RelayStoreException.Code.CLOSED,
                    "the simulated relay store is closed");
            return requests.stream().<AppendOutcome>map(r -> new AppendOutcome.Refused(failure)).toList();
        }
        List<AppendOutcome> outcomes = new ArrayList<>(requests.size());
        for (AppendRequest request : requests) {
            outcomes.add(appendOne(request, now));
        }
        return outcomes;
    }

    private AppendResult appendOne(AppendRequest request, Instant now) {
        Map<BlobId, Cursor> ids = cursorOf.computeIfAbsent(request.group(), g -> new HashMap<>());
        Cursor existing = ids.get(request.blob());
        Instant expiresAt = now.plus(request.ttl());
        if (existing != null) {
            return new AppendResult(existing, true, expiresAt);
        }
        TreeMap<Long, StoredBlob> log = logs.computeIfAbsent(request.group(), g -> new TreeMap<>());
        Cursor cursor = new Cursor(log.isEmpty() ? 1 : log.lastKey() + 1);
        log.put(cursor.value(), new StoredBlob(cursor, request.blob(), request.sender(), request.payload().clone()));
        ids.put(request.blob(), cursor);
        return new AppendResult(cursor, false, expiresAt);
    }

    @Override
    public Page pageAfter(GroupId group, Cursor after, int maxCount, long maxBytes, Instant now) throws RelayStoreException {
        if (maxCount < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("page bounds must be at least 1, got " + maxCount + " blobs, " + maxBytes + " bytes");
        }
        open();
        List<StoredBlob> page = new ArrayList<>();
        long bytes = 0;
        boolean hasMore = false;
        for (StoredBlob row : logs.getOrDefault(group, new TreeMap<>()).tailMap(after.value(), false).values()) {
            if (page.size() >= maxCount || !page.isEmpty() && bytes + row.payload().length > maxBytes) {
                hasMore = true;
                break;
            }
            page.add(row);
            bytes += row.payload().length;
        }
        return new Page(page, hasMore);
    }

    @Override
    public Cursor head(GroupId group) throws RelayStoreException {
        open();
        TreeMap<Long, StoredBlob> log = logs.get(group);
        return log == null || log.isEmpty() ? Cursor.ZERO : new Cursor(log.lastKey());
    }

    @Override
    public Cursor oldestRetained(GroupId group, Instant now) throws RelayStoreException {
        open();
        return new Cursor(1);
    }

    @Override
    public long purgeExpired(Instant now) throws RelayStoreException {
        open();
        return 0;
    }

    @Override
    public GroupUsage usage(GroupId group) throws RelayStoreException {
        open();
        TreeMap<Long, StoredBlob> log = logs.getOrDefault(group, new TreeMap<>());
        return new GroupUsage(log.size(), log.values().stream().mapToLong(b -> b.payload().length).sum());
    }

    @Override
    public StoreStats stats() throws RelayStoreException {
        open();
        long blobs = 0;
        long bytes = 0;
        for (TreeMap<Long, StoredBlob> log : logs.values()) {
            blobs += log.size();
            bytes += log.values().stream().mapToLong(b -> b.payload().length).sum();
        }
        return new StoreStats(blobs, bytes, logs.size(), 0);
    }

    /** The rows of {@code group} in cursor order (a copy). */
    List<StoredBlob> rows(GroupId group) {
        return List.copyOf(logs.getOrDefault(group, new TreeMap<>()).values());
    }

    @Override
    public void close() {
        closed = true;
    }

    private void open() throws RelayStoreException {
        if (closed) {
            throw new RelayStoreException(RelayStoreException.Code.CLOSED, "the simulated relay store is closed");
        }
    }
}
