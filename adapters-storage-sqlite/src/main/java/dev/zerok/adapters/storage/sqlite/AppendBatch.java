package dev.zerok.adapters.storage.sqlite;

import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_BLOB;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_CONTENT;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_GROUP;
import static dev.zerok.adapters.storage.sqlite.jooq.Tables.RELAY_TOTALS;

import dev.zerok.adapters.storage.sqlite.jooq.tables.records.RelayTotalsRecord;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.GroupId;
import dev.zerok.ports.relaystore.AppendOutcome;
import dev.zerok.ports.relaystore.AppendRequest;
import dev.zerok.ports.relaystore.AppendResult;
import dev.zerok.ports.relaystore.RelayStoreException;
import dev.zerok.ports.relaystore.RelayStoreException.Code;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.BatchBindStep;
import org.jooq.DSLContext;
import org.jooq.Record1;
import org.jooq.Record2;
import org.jooq.Record4;
import org.jooq.Row1;
import org.jooq.Select;
import org.jooq.Table;
import org.jooq.impl.DSL;

/**
 * The appends of one {@link SqliteRelayStore#appendAll} write transaction, decided in memory and
 * written with a handful of statements however many requests there are.
 *
 * <p>{@link #load} reads, once for the requests it is given: the relay totals row, and per group
 * the group row, the existing rows under the requests' blob ids and the stored payloads under
 * their hashes. {@link #append} then handles one request exactly as
 * {@code SqliteRelayStore.appendOne} would at that point of the list (duplicate, dedup by hash,
 * quota, capacity, cursor space, in that order), changing only this in-memory state; a refusal
 * therefore writes nothing and needs no savepoint. {@link #flush} writes what was accepted: new
 * payloads, reference counts and log rows as JDBC batches (one prepared statement each), then
 * each group row and the totals row once.
 *
 * <p>Requests that would write before they can be refused are not handled here ({@link #append}
 * answers empty): replacing an expired or rotten row of the same blob id, a stored payload whose
 * bytes differ under the same SHA-256 (rot), and a request over the quota while the group has
 * expired rows that a purge could free. The caller flushes, runs the one-request path for it (in
 * a savepoint) and loads afresh for the rest of the list. Not thread-safe: used under the store's
 * write lock inside one transaction.
 */
final class AppendBatch {
    /** Bound values per {@code IN} list, well under SQLite's limit of 32766 variables a statement. */
    private static final int IN_LIST_CHUNK = 500;

    private final DSLContext dsl;
    private final long nowMs;
    private final long groupQuotaBytes;
    private final long capacityBytes;
    private final long capacityBlobs;
    private final Map<GroupId, GroupState> groups;
    private long totalBlobs;
    private long totalBytes;
    private long addedBlobs;
    private long addedBytes;

    /** A log row of a requested blob id: stored before the transaction, or appended by this batch. */
    private record Row(long cursor, long expiresMs, boolean rotten) {}

    /** A new log row waiting for {@link #flush}. */
    private record NewRow(long cursor, byte[] blob, byte[] sender, byte[] hash, long sizeBytes, long expiresMs) {}

    /** A payload under one hash of one group: stored before the transaction, or new in this batch. */
    private static final class Content {
        final byte[] payload;
        final boolean stored;
        /** References added by this batch (for a new payload, its whole reference count). */
        long addedRefs;

        Content(byte[] payload, boolean stored) {
            this.payload = payload;
            this.stored = stored;
        }
    }

    private static final class GroupState {
        final byte[] id;
        long head;
        long storedBytes;
        long addedBlobs;
        long addedBytes;
        /** Whether the group has stored rows expired at {@code now}; read on first need. */
        Boolean storedExpired;
        /** Whether this batch appended a row already expired at {@code now} (a TTL under 1 ms). */
        boolean appendedExpired;
        final Map<BlobId, Row> rows = new HashMap<>();
        /** Keyed by the wrapped SHA-256 (ByteBuffer equality is by content). */
        final Map<ByteBuffer, Content> contents = new LinkedHashMap<>();
        final List<NewRow> newRows = new ArrayList<>();

        GroupState(byte[] id) {
            this.id = id;
        }
    }

    private AppendBatch(DSLContext dsl, long nowMs, long groupQuotaBytes, long capacityBytes, long capacityBlobs,
            Map<GroupId, GroupState> groups, RelayTotalsRecord totals) {
        this.dsl = dsl;
        this.nowMs = nowMs;
        this.groupQuotaBytes = groupQuotaBytes;
        this.capacityBytes = capacityBytes;
        this.capacityBlobs = capacityBlobs;
        this.groups = groups;
        this.totalBlobs = totals.getBlobCount();
        this.totalBytes = totals.getStoredBytes();
    }

    /**
     * Reads what {@code requests} need from the current transaction: per group one query for the
     * group row, one for the rows under the requested blob ids and one for the payloads under the
     * requested hashes (more only past {@value #IN_LIST_CHUNK} distinct values), and the totals row.
     *
     * @param hashes the SHA-256 (32 bytes) of each request's payload, same order as {@code requests}
     * @param totals the relay totals row, read in this transaction
     */
    static AppendBatch load(DSLContext dsl, long nowMs, long groupQuotaBytes, long capacityBytes, long capacityBlobs,
            List<AppendRequest> requests, List<byte[]> hashes, RelayTotalsRecord totals) {
        Map<GroupId, Set<BlobId>> blobsByGroup = new LinkedHashMap<>();
        Map<GroupId, Set<ByteBuffer>> hashesByGroup = new LinkedHashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            AppendRequest request = requests.get(i);
            blobsByGroup.computeIfAbsent(request.group(), g -> new LinkedHashSet<>()).add(request.blob());
            hashesByGroup.computeIfAbsent(request.group(), g -> new LinkedHashSet<>()).add(ByteBuffer.wrap(hashes.get(i)));
        }
        Map<GroupId, GroupState> groups = new HashMap<>();
        for (var entry : blobsByGroup.entrySet()) {
            byte[] g = entry.getKey().bytes();
            GroupState state = new GroupState(g);
            var row = dsl.select(RELAY_GROUP.HEAD_CURSOR, RELAY_GROUP.STORED_BYTES).from(RELAY_GROUP)
                    .where(RELAY_GROUP.GROUP_ID.eq(g)).fetchOne();
            if (row != null) {
                state.head = row.value1();
                state.storedBytes = row.value2();
            }
            for (List<byte[]> ids : chunks(entry.getValue().stream().map(BlobId::bytes).toList())) {
                for (var r : existingRows(dsl, g, ids).fetch()) {
                    state.rows.put(new BlobId(r.value1()), new Row(r.value2(), r.value3(), r.value4() != 0));
                }
            }
            for (List<byte[]> hs : chunks(hashesByGroup.get(entry.getKey()).stream().map(ByteBuffer::array).toList())) {
                for (var c : storedContents(dsl, g, hs).fetch()) {
                    state.contents.put(ByteBuffer.wrap(c.value1()), new Content(c.value2(), true));
                }
            }
            groups.put(entry.getKey(), state);
        }
        return new AppendBatch(dsl, nowMs, groupQuotaBytes, capacityBytes, capacityBlobs, groups, totals);
    }

    /**
     * Handles {@code request} in memory, as the one-request path would at this point of the list.
     *
     * @param request one of the requests given to {@link #load}
     * @param hash the SHA-256 of its payload
     * @param expiresMs its expiry in epoch milliseconds (TTL already capped)
     * @return the outcome (stored, duplicate, or refused with nothing written), or empty if the
     *     request must take the one-request path (see the class javadoc); then nothing was changed
     */
    Optional<AppendOutcome> append(AppendRequest request, byte[] hash, long expiresMs) {
        GroupState group = groups.get(request.group());
        Row existing = group.rows.get(request.blob());
        if (existing != null) {
            if (existing.expiresMs() > nowMs && !existing.rotten()) {
                return Optional.of(new AppendResult(new Cursor(existing.cursor()), true,
                        Instant.ofEpochMilli(existing.expiresMs())));
            }
            return Optional.empty(); // replaces the row: a write before the refusal checks
        }
        byte[] payload = request.payload();
        ByteBuffer key = ByteBuffer.wrap(hash);
        Content content = group.contents.get(key);
        if (content != null && !Arrays.equals(content.payload, payload)) {
            return Optional.empty(); // the stored copy rotted: quarantine first
        }
        long charge = content == null ? payload.length : 0;
        if (group.storedBytes + charge > groupQuotaBytes) {
            if (group.appendedExpired || storedExpired(group)) {
                return Optional.empty(); // purging the group's expired rows may make room
            }
            return Optional.of(new AppendOutcome.Refused(quotaRefusal(group.storedBytes, groupQuotaBytes)));
        }
        if (totalBytes + charge > capacityBytes || totalBlobs + 1 > capacityBlobs) {
            return Optional.of(new AppendOutcome.Refused(
                    capacityRefusal(capacityBytes, capacityBlobs, totalBytes, totalBlobs)));
        }
        if (group.head == Long.MAX_VALUE) {
            return Optional.of(new AppendOutcome.Refused(cursorSpaceRefusal()));
        }
        long cursor = ++group.head;
        if (content == null) {
            content = new Content(payload, false);
            group.contents.put(key, content);
        }
        content.addedRefs++;
        group.storedBytes += charge;
        group.addedBlobs++;
        group.addedBytes += charge;
        totalBytes += charge;
        totalBlobs++;
        addedBlobs++;
        addedBytes += charge;
        group.rows.put(request.blob(), new Row(cursor, expiresMs, false));
        group.newRows.add(new NewRow(cursor, request.blob().bytes(), request.sender().bytes(), hash, payload.length,
                expiresMs));
        if (expiresMs <= nowMs) {
            group.appendedExpired = true;
        }
        return Optional.of(new AppendResult(new Cursor(cursor), false, Instant.ofEpochMilli(expiresMs)));
    }

    /**
     * Writes every append accepted since {@link #load}: new payloads, added references and log rows
     * as one JDBC batch each, then one upsert per group and one update of the totals. The object
     * must not be used afterwards.
     */
    void flush() {
        if (addedBlobs == 0) {
            return;
        }
        BatchBindStep newContent = dsl.batch(dsl.insertInto(RELAY_CONTENT, RELAY_CONTENT.GROUP_ID,
                        RELAY_CONTENT.CONTENT_HASH, RELAY_CONTENT.SIZE_BYTES, RELAY_CONTENT.REF_COUNT, RELAY_CONTENT.PAYLOAD)
                .values((byte[]) null, (byte[]) null, (Long) null, (Long) null, (byte[]) null));
        BatchBindStep moreRefs = dsl.batch(dsl.update(RELAY_CONTENT)
                .set(RELAY_CONTENT.REF_COUNT, RELAY_CONTENT.REF_COUNT.plus((Long) null))
                .where(RELAY_CONTENT.GROUP_ID.eq((byte[]) null), RELAY_CONTENT.CONTENT_HASH.eq((byte[]) null)));
        BatchBindStep newRows = dsl.batch(dsl.insertInto(RELAY_BLOB, RELAY_BLOB.GROUP_ID, RELAY_BLOB.CURSOR,
                        RELAY_BLOB.BLOB_ID, RELAY_BLOB.SENDER_ID, RELAY_BLOB.CONTENT_HASH, RELAY_BLOB.SIZE_BYTES,
                        RELAY_BLOB.EXPIRES_AT_MS)
                .values((byte[]) null, (Long) null, (byte[]) null, (byte[]) null, (byte[]) null, (Long) null, (Long) null));
        int contentInserts = 0;
        int refUpdates = 0;
        for (GroupState group : groups.values()) {
            for (var entry : group.contents.entrySet()) {
                Content content = entry.getValue();
                if (content.addedRefs == 0) {
                    continue;
                }
                if (content.stored) {
                    moreRefs.bind(content.addedRefs, group.id, entry.getKey().array());
                    refUpdates++;
                } else {
                    newContent.bind(group.id, entry.getKey().array(), (long) content.payload.length, content.addedRefs,
                            content.payload);
                    contentInserts++;
                }
            }
            for (NewRow row : group.newRows) {
                newRows.bind(group.id, row.cursor(), row.blob(), row.sender(), row.hash(), row.sizeBytes(),
                        row.expiresMs());
            }
        }
        if (contentInserts > 0) {
            newContent.execute();
        }
        if (refUpdates > 0) {
            moreRefs.execute();
        }
        newRows.execute();
        for (GroupState group : groups.values()) {
            if (group.addedBlobs == 0) {
                continue;
            }
            dsl.insertInto(RELAY_GROUP)
                    .set(RELAY_GROUP.GROUP_ID, group.id)
                    .set(RELAY_GROUP.HEAD_CURSOR, group.head)
                    .set(RELAY_GROUP.BLOB_COUNT, group.addedBlobs)
                    .set(RELAY_GROUP.STORED_BYTES, group.addedBytes)
                    .onConflict(RELAY_GROUP.GROUP_ID)
                    .doUpdate()
                    .set(RELAY_GROUP.HEAD_CURSOR, group.head)
                    .set(RELAY_GROUP.BLOB_COUNT, RELAY_GROUP.BLOB_COUNT.plus(group.addedBlobs))
                    .set(RELAY_GROUP.STORED_BYTES, RELAY_GROUP.STORED_BYTES.plus(group.addedBytes))
                    .execute();
        }
        dsl.update(RELAY_TOTALS)
                .set(RELAY_TOTALS.BLOB_COUNT, RELAY_TOTALS.BLOB_COUNT.plus(addedBlobs))
                .set(RELAY_TOTALS.STORED_BYTES, RELAY_TOTALS.STORED_BYTES.plus(addedBytes))
                .execute();
    }

    /**
     * The rows of {@code group} under {@code blobIds}: blob id, cursor, expiry, rotten flag. A
     * {@code VALUES} list {@code CROSS JOIN}ed to the log rather than {@code blob_id IN (...)} or
     * a plain join: for both of those SQLite 3.50 (no {@code ANALYZE} statistics) plans a search
     * of the primary key on {@code group_id} alone, i.e. a walk of the group's whole log per
     * batch. SQLite never reorders the tables of a {@code CROSS JOIN}, so the list is the outer
     * loop and each id is one search of the {@code (group_id, blob_id)} index
     * ({@code AppendBatchTest} checks the plan).
     */
    static Select<Record4<byte[], Long, Long, Long>> existingRows(DSLContext dsl, byte[] group, List<byte[]> blobIds) {
        @SuppressWarnings("unchecked")
        Row1<byte[]>[] rows = blobIds.stream().map(DSL::row).toArray(Row1[]::new);
        Table<Record1<byte[]>> wanted = DSL.values(rows).as("wanted", "blob_id");
        return dsl.select(RELAY_BLOB.BLOB_ID, RELAY_BLOB.CURSOR, RELAY_BLOB.EXPIRES_AT_MS, RELAY_BLOB.ROTTEN)
                .from(wanted)
                .crossJoin(RELAY_BLOB)
                .where(RELAY_BLOB.GROUP_ID.eq(group), RELAY_BLOB.BLOB_ID.eq(wanted.field("blob_id", byte[].class)));
    }

    /** The stored payloads of {@code group} under {@code hashes}: hash, payload (one index lookup each). */
    static Select<Record2<byte[], byte[]>> storedContents(DSLContext dsl, byte[] group, List<byte[]> hashes) {
        return dsl.select(RELAY_CONTENT.CONTENT_HASH, RELAY_CONTENT.PAYLOAD)
                .from(RELAY_CONTENT)
                .where(RELAY_CONTENT.GROUP_ID.eq(group), RELAY_CONTENT.CONTENT_HASH.in(hashes));
    }

    /** Whether the group has stored rows expired at {@code now}: the rows a quota purge would delete. */
    private boolean storedExpired(GroupState group) {
        if (group.storedExpired == null) {
            group.storedExpired = dsl.fetchExists(dsl.selectOne().from(RELAY_BLOB)
                    .where(RELAY_BLOB.GROUP_ID.eq(group.id), RELAY_BLOB.EXPIRES_AT_MS.le(nowMs)));
        }
        return group.storedExpired;
    }

    private static List<List<byte[]>> chunks(List<byte[]> values) {
        List<List<byte[]>> chunks = new ArrayList<>();
        for (int from = 0; from < values.size(); from += IN_LIST_CHUNK) {
            chunks.add(values.subList(from, Math.min(values.size(), from + IN_LIST_CHUNK)));
        }
        return chunks;
    }

    /** {@code QUOTA_EXCEEDED} with its figures; {@code storedBytes} is the group's charge before the request. */
    static RelayStoreException quotaRefusal(long storedBytes, long groupQuotaBytes) {
        return RelayStoreException.quotaExceeded("the group's storage quota of " + groupQuotaBytes
                + " bytes would be exceeded (stored: " + storedBytes + " bytes); nothing was stored", storedBytes,
                groupQuotaBytes);
    }

    /** {@code CAPACITY_EXCEEDED}; the figures are the relay totals before the request. */
    static RelayStoreException capacityRefusal(long capacityBytes, long capacityBlobs, long storedBytes,
            long storedBlobs) {
        return new RelayStoreException(Code.CAPACITY_EXCEEDED, "the relay's storage capacity of "
                + capacityBytes + " bytes and " + capacityBlobs + " blobs would be exceeded (stored: "
                + storedBytes + " bytes, " + storedBlobs + " blobs); nothing was stored, retry after expired blobs are purged");
    }

    static RelayStoreException cursorSpaceRefusal() {
        return new RelayStoreException(Code.UNAVAILABLE, "the group's cursor space (2^63-1) is exhausted");
    }
}
