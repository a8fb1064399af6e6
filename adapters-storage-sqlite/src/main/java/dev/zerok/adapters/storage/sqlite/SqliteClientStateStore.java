package dev.zerok.adapters.storage.sqlite;

import static dev.zerok.adapters.storage.sqlite.jooq.Tables.BLOB_INDEX;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.OUTBOX;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.OUTBOX_TARGET;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_CURSOR;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.VERSION_VECTOR;

import dev.zerok.adapters.storage.sqlite.jooq.tables.records.BlobIndexRecord;
import dev.zerok.adapters.storage.sqlite.jooq.tables.records.OutboxRecord;
import dev.zerok.ports.clientstate.Acknowledgement;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.ClientStateException;
import dev.zerok.ports.clientstate.ClientStateException.Code;
import dev.zerok.ports.clientstate.ClientStateStore;
import dev.zerok.ports.clientstate.OutboxEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/**
 * {@link ClientStateStore} on one SQLite file in WAL mode. A device's state is small and its
 * operations are few, so one connection serves everything, serialised by a lock; every method is
 * one {@code BEGIN IMMEDIATE} transaction. Thread-safe.
 */
final class SqliteClientStateStore implements ClientStateStore {
    /** Ids per {@code IN (...)} list: far below SQLite's bound-parameter limit. */
    private static final int IN_LIST_MAX = 500;

    private final ReentrantLock lock = new ReentrantLock();
    private final Connection connection;
    private final DSLContext dsl;
    private volatile boolean closed;

    @FunctionalInterface
    private interface Work<T> {
        T run(DSLContext dsl) throws ClientStateException;
    }

    private SqliteClientStateStore(Connection connection) {
        this.connection = connection;
        this.dsl = SqliteFile.dsl(connection);
    }

    /**
     * Opens (creating and migrating) the state store at {@code file}.
     *
     * @throws ClientStateException {@code INCOMPATIBLE} for a foreign or newer file, {@code IO} otherwise
     */
    static SqliteClientStateStore open(Path file, Synchronous synchronous, Duration busyTimeout)
            throws ClientStateException {
        Connection connection = null;
        try {
            connection = SqliteFile.connect(file, synchronous, busyTimeout);
            SqliteFile.migrate(connection, SqliteFile.Kind.CLIENT);
            return new SqliteClientStateStore(connection);
        } catch (OpenFailure e) {
            if (connection != null) {
                SqliteFile.closeQuietly(connection);
            }
            throw new ClientStateException(e.incompatible() ? Code.INCOMPATIBLE : Code.IO, e.getMessage(), e.getCause());
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Duplicate relays in {@code relays} count once.
     *
     * @throws IllegalArgumentException if {@code relays} is empty (the entry could never leave)
     */
    @Override
    public void enqueue(OutboxEntry entry, List<RelayId> relays) throws ClientStateException {
        insertOutboxEntry(entry, relays, Optional.empty());
    }

    /**
     * {@inheritDoc}
     *
     * <p>Duplicate relays in {@code relays} count once.
     */
    @Override
    public void enqueueAll(List<OutboxEntry> entries, List<RelayId> relays, VersionVector versionVector)
            throws ClientStateException {
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("enqueueAll needs at least one entry");
        }
        if (entries.stream().map(OutboxEntry::blob).distinct().count() != entries.size()) {
            throw new IllegalArgumentException("two entries share a blob id");
        }
        insertOutboxEntries(entries, relays, Optional.of(versionVector));
    }

    private void insertOutboxEntry(OutboxEntry entry, List<RelayId> relays, Optional<VersionVector> versionVector)
            throws ClientStateException {
        insertOutboxEntries(List.of(entry), relays, versionVector);
    }

    private void insertOutboxEntries(List<OutboxEntry> entries, List<RelayId> relays,
            Optional<VersionVector> versionVector) throws ClientStateException {
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("an outbox entry needs at least one relay");
        }
        LinkedHashSet<RelayId> targets = new LinkedHashSet<>(relays);
        inTransaction("enqueue", d -> {
            List<byte[]> ids = entries.stream().map(e -> e.blob().bytes()).toList();
            for (int from = 0; from < ids.size(); from += IN_LIST_MAX) {
                if (d.fetchExists(OUTBOX, OUTBOX.BLOB_ID.in(ids.subList(from, Math.min(ids.size(), from + IN_LIST_MAX))))) {
                    return null; // one is already queued: nothing is written
                }
            }
            Long last = d.select(DSL.max(OUTBOX.QUEUE_ORDER)).from(OUTBOX).fetchOne(0, Long.class);
            long order = last == null ? 0L : last;
            // One prepared statement each, bound per row (jOOQ renders the SQL once, not per blob).
            BatchBindStep rows = d.batch(d.insertInto(OUTBOX, OUTBOX.BLOB_ID, OUTBOX.QUEUE_ORDER, OUTBOX.SEALED_PAYLOAD,
                    OUTBOX.CREATED_AT_SECONDS, OUTBOX.CREATED_AT_NANOS, OUTBOX.TTL_SECONDS, OUTBOX.TTL_NANOS)
                    .values((byte[]) null, null, null, null, null, null, null));
            BatchBindStep targetRows = d.batch(d.insertInto(OUTBOX_TARGET, OUTBOX_TARGET.BLOB_ID, OUTBOX_TARGET.RELAY_ID)
                    .values((byte[]) null, null));
            for (OutboxEntry entry : entries) {
                byte[] blob = entry.blob().bytes();
                Instant createdAt = entry.createdAt();
                Duration ttl = entry.ttl();
                rows.bind(blob, ++order, entry.sealedPayload(), createdAt.getEpochSecond(), (long) createdAt.getNano(),
                        ttl.getSeconds(), (long) ttl.getNano());
                for (RelayId relay : targets) {
                    targetRows.bind(blob, relay.bytes());
                }
            }
            rows.execute();
            targetRows.execute();
            if (versionVector.isPresent()) {
                writeVersionVector(d, versionVector.get());
            }
            return null;
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException if {@code max < 1}
     */
    @Override
    public List<OutboxEntry> pending(RelayId relay, int max) throws ClientStateException {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        byte[] r = relay.bytes();
        return inTransaction("pending", d -> d.select(OUTBOX.fields())
                .from(OUTBOX)
                .join(OUTBOX_TARGET).on(OUTBOX_TARGET.BLOB_ID.eq(OUTBOX.BLOB_ID))
                .where(OUTBOX_TARGET.RELAY_ID.eq(r))
                .orderBy(OUTBOX.QUEUE_ORDER)
                .limit(max)
                .fetchInto(OUTBOX)
                .map(SqliteClientStateStore::toEntry));
    }

    /** {@inheritDoc} The exclusion is part of the query, so skipped payloads are never read. */
    @Override
    public List<OutboxEntry> pending(RelayId relay, int max, java.util.Set<BlobId> excluding) throws ClientStateException {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1");
        }
        byte[] r = relay.bytes();
        List<byte[]> skip = excluding.stream().map(BlobId::bytes).toList();
        // Walks the outbox in queue order (its unique index) and probes the target's primary key per
        // row, so the cost is the rows skipped plus max, not the outbox's size: a join driven by the
        // relay index sorted every waiting entry on each call (quadratic while 100,000 chunks queued).
        return inTransaction("pending", d -> d.select(OUTBOX.fields())
                .from(OUTBOX)
                .where(org.jooq.impl.DSL.exists(org.jooq.impl.DSL.selectOne().from(OUTBOX_TARGET)
                        .where(OUTBOX_TARGET.BLOB_ID.eq(OUTBOX.BLOB_ID), OUTBOX_TARGET.RELAY_ID.eq(r))))
                .and(skip.isEmpty() ? org.jooq.impl.DSL.noCondition() : OUTBOX.BLOB_ID.notIn(skip))
                .orderBy(OUTBOX.QUEUE_ORDER)
                .limit(max)
                .fetchInto(OUTBOX)
                .map(SqliteClientStateStore::toEntry));
    }

    /**
     * {@inheritDoc}
     *
     * <p>An acknowledgement for a blob or relay not in the outbox changes nothing (a repeated ack).
     */
    @Override
    public void acknowledgeAll(List<Acknowledgement> acknowledgements) throws ClientStateException {
        if (acknowledgements.isEmpty()) {
            return;
        }
        inTransaction("acknowledge", d -> {
            BatchBindStep deletes = d.batch(d.deleteFrom(OUTBOX_TARGET)
                    .where(OUTBOX_TARGET.BLOB_ID.eq((byte[]) null), OUTBOX_TARGET.RELAY_ID.eq((byte[]) null)));
            for (Acknowledgement ack : acknowledgements) {
                deletes.bind(ack.blob().bytes(), ack.relay().bytes());
            }
            int[] removed = deletes.execute();
            List<byte[]> touched = new ArrayList<>();
            Map<RelayId, Cursor> lastAck = new java.util.LinkedHashMap<>();
            for (int i = 0; i < removed.length; i++) {
                if (removed[i] > 0) { // a repeated ack (or one for a stranger) changes nothing
                    Acknowledgement ack = acknowledgements.get(i);
                    touched.add(ack.blob().bytes());
                    lastAck.put(ack.relay(), ack.pushAckCursor());
                }
            }
            // An entry leaves the outbox once no relay it was queued for still waits for it.
            for (int from = 0; from < touched.size(); from += IN_LIST_MAX) {
                d.deleteFrom(OUTBOX)
                        .where(OUTBOX.BLOB_ID.in(touched.subList(from, Math.min(touched.size(), from + IN_LIST_MAX))))
                        .andNotExists(DSL.selectOne().from(OUTBOX_TARGET).where(OUTBOX_TARGET.BLOB_ID.eq(OUTBOX.BLOB_ID)))
                        .execute();
            }
            for (Map.Entry<RelayId, Cursor> e : lastAck.entrySet()) {
                // Diagnostics only: a column of its own that pullCursor never reads.
                d.insertInto(RELAY_CURSOR)
                        .set(RELAY_CURSOR.RELAY_ID, e.getKey().bytes())
                        .set(RELAY_CURSOR.PULL_CURSOR, Cursor.ZERO.value())
                        .set(RELAY_CURSOR.LAST_PUSH_ACK_CURSOR, e.getValue().value())
                        .onConflict(RELAY_CURSOR.RELAY_ID)
                        .doUpdate()
                        .set(RELAY_CURSOR.LAST_PUSH_ACK_CURSOR, e.getValue().value())
                        .execute();
            }
            return null;
        });
    }

    @Override
    public Cursor pullCursor(RelayId relay) throws ClientStateException {
        byte[] r = relay.bytes();
        return inTransaction("pullCursor", d -> storedPullCursor(d, r));
    }

    @Override
    public VersionVector versionVector() throws ClientStateException {
        return inTransaction("versionVector", d -> {
            TreeMap<DeviceId, Long> entries = new TreeMap<>();
            d.selectFrom(VERSION_VECTOR).fetch()
                    .forEach(row -> entries.put(new DeviceId(row.getDeviceId()), row.getSequence()));
            return new VersionVector(entries);
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>An entry for a blob already in the index replaces it, except that a {@code RECEIVED}
     * entry is never replaced by a {@code FAILED} one (the same blob failing from a second relay
     * after it was received from the first). A replaced entry keeps its place in
     * {@link #failures()} order.
     */
    @Override
    public void commitPulled(RelayId relay, Cursor newPullCursor, List<BlobIndexEntry> entries,
            VersionVector versionVector) throws ClientStateException {
        byte[] r = relay.bytes();
        List<BlobIndexEntry> copy = List.copyOf(entries);
        inTransaction("commitPulled", d -> {
            Cursor stored = storedPullCursor(d, r);
            if (newPullCursor.compareTo(stored) < 0) {
                throw new ClientStateException(Code.CURSOR_REGRESSION,
                        "the new pull cursor is before the stored one; nothing was written");
            }
            putIndexEntries(d, copy);
            writeVersionVector(d, versionVector);
            d.insertInto(RELAY_CURSOR)
                    .set(RELAY_CURSOR.RELAY_ID, r)
                    .set(RELAY_CURSOR.PULL_CURSOR, newPullCursor.value())
                    .set(RELAY_CURSOR.LAST_PUSH_ACK_CURSOR, Cursor.ZERO.value())
                    .onConflict(RELAY_CURSOR.RELAY_ID)
                    .doUpdate()
                    .set(RELAY_CURSOR.PULL_CURSOR, newPullCursor.value())
                    .execute();
            return null;
        });
    }

    @Override
    public Optional<BlobIndexEntry> blob(BlobId blob) throws ClientStateException {
        byte[] b = blob.bytes();
        return inTransaction("blob", d -> Optional.ofNullable(
                        d.selectFrom(BLOB_INDEX).where(BLOB_INDEX.BLOB_ID.eq(b)).fetchOne())
                .map(SqliteClientStateStore::toIndexEntry));
    }

    /** {@inheritDoc} One read transaction, one query per 500 ids. */
    @Override
    public Map<BlobId, BlobIndexEntry> blobs(java.util.Collection<BlobId> blobs) throws ClientStateException {
        if (blobs.isEmpty()) {
            return Map.of();
        }
        List<byte[]> ids = blobs.stream().map(BlobId::bytes).toList();
        return inTransaction("blobs", d -> {
            Map<BlobId, BlobIndexEntry> found = new java.util.HashMap<>();
            for (int from = 0; from < ids.size(); from += 500) {
                for (BlobIndexRecord row : d.selectFrom(BLOB_INDEX)
                        .where(BLOB_INDEX.BLOB_ID.in(ids.subList(from, Math.min(ids.size(), from + 500)))).fetch()) {
                    BlobIndexEntry entry = toIndexEntry(row);
                    found.put(entry.blob(), entry);
                }
            }
            return found;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Scans the sender's index rows (there is no index on sender and sequence; the sync engine
     * asks once per sender per engine lifetime).
     */
    @Override
    public List<BlobIndexEntry> received(DeviceId sender, long afterSequence) throws ClientStateException {
        byte[] s = sender.bytes();
        return inTransaction("received", d -> d.selectFrom(BLOB_INDEX)
                .where(BLOB_INDEX.SENDER_ID.eq(s), BLOB_INDEX.SEQUENCE.gt(afterSequence),
                        BLOB_INDEX.STATE.eq(BlobIndexEntry.State.RECEIVED.name()))
                .orderBy(BLOB_INDEX.SEQUENCE, BLOB_INDEX.INDEX_ORDER)
                .fetch()
                .map(SqliteClientStateStore::toIndexEntry));
    }

    @Override
    public List<BlobIndexEntry> failures() throws ClientStateException {
        return inTransaction("failures", d -> d.selectFrom(BLOB_INDEX)
                .where(BLOB_INDEX.STATE.eq(BlobIndexEntry.State.FAILED.name()))
                .orderBy(BLOB_INDEX.INDEX_ORDER)
                .fetch()
                .map(SqliteClientStateStore::toIndexEntry));
    }

    @Override
    public void close() {
        lock.lock();
        try {
            if (!closed) {
                closed = true;
                SqliteFile.closeQuietly(connection);
            }
        } finally {
            lock.unlock();
        }
    }

    private static void writeVersionVector(DSLContext d, VersionVector versionVector) {
        d.deleteFrom(VERSION_VECTOR).execute();
        if (versionVector.entries().isEmpty()) {
            return;
        }
        BatchBindStep rows = d.batch(d.insertInto(VERSION_VECTOR, VERSION_VECTOR.DEVICE_ID, VERSION_VECTOR.SEQUENCE)
                .values((byte[]) null, null));
        for (Map.Entry<DeviceId, Long> e : versionVector.entries().entrySet()) {
            rows.bind(e.getKey().bytes(), e.getValue());
        }
        rows.execute();
    }

    private static Cursor storedPullCursor(DSLContext d, byte[] relay) {
        Long value = d.select(RELAY_CURSOR.PULL_CURSOR).from(RELAY_CURSOR)
                .where(RELAY_CURSOR.RELAY_ID.eq(relay)).fetchOne(RELAY_CURSOR.PULL_CURSOR);
        return value == null ? Cursor.ZERO : new Cursor(value);
    }

    /**
     * Inserts or replaces index entries, as if one by one in list order: a replaced entry keeps
     * its index order, a new one is appended, and a FAILED entry never replaces a RECEIVED one.
     * One read of the existing rows and one batched statement per kind of write.
     */
    private static void putIndexEntries(DSLContext d, List<BlobIndexEntry> entries) {
        if (entries.isEmpty()) {
            return;
        }
        List<byte[]> ids = entries.stream().map(e -> e.blob().bytes()).toList();
        Map<BlobId, BlobIndexRecord> existing = new java.util.HashMap<>();
        for (int from = 0; from < ids.size(); from += IN_LIST_MAX) {
            for (BlobIndexRecord row : d.selectFrom(BLOB_INDEX)
                    .where(BLOB_INDEX.BLOB_ID.in(ids.subList(from, Math.min(ids.size(), from + IN_LIST_MAX)))).fetch()) {
                existing.put(new BlobId(row.getBlobId()), row);
            }
        }
        // The outcome per id, in order of first appearance.
        Map<BlobId, BlobIndexEntry> outcome = new LinkedHashMap<>();
        for (BlobIndexEntry entry : entries) {
            BlobIndexEntry before = outcome.get(entry.blob());
            BlobIndexRecord row = existing.get(entry.blob());
            boolean received = before != null ? before.state() == BlobIndexEntry.State.RECEIVED
                    : row != null && BlobIndexEntry.State.RECEIVED.name().equals(row.getState());
            if (!(received && entry.state() == BlobIndexEntry.State.FAILED)) {
                outcome.put(entry.blob(), entry);
            }
        }
        Long last = d.select(DSL.max(BLOB_INDEX.INDEX_ORDER)).from(BLOB_INDEX).fetchOne(0, Long.class);
        long next = last == null ? 1L : last + 1;
        BatchBindStep deletes = d.batch(d.deleteFrom(BLOB_INDEX).where(BLOB_INDEX.BLOB_ID.eq((byte[]) null)));
        BatchBindStep inserts = d.batch(d.insertInto(BLOB_INDEX, BLOB_INDEX.BLOB_ID, BLOB_INDEX.INDEX_ORDER,
                BLOB_INDEX.SENDER_ID, BLOB_INDEX.SEQUENCE, BLOB_INDEX.RELAY_ID, BLOB_INDEX.CURSOR, BLOB_INDEX.CONTENT_HASH,
                BLOB_INDEX.STATE, BLOB_INDEX.FAILURE).values((byte[]) null, null, null, null, null, null, null, null, null));
        boolean anyDelete = false;
        for (BlobIndexEntry entry : outcome.values()) {
            BlobIndexRecord row = existing.get(entry.blob());
            long order;
            if (row != null) {
                order = row.getIndexOrder();
                deletes.bind((Object) entry.blob().bytes());
                anyDelete = true;
            } else {
                order = next++;
            }
            inserts.bind(entry.blob().bytes(), order, entry.sender().bytes(), entry.sequence(), entry.relay().bytes(),
                    entry.cursor().value(), entry.contentHash().bytes(), entry.state().name(), entry.failure());
        }
        if (anyDelete) {
            deletes.execute();
        }
        if (!outcome.isEmpty()) {
            inserts.execute();
        }
    }

    private static OutboxEntry toEntry(OutboxRecord row) {
        return new OutboxEntry(new BlobId(row.getBlobId()), row.getSealedPayload(),
                Instant.ofEpochSecond(row.getCreatedAtSeconds(), row.getCreatedAtNanos()),
                Duration.ofSeconds(row.getTtlSeconds(), row.getTtlNanos()));
    }

    private static BlobIndexEntry toIndexEntry(BlobIndexRecord row) {
        return new BlobIndexEntry(new BlobId(row.getBlobId()), new DeviceId(row.getSenderId()), row.getSequence(),
                new RelayId(row.getRelayId()), new Cursor(row.getCursor()), new ContentHash(row.getContentHash()),
                BlobIndexEntry.State.valueOf(row.getState()), row.getFailure());
    }

    private <T> T inTransaction(String operation, Work<T> work) throws ClientStateException {
        lock.lock();
        try {
            if (closed) {
                throw new ClientStateException(Code.CLOSED, "the client state store is closed");
            }
            return SqliteFile.transaction(connection, Sql.BEGIN_IMMEDIATE, () -> work.run(dsl));
        } catch (SQLException | DataAccessException e) {
            if (SqliteFailure.storageFull(e)) {
                throw new ClientStateException(Code.STORAGE_FULL, "client state " + operation + " failed (SQLITE_FULL): "
                        + "the disk under the state file is full; it had no effect; free space and sync again",
                        SqliteFailure.causeToAttach(e));
            }
            throw new ClientStateException(Code.IO, "client state " + operation + " failed ("
                    + SqliteFailure.codeName(e) + "); it had no effect", SqliteFailure.causeToAttach(e));
        } finally {
            lock.unlock();
        }
    }
}
