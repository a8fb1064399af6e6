package dev.zerok.adapters.storage.sqlite;

import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_BLOB;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_CONTENT;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_GROUP;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_TOTALS;

import dev.zerok.adapters.storage.sqlite.jooq.tables.records.RelayBlobRecord;
import dev.zerok.adapters.storage.sqlite.jooq.tables.records.RelayContentRecord;
import dev.zerok.adapters.storage.sqlite.jooq.tables.records.RelayGroupRecord;
import dev.zerok.adapters.storage.sqlite.jooq.tables.records.RelayTotalsRecord;
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
import dev.zerok.ports.relaystore.RelayStoreException.Code;
import dev.zerok.ports.relaystore.StoreStats;
import dev.zerok.ports.relaystore.StoredBlob;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.exception.DataAccessException;

/**
 * {@link RelayStore} on one SQLite file in WAL mode.
 *
 * <p>Writes go through one connection, serialised by a lock and wrapped in {@code BEGIN IMMEDIATE}
 * transactions; so a cursor is allocated (the group's {@code head_cursor} raised) in the same
 * transaction as the row it numbers, and commits happen in cursor order: a reader's snapshot
 * always holds a prefix of each group's log, never a gap that is filled later. Reads use a small
 * pool of separate connections, each read in its own {@code BEGIN DEFERRED} snapshot, and never
 * wait for writers (WAL).
 *
 * <p>Payloads are stored once per (group, SHA-256 of payload) with a reference count; the group's
 * quota is charged with the size of each distinct payload once, and so is the relay-wide capacity,
 * whose running totals live in the one-row {@code relay_totals} table. Times are kept in epoch
 * milliseconds: {@code expiresAt} is {@code now} truncated to the millisecond plus the capped TTL.
 *
 * <p>Bit rot: the dedup key {@code content_hash} is the SHA-256 of the payload, taken at append
 * anyway, so it doubles as the integrity checksum at no cost to appends. A pull re-hashes each
 * payload before serving it (the JDK's SHA-256 intrinsic measured about 0.8 GB/s on the shared
 * 2-core development machine, ~1.3 ms per 1 MiB page; a pull page is bounded by {@code maxBytes}). A row whose
 * payload fails, or whose payload row is missing, is withheld; right after the read, a write
 * transaction flags it {@code rotten} (with every row sharing that payload), deletes the rotten
 * payload and takes it off the quota and the capacity, and counts the flagged rows. A flagged row
 * stays, payload-less, until it expires so that pulls keep reporting its cursor as withheld.
 * This protects the payload bytes and the row's link to them, not the other columns nor SQLite's
 * own page structure (for those: {@code PRAGMA integrity_check}, a checksumming file system).
 *
 * <p>Cursors are kept below 2^63 (SQLite integers are signed); an append that would need a
 * larger one fails with {@code UNAVAILABLE}. Thread-safe.
 */
final class SqliteRelayStore implements RelayStore {
    private static final int PURGE_BATCH_ROWS = 1000;
    private static final int VACUUM_BATCH_PAGES = 10_000;
    /** Most withheld cursors in one page, so mass rot cannot make one pull scan the whole log. */
    private static final int MAX_WITHHELD_PER_PAGE = 1000;

    private final Duration ttlMax;
    private final long groupQuotaBytes;
    private final long capacityBytes;
    private final long capacityBlobs;
    private final Duration busyTimeout;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Connection writer;
    private final DSLContext writeDsl;
    private final BlockingQueue<Reader> readers;
    private volatile boolean closed;

    private record Reader(Connection connection, DSLContext dsl) {}

    @FunctionalInterface
    private interface Work<T> {
        T run(DSLContext dsl) throws RelayStoreException;
    }

    private SqliteRelayStore(Duration ttlMax, long groupQuotaBytes, long capacityBytes, long capacityBlobs,
            Duration busyTimeout, Connection writer, BlockingQueue<Reader> readers) {
        this.ttlMax = ttlMax;
        this.groupQuotaBytes = groupQuotaBytes;
        this.capacityBytes = capacityBytes;
        this.capacityBlobs = capacityBlobs;
        this.busyTimeout = busyTimeout;
        this.writer = writer;
        this.writeDsl = SqliteFile.dsl(writer);
        this.readers = readers;
    }

    /**
     * Opens (creating and migrating) the store at {@code file}.
     *
     * @throws RelayStoreException {@code INCOMPATIBLE} for a foreign or newer file, {@code UNAVAILABLE}
     *     if the file cannot be opened
     */
    static SqliteRelayStore open(Path file, Duration ttlMax, long groupQuotaBytes, long capacityBytes,
            long capacityBlobs, Duration busyTimeout, Synchronous synchronous, int readConnections)
            throws RelayStoreException {
        List<Connection> opened = new ArrayList<>();
        try {
            Connection writer = SqliteFile.connect(file, synchronous, busyTimeout);
            opened.add(writer);
            SqliteFile.migrate(writer, SqliteFile.Kind.RELAY);
            BlockingQueue<Reader> readers = new ArrayBlockingQueue<>(readConnections);
            for (int i = 0; i < readConnections; i++) {
                Connection reader = SqliteFile.connect(file, synchronous, busyTimeout);
                opened.add(reader);
                readers.add(new Reader(reader, SqliteFile.dsl(reader)));
            }
            return new SqliteRelayStore(ttlMax, groupQuotaBytes, capacityBytes, capacityBlobs, busyTimeout, writer,
                    readers);
        } catch (OpenFailure e) {
            opened.forEach(SqliteFile::closeQuietly);
            throw new RelayStoreException(e.incompatible() ? Code.INCOMPATIBLE : Code.UNAVAILABLE, e.getMessage(),
                    e.getCause());
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>A duplicate {@code (group, blob)} returns the first row's cursor and expiry, even if
     * {@code payload} differs. An earlier row under the same blob id that has already expired, or
     * that was found rotten, is replaced by a new row with a new cursor. If the quota would be exceeded, the group's expired
     * rows are purged inside the same transaction before the append is refused. The relay-wide
     * capacity is checked after the quota, against every row not yet purged (expired or not): the
     * periodic {@link #purgeExpired} gives capacity back, an append does not purge other groups'
     * rows (a refused append would roll that work back, and at capacity every append would repeat it).
     *
     * <p>Batches: the whole list runs in one {@code BEGIN IMMEDIATE} transaction. A list of one
     * takes the one-request path {@link #appendOne} directly. Longer lists are decided in memory
     * by {@link AppendBatch}: the group rows, the totals row, the rows under the requested blob ids
     * and the payloads under the requested hashes are read once, each request is handled in list
     * order against that state (a refusal writes nothing), and what was accepted is written with
     * one JDBC batch per table and one update per group and of the totals: for one group, four
     * reads and four or five writes per batch instead of about eight statements per blob. A request that must write before it can be refused
     * (it replaces an expired or rotten row of the same blob id, meets a rotten stored payload, or
     * is over the quota while the group has expired rows to purge) is rare: the accepted ones
     * before it are written, it takes the one-request path {@link #appendOne} inside a
     * {@code SAVEPOINT}, so that a refusal rolls back to where it started, and the rest of the list
     * is loaded afresh. Payload hashes are taken before the write lock. An SQL failure anywhere
     * (SQLITE_FULL included) rolls the whole transaction back.
     */
    @Override
    public List<AppendOutcome> appendAll(List<AppendRequest> requests, Instant now) {
        if (requests.isEmpty()) {
            return List.of();
        }
        long nowMs = now.toEpochMilli();
        List<byte[]> hashes = new ArrayList<>(requests.size());
        for (AppendRequest request : requests) {
            hashes.add(sha256(request.payload()));
        }
        try {
            return inWriteTransaction("append", dsl -> {
                if (requests.size() == 1) {
                    // Cheaper alone than AppendBatch's set-up (measured 600 against 330-420 single
                    // appends/s, AppendThroughputMain batch 1). No savepoint needed: a refusal
                    // rolls back the whole (one-item) transaction.
                    return List.of(appendOne(dsl, requests.get(0), hashes.get(0), nowMs, () -> { }));
                }
                List<AppendOutcome> outcomes = new ArrayList<>(requests.size());
                AppendBatch batch = loadBatch(dsl, requests, hashes, 0, nowMs);
                for (int i = 0; i < requests.size(); i++) {
                    AppendRequest request = requests.get(i);
                    Optional<AppendOutcome> decided = batch.append(request, hashes.get(i),
                            expiresAtMs(request.ttl(), nowMs));
                    if (decided.isPresent()) {
                        outcomes.add(decided.get());
                        continue;
                    }
                    batch.flush();
                    outcomes.add(appendInSavepoint(dsl, request, hashes.get(i), nowMs));
                    batch = loadBatch(dsl, requests, hashes, i + 1, nowMs);
                }
                batch.flush();
                return outcomes;
            });
        } catch (RelayStoreException e) {
            return Collections.nCopies(requests.size(), new AppendOutcome.Refused(e));
        }
    }

    /** {@link AppendBatch#load} of the requests from index {@code from} on. */
    private AppendBatch loadBatch(DSLContext dsl, List<AppendRequest> requests, List<byte[]> hashes, int from,
            long nowMs) throws RelayStoreException {
        return AppendBatch.load(dsl, nowMs, groupQuotaBytes, capacityBytes, capacityBlobs,
                requests.subList(from, requests.size()), hashes.subList(from, hashes.size()), totals(dsl));
    }

    /** {@code nowMs} plus the requested TTL lowered to the cap, saturated at {@code Long.MAX_VALUE}. */
    private long expiresAtMs(Duration ttl, long nowMs) {
        return saturatedAdd(nowMs, (ttl.compareTo(ttlMax) > 0 ? ttlMax : ttl).toMillis());
    }

    /**
     * One request of a batch on the one-request path; a savepoint is opened only before a write
     * that a refusal must undo (see {@link #appendAll}), and rolled back to on refusal.
     */
    private AppendOutcome appendInSavepoint(DSLContext dsl, AppendRequest request, byte[] hash, long nowMs)
            throws RelayStoreException {
        try (Statement s = writer.createStatement()) {
            boolean[] opened = {false};
            BeforeWrite savepoint = () -> {
                if (!opened[0]) {
                    opened[0] = true;
                    try {
                        s.execute(Sql.SAVEPOINT_ITEM);
                    } catch (SQLException e) {
                        throw new DataAccessException("savepoint failed", e);
                    }
                }
            };
            AppendOutcome outcome;
            try {
                outcome = appendOne(dsl, request, hash, nowMs, savepoint);
            } catch (RelayStoreException refused) {
                if (opened[0]) {
                    s.execute(Sql.ROLLBACK_TO_ITEM);
                }
                outcome = new AppendOutcome.Refused(refused);
            }
            if (opened[0]) {
                s.execute(Sql.RELEASE_ITEM);
            }
            return outcome;
        } catch (SQLException e) {
            throw failure("append", e);
        }
    }

    /** Called by {@link #appendOne} before a write that precedes its refusal checks. */
    @FunctionalInterface
    private interface BeforeWrite {
        void run();
    }

    /**
     * The append of one request inside the current write transaction.
     *
     * @param beforeWrite run before each write that a refusal could follow (the caller's savepoint)
     * @throws RelayStoreException a refusal of this request ({@code QUOTA_EXCEEDED},
     *     {@code CAPACITY_EXCEEDED}, {@code UNAVAILABLE} for an exhausted cursor space); only the
     *     writes after {@code beforeWrite} can precede it, the caller undoes them
     */
    private AppendResult appendOne(DSLContext dsl, AppendRequest request, byte[] hash, long nowMs,
            BeforeWrite beforeWrite) throws RelayStoreException {
        long expiresMs = expiresAtMs(request.ttl(), nowMs);
        byte[] g = request.group().bytes();
        byte[] b = request.blob().bytes();
        byte[] s = request.sender().bytes();
        byte[] stored = request.payload();
        RelayBlobRecord existing = dsl.selectFrom(RELAY_BLOB)
                .where(RELAY_BLOB.GROUP_ID.eq(g), RELAY_BLOB.BLOB_ID.eq(b))
                .fetchOne();
        if (existing != null) {
            boolean rotten = existing.getRotten() != 0;
            if (existing.getExpiresAtMs() > nowMs && !rotten) {
                return new AppendResult(new Cursor(existing.getCursor()), true,
                        Instant.ofEpochMilli(existing.getExpiresAtMs()));
            }
            // A rotten row cannot be served: the device pushing it again is the repair.
            beforeWrite.run();
            removeRow(dsl, g, existing.getCursor(), existing.getContentHash(), rotten,
                    existing.getExpiresAtMs() <= nowMs);
        }
        RelayContentRecord content = content(dsl, g, hash);
        if (content != null && !Arrays.equals(content.getPayload(), stored)) {
            // Same SHA-256, different bytes: the stored copy rotted. Sharing it would hand the
            // new row rotten bytes; flag what uses it and store these bytes afresh.
            beforeWrite.run();
            quarantine(dsl, g, hash);
            content = content(dsl, g, hash);
        }
        long charge = content == null ? stored.length : 0;
        RelayGroupRecord state = groupState(dsl, g);
        if (state.getStoredBytes() + charge > groupQuotaBytes) {
            beforeWrite.run();
            purge(dsl, RELAY_BLOB.GROUP_ID.eq(g).and(RELAY_BLOB.EXPIRES_AT_MS.le(nowMs)), Integer.MAX_VALUE);
            content = content(dsl, g, hash);
            charge = content == null ? stored.length : 0;
            state = groupState(dsl, g);
            if (state.getStoredBytes() + charge > groupQuotaBytes) {
                throw AppendBatch.quotaRefusal(state.getStoredBytes(), groupQuotaBytes);
            }
        }
        RelayTotalsRecord totals = totals(dsl);
        if (totals.getStoredBytes() + charge > capacityBytes || totals.getBlobCount() + 1 > capacityBlobs) {
            throw AppendBatch.capacityRefusal(capacityBytes, capacityBlobs, totals.getStoredBytes(),
                    totals.getBlobCount());
        }
        if (state.getHeadCursor() == Long.MAX_VALUE) {
            throw AppendBatch.cursorSpaceRefusal();
        }
        long cursor = state.getHeadCursor() + 1;
        if (content == null) {
            dsl.insertInto(RELAY_CONTENT)
                    .set(RELAY_CONTENT.GROUP_ID, g)
                    .set(RELAY_CONTENT.CONTENT_HASH, hash)
                    .set(RELAY_CONTENT.SIZE_BYTES, (long) stored.length)
                    .set(RELAY_CONTENT.REF_COUNT, 1L)
                    .set(RELAY_CONTENT.PAYLOAD, stored)
                    .execute();
        } else {
            dsl.update(RELAY_CONTENT)
                    .set(RELAY_CONTENT.REF_COUNT, RELAY_CONTENT.REF_COUNT.plus(1L))
                    .where(RELAY_CONTENT.GROUP_ID.eq(g), RELAY_CONTENT.CONTENT_HASH.eq(hash))
                    .execute();
        }
        dsl.insertInto(RELAY_BLOB)
                .set(RELAY_BLOB.GROUP_ID, g)
                .set(RELAY_BLOB.CURSOR, cursor)
                .set(RELAY_BLOB.BLOB_ID, b)
                .set(RELAY_BLOB.SENDER_ID, s)
                .set(RELAY_BLOB.CONTENT_HASH, hash)
                .set(RELAY_BLOB.SIZE_BYTES, (long) stored.length)
                .set(RELAY_BLOB.EXPIRES_AT_MS, expiresMs)
                .execute();
        dsl.insertInto(RELAY_GROUP)
                .set(RELAY_GROUP.GROUP_ID, g)
                .set(RELAY_GROUP.HEAD_CURSOR, cursor)
                .set(RELAY_GROUP.BLOB_COUNT, 1L)
                .set(RELAY_GROUP.STORED_BYTES, charge)
                .onConflict(RELAY_GROUP.GROUP_ID)
                .doUpdate()
                .set(RELAY_GROUP.HEAD_CURSOR, cursor)
                .set(RELAY_GROUP.BLOB_COUNT, RELAY_GROUP.BLOB_COUNT.plus(1L))
                .set(RELAY_GROUP.STORED_BYTES, RELAY_GROUP.STORED_BYTES.plus(charge))
                .execute();
        dsl.update(RELAY_TOTALS)
                .set(RELAY_TOTALS.BLOB_COUNT, RELAY_TOTALS.BLOB_COUNT.plus(1L))
                .set(RELAY_TOTALS.STORED_BYTES, RELAY_TOTALS.STORED_BYTES.plus(charge))
                .execute();
        return new AppendResult(new Cursor(cursor), false, Instant.ofEpochMilli(expiresMs));
    }

    @Override
    public Page pageAfter(GroupId group, Cursor after, int maxCount, long maxBytes, Instant now)
            throws RelayStoreException {
        if (maxCount < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("maxCount and maxBytes must be at least 1");
        }
        ensureOpen();
        if (after.value() < 0) {
            // Unsigned values of 2^63 and above: no cursor this store assigns is after them.
            return new Page(List.of(), false);
        }
        long nowMs = now.toEpochMilli();
        byte[] g = group.bytes();
        List<byte[]> rottenHashes = new ArrayList<>();
        Page page = inReadTransaction("pull", dsl -> {
            rottenHashes.clear();
            // Enough rows for a full page plus a full list of withheld ones, plus one for hasMore.
            var rows = dsl.select(RELAY_BLOB.CURSOR, RELAY_BLOB.BLOB_ID, RELAY_BLOB.SENDER_ID,
                            RELAY_BLOB.CONTENT_HASH, RELAY_BLOB.SIZE_BYTES, RELAY_BLOB.ROTTEN)
                    .from(RELAY_BLOB)
                    .where(RELAY_BLOB.GROUP_ID.eq(g), RELAY_BLOB.CURSOR.gt(after.value()),
                            RELAY_BLOB.EXPIRES_AT_MS.gt(nowMs))
                    .orderBy(RELAY_BLOB.CURSOR)
                    .limit(maxCount + MAX_WITHHELD_PER_PAGE + 1L)
                    .fetch();
            List<StoredBlob> blobs = new ArrayList<>();
            List<Cursor> withheld = new ArrayList<>();
            boolean hasMore = false;
            long pageBytes = 0;
            for (var row : rows) {
                Cursor cursor = new Cursor(row.value1());
                byte[] payload = null;
                if (row.value6() == 0) {
                    long size = row.value5();
                    // The first blob is taken whatever its size, so a pull always makes progress.
                    if (blobs.size() == maxCount || (!blobs.isEmpty() && pageBytes + size > maxBytes)) {
                        hasMore = true;
                        break;
                    }
                    payload = dsl.select(RELAY_CONTENT.PAYLOAD)
                            .from(RELAY_CONTENT)
                            .where(RELAY_CONTENT.GROUP_ID.eq(g), RELAY_CONTENT.CONTENT_HASH.eq(row.value4()))
                            .fetchOne(RELAY_CONTENT.PAYLOAD);
                    if (payload == null || !Arrays.equals(sha256(payload), row.value4())) {
                        rottenHashes.add(row.value4());
                        payload = null;
                    }
                }
                if (payload != null) {
                    blobs.add(new StoredBlob(cursor, new BlobId(row.value2()), new DeviceId(row.value3()), payload));
                    pageBytes += row.value5();
                } else if (withheld.size() == MAX_WITHHELD_PER_PAGE) {
                    hasMore = true;
                    break;
                } else {
                    withheld.add(cursor);
                }
            }
            return new Page(blobs, hasMore, withheld);
        });
        if (!rottenHashes.isEmpty()) {
            flagRotten(g, rottenHashes);
        }
        return page;
    }

    /**
     * Flags the rows whose payloads a pull found rotten, in a write transaction after the read.
     * Best effort: if it fails, the page is still served without those rows, and the next pull
     * that reaches them finds them rotten again.
     */
    private void flagRotten(byte[] group, List<byte[]> hashes) {
        try {
            inWriteTransaction("rotten row flagging", dsl -> {
                for (byte[] hash : hashes) {
                    quarantine(dsl, group, hash);
                }
                return null;
            });
        } catch (RelayStoreException e) {
            // Nothing was changed; the rows stay unserved because every pull verifies them.
        }
    }

    /**
     * Inside a write transaction: if the payload stored under {@code hash} is missing or no longer
     * hashes to it, deletes it (giving its bytes back to the quota and the capacity) and flags every
     * row that uses it as rotten. Re-checks first: between a pull's read and this write, the rotten
     * payload may have been purged and the same bytes stored afresh.
     *
     * @return the rows newly flagged
     */
    private static int quarantine(DSLContext dsl, byte[] group, byte[] hash) {
        RelayContentRecord content = content(dsl, group, hash);
        if (content != null) {
            if (Arrays.equals(sha256(content.getPayload()), hash)) {
                return 0;
            }
            dsl.deleteFrom(RELAY_CONTENT)
                    .where(RELAY_CONTENT.GROUP_ID.eq(group), RELAY_CONTENT.CONTENT_HASH.eq(hash))
                    .execute();
            dsl.update(RELAY_GROUP)
                    .set(RELAY_GROUP.STORED_BYTES, RELAY_GROUP.STORED_BYTES.minus(content.getSizeBytes()))
                    .where(RELAY_GROUP.GROUP_ID.eq(group))
                    .execute();
            dsl.update(RELAY_TOTALS)
                    .set(RELAY_TOTALS.STORED_BYTES, RELAY_TOTALS.STORED_BYTES.minus(content.getSizeBytes()))
                    .execute();
        }
        int flagged = dsl.update(RELAY_BLOB)
                .set(RELAY_BLOB.ROTTEN, 1L)
                .where(RELAY_BLOB.GROUP_ID.eq(group), RELAY_BLOB.CONTENT_HASH.eq(hash), RELAY_BLOB.ROTTEN.eq(0L))
                .execute();
        dsl.update(RELAY_TOTALS)
                .set(RELAY_TOTALS.ROTTEN_DETECTED, RELAY_TOTALS.ROTTEN_DETECTED.plus((long) flagged))
                .execute();
        return flagged;
    }

    @Override
    public Cursor head(GroupId group) throws RelayStoreException {
        byte[] g = group.bytes();
        return inReadTransaction("head", dsl -> {
            Long head = dsl.select(RELAY_GROUP.HEAD_CURSOR).from(RELAY_GROUP)
                    .where(RELAY_GROUP.GROUP_ID.eq(g)).fetchOne(RELAY_GROUP.HEAD_CURSOR);
            return head == null ? Cursor.ZERO : new Cursor(head);
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>One read snapshot: the group's {@code expired_through} (cursors of expired rows already
     * deleted) and the highest cursor among its expired rows not yet purged, a range of the
     * {@code (group_id, expires_at_ms, cursor)} index whose length is the rows awaiting the next
     * purge. Rotten rows keep their place until they expire.
     */
    @Override
    public Cursor oldestRetained(GroupId group, Instant now) throws RelayStoreException {
        long nowMs = now.toEpochMilli();
        byte[] g = group.bytes();
        return inReadTransaction("oldest retained cursor", dsl -> {
            Long purged = dsl.select(RELAY_GROUP.EXPIRED_THROUGH).from(RELAY_GROUP)
                    .where(RELAY_GROUP.GROUP_ID.eq(g)).fetchOne(RELAY_GROUP.EXPIRED_THROUGH);
            if (purged == null) {
                return new Cursor(1);
            }
            Long unpurged = dsl.select(DSL.max(RELAY_BLOB.CURSOR)).from(RELAY_BLOB)
                    .where(RELAY_BLOB.GROUP_ID.eq(g), RELAY_BLOB.EXPIRES_AT_MS.le(nowMs))
                    .fetchOne(0, Long.class);
            long expiredThrough = unpurged == null ? purged : Math.max(purged, unpurged);
            // Cursors stay below 2^63 here (see the class javadoc), so + 1 cannot overflow.
            return new Cursor(expiredThrough + 1);
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Deletes in transactions of at most {@value #PURGE_BATCH_ROWS} rows so appends are not held
     * up, then runs SQLite's incremental vacuum and a truncating WAL checkpoint so the file shrinks.
     */
    @Override
    public long purgeExpired(Instant now) throws RelayStoreException {
        long nowMs = now.toEpochMilli();
        long removed = 0;
        while (true) {
            int batch = inWriteTransaction("purge",
                    dsl -> purge(dsl, RELAY_BLOB.EXPIRES_AT_MS.le(nowMs), PURGE_BATCH_ROWS));
            removed += batch;
            if (batch < PURGE_BATCH_ROWS) {
                break;
            }
        }
        if (removed > 0) {
            reclaimSpace();
        }
        return removed;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Rows that expired but were not purged yet are still counted: they still occupy the quota
     * until {@link #purgeExpired} (or an append that would exceed the quota) removes them.
     */
    @Override
    public GroupUsage usage(GroupId group) throws RelayStoreException {
        byte[] g = group.bytes();
        return inReadTransaction("usage", dsl -> {
            RelayGroupRecord state = dsl.selectFrom(RELAY_GROUP).where(RELAY_GROUP.GROUP_ID.eq(g)).fetchOne();
            return state == null ? new GroupUsage(0, 0) : new GroupUsage(state.getBlobCount(), state.getStoredBytes());
        });
    }

    @Override
    public StoreStats stats() throws RelayStoreException {
        return inReadTransaction("stats", dsl -> {
            RelayTotalsRecord totals = totals(dsl);
            int groupsWithData = dsl.fetchCount(RELAY_GROUP, RELAY_GROUP.BLOB_COUNT.gt(0L));
            return new StoreStats(totals.getBlobCount(), totals.getStoredBytes(), groupsWithData,
                    totals.getRottenDetected());
        });
    }

    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            SqliteFile.closeQuietly(writer);
        } finally {
            writeLock.unlock();
        }
        // Borrowed readers are closed by giveBack when their read ends.
        for (Reader r = readers.poll(); r != null; r = readers.poll()) {
            SqliteFile.closeQuietly(r.connection());
        }
    }

    private static RelayContentRecord content(DSLContext dsl, byte[] group, byte[] hash) {
        return dsl.selectFrom(RELAY_CONTENT)
                .where(RELAY_CONTENT.GROUP_ID.eq(group), RELAY_CONTENT.CONTENT_HASH.eq(hash))
                .fetchOne();
    }

    private static RelayGroupRecord groupState(DSLContext dsl, byte[] group) {
        RelayGroupRecord state = dsl.selectFrom(RELAY_GROUP).where(RELAY_GROUP.GROUP_ID.eq(group)).fetchOne();
        if (state != null) {
            return state;
        }
        RelayGroupRecord empty = dsl.newRecord(RELAY_GROUP);
        empty.setGroupId(group);
        empty.setHeadCursor(0L);
        empty.setBlobCount(0L);
        empty.setStoredBytes(0L);
        return empty;
    }

    /**
     * Removes up to {@code limit} rows matching {@code which}, releasing their payload references.
     * Every caller's {@code which} selects expired rows only: their cursors count as expired.
     */
    private static int purge(DSLContext dsl, Condition which, int limit) {
        var victims = dsl.select(RELAY_BLOB.GROUP_ID, RELAY_BLOB.CURSOR, RELAY_BLOB.CONTENT_HASH, RELAY_BLOB.ROTTEN)
                .from(RELAY_BLOB)
                .where(which)
                .orderBy(RELAY_BLOB.EXPIRES_AT_MS)
                .limit(limit)
                .fetch();
        for (var v : victims) {
            removeRow(dsl, v.value1(), v.value2(), v.value3(), v.value4() != 0, true);
        }
        return victims.size();
    }

    /**
     * Deletes one log row and its payload reference; the group's head cursor is never lowered. A
     * rotten row holds no reference (its payload was deleted when it was flagged, and a payload
     * stored since under the same hash belongs to other rows). With {@code expired}, the group's
     * {@code expired_through} is raised to the row's cursor (see {@link #oldestRetained}).
     */
    private static void removeRow(DSLContext dsl, byte[] group, long cursor, byte[] hash, boolean rotten,
            boolean expired) {
        dsl.deleteFrom(RELAY_BLOB).where(RELAY_BLOB.GROUP_ID.eq(group), RELAY_BLOB.CURSOR.eq(cursor)).execute();
        RelayContentRecord content = rotten ? null : content(dsl, group, hash);
        long freedBytes = 0;
        if (content != null && content.getRefCount() <= 1) {
            dsl.deleteFrom(RELAY_CONTENT)
                    .where(RELAY_CONTENT.GROUP_ID.eq(group), RELAY_CONTENT.CONTENT_HASH.eq(hash))
                    .execute();
            freedBytes = content.getSizeBytes();
        } else if (content != null) {
            dsl.update(RELAY_CONTENT)
                    .set(RELAY_CONTENT.REF_COUNT, RELAY_CONTENT.REF_COUNT.minus(1L))
                    .where(RELAY_CONTENT.GROUP_ID.eq(group), RELAY_CONTENT.CONTENT_HASH.eq(hash))
                    .execute();
        }
        dsl.update(RELAY_GROUP)
                .set(RELAY_GROUP.BLOB_COUNT, RELAY_GROUP.BLOB_COUNT.minus(1L))
                .set(RELAY_GROUP.STORED_BYTES, RELAY_GROUP.STORED_BYTES.minus(freedBytes))
                .set(RELAY_GROUP.EXPIRED_THROUGH, expired
                        ? DSL.greatest(RELAY_GROUP.EXPIRED_THROUGH, DSL.val(cursor))
                        : RELAY_GROUP.EXPIRED_THROUGH)
                .where(RELAY_GROUP.GROUP_ID.eq(group))
                .execute();
        dsl.update(RELAY_TOTALS)
                .set(RELAY_TOTALS.BLOB_COUNT, RELAY_TOTALS.BLOB_COUNT.minus(1L))
                .set(RELAY_TOTALS.STORED_BYTES, RELAY_TOTALS.STORED_BYTES.minus(freedBytes))
                .execute();
    }

    /** The relay-wide running totals (one row, created by migration 2). */
    private static RelayTotalsRecord totals(DSLContext dsl) throws RelayStoreException {
        RelayTotalsRecord totals = dsl.selectFrom(RELAY_TOTALS).fetchOne();
        if (totals == null) {
            throw new RelayStoreException(Code.UNAVAILABLE, "the relay_totals row is missing; the database needs repair");
        }
        return totals;
    }

    /**
     * Returns free pages to the file system. sqlite-jdbc's {@code execute} steps a statement once
     * and each step of {@code PRAGMA incremental_vacuum} frees one page, so the pragma is stepped
     * once per free page, at most {@value #VACUUM_BATCH_PAGES} pages per transaction so appends
     * are not held up long.
     */
    private void reclaimSpace() throws RelayStoreException {
        while (true) {
            int freed = inWriteTransaction("space reclamation", dsl -> {
                try (Statement s = writer.createStatement();
                        PreparedStatement vacuum = writer.prepareStatement(Sql.INCREMENTAL_VACUUM)) {
                    int pages = Math.min(VACUUM_BATCH_PAGES, SqliteFile.intPragma(s, Sql.FREELIST_COUNT));
                    for (int i = 0; i < pages; i++) {
                        vacuum.execute();
                    }
                    return pages;
                } catch (SQLException e) {
                    throw failure("space reclamation", e);
                }
            });
            if (freed < VACUUM_BATCH_PAGES) {
                break;
            }
        }
        writeLock.lock();
        try {
            ensureOpen();
            try (Statement s = writer.createStatement()) {
                s.execute(Sql.WAL_CHECKPOINT_TRUNCATE);
            }
        } catch (SQLException e) {
            throw failure("checkpoint", e);
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T inWriteTransaction(String operation, Work<T> work) throws RelayStoreException {
        writeLock.lock();
        try {
            ensureOpen();
            return SqliteFile.transaction(writer, Sql.BEGIN_IMMEDIATE, () -> work.run(writeDsl));
        } catch (SQLException | DataAccessException e) {
            throw failure(operation, e);
        } finally {
            writeLock.unlock();
        }
    }

    private <T> T inReadTransaction(String operation, Work<T> work) throws RelayStoreException {
        Reader reader = borrow();
        try {
            return SqliteFile.transaction(reader.connection(), Sql.BEGIN_DEFERRED, () -> work.run(reader.dsl()));
        } catch (SQLException | DataAccessException e) {
            throw failure(operation, e);
        } finally {
            giveBack(reader);
        }
    }

    private Reader borrow() throws RelayStoreException {
        ensureOpen();
        Reader reader;
        try {
            reader = readers.poll(busyTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RelayStoreException(Code.UNAVAILABLE, "interrupted while waiting for a read connection");
        }
        if (reader == null) {
            ensureOpen();
            throw new RelayStoreException(Code.UNAVAILABLE,
                    "every read connection stayed busy for the busy timeout; retry later");
        }
        return reader;
    }

    private void giveBack(Reader reader) {
        if (closed) {
            SqliteFile.closeQuietly(reader.connection());
            return;
        }
        readers.add(reader);
        if (closed && readers.remove(reader)) {
            SqliteFile.closeQuietly(reader.connection());
        }
    }

    private void ensureOpen() throws RelayStoreException {
        if (closed) {
            throw new RelayStoreException(Code.CLOSED, "the relay store is closed");
        }
    }

    private RelayStoreException failure(String operation, Exception e) {
        if (closed) {
            return new RelayStoreException(Code.CLOSED, "the relay store was closed during " + operation);
        }
        if (SqliteFailure.storageFull(e)) {
            return new RelayStoreException(Code.STORAGE_FULL, "relay store " + operation + " failed (SQLITE_FULL): "
                    + "the filesystem under the database is full; nothing was stored; free space in the data "
                    + "directory", SqliteFailure.causeToAttach(e));
        }
        // Even SQLITE_CORRUPT maps to UNAVAILABLE here: the file opened as ours, and the failed
        // transaction left nothing behind; INCOMPATIBLE is reserved for open.
        return new RelayStoreException(Code.UNAVAILABLE, "relay store " + operation + " failed ("
                + SqliteFailure.codeName(e) + "); it had no effect, retry later", SqliteFailure.causeToAttach(e));
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }
}
