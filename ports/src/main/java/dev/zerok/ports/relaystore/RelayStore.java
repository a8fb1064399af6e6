package dev.zerok.ports.relaystore;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The relay's cursor log: per group, an append-only sequence of opaque sealed blobs, each under
 * a relay-assigned {@link Cursor}.
 *
 * <p>Guarantees every implementation keeps (the shared contract test checks them):
 * <ul>
 *   <li>{@link #append} allocates the cursor and inserts the row in <b>one transaction</b>;
 *       cursors are strictly increasing per group and a reader never sees a gap that is later
 *       filled (the Rust original's skipped-blob bug). {@link #appendAll} does the same for a
 *       list of blobs in one transaction (one commit, one fsync), allocating cursors in list
 *       order; an item it refuses stores nothing and does not undo the others.</li>
 *   <li>{@link #pageAfter} returns only committed rows, in cursor order, bounded by count and by
 *       bytes, with an honest {@code hasMore}.</li>
 *   <li>Bit rot is never served: {@link #append} records an integrity checksum of the payload and
 *       {@link #pageAfter} verifies each row against it; a row that fails is withheld (reported
 *       in {@link Page#withheld()}, never returned, then or later), it does not stop the page, and
 *       {@link StoreStats#rottenBlobsDetected()} counts it. The relay holds no keys: this guards
 *       against a failing disk, not against someone who can write to it (the devices' AEAD does).
 *       A later append of the same {@code (group, blobId)} stores the blob again under a new
 *       cursor instead of answering {@code duplicate}.</li>
 *   <li>TTLs are capped at the store's configured maximum; expired rows are never returned and
 *       {@link #purgeExpired} removes them; {@link #oldestRetained} tells where the log is still
 *       complete, so a reader learns that blobs expired before it pulled them.</li>
 *   <li>The per-group quota is checked and charged in the same transaction as the insert.</li>
 *   <li>The relay-wide capacity (total stored payload bytes and total stored blobs, across all
 *       groups) is checked and charged in that same transaction: concurrent appends never take the
 *       store past it. Rows count until they are purged; {@link #purgeExpired} gives their
 *       capacity back.</li>
 *   <li>A second append of the same {@code (group, blobId)} is idempotent: it returns the first
 *       cursor with {@code duplicate = true} and stores nothing (outbox retries after a lost ack).</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public interface RelayStore extends AutoCloseable {
    /**
     * Appends one sealed blob to {@code group}'s log: {@link #appendAll} of one request.
     *
     * @param group the authenticated group of the pushing session
     * @param sender the authenticated device that pushed
     * @param blob the sender-chosen blob id
     * @param payload the sealed bytes, 1 byte or more; stored as-is, never interpreted
     * @param now the relay's current time (from its Clock)
     * @param ttl requested time to live; values above the store's cap are lowered to the cap
     * @return the cursor and whether the append was a duplicate
     * @throws RelayStoreException coded {@code QUOTA_EXCEEDED} (the group's quota; nothing stored),
     *     {@code CAPACITY_EXCEEDED} (the relay-wide cap; nothing stored), {@code STORAGE_FULL},
     *     {@code UNAVAILABLE} or {@code CLOSED}. A duplicate is acknowledged even when the group or
     *     the relay is full.
     * @throws IllegalArgumentException if {@code payload} is empty or {@code ttl} is not positive
     */
    default AppendResult append(GroupId group, DeviceId sender, BlobId blob, byte[] payload, Instant now, Duration ttl)
            throws RelayStoreException {
        AppendOutcome outcome = appendAll(List.of(new AppendRequest(group, sender, blob, payload, ttl)), now).get(0);
        return switch (outcome) {
            case AppendResult stored -> stored;
            case AppendOutcome.Refused refused -> throw refused.failure();
        };
    }

    /**
     * Appends several sealed blobs (a relay session's queued pushes) in <b>one write transaction</b>:
     * one commit, one fsync, however many blobs. Each request is handled exactly as
     * {@link #append} would handle it at that point of the list: cursors are allocated in list
     * order (strictly increasing per group), a request whose {@code (group, blobId)} is already
     * stored, earlier or by an earlier request of the same list, is a duplicate with the first
     * cursor, and quotas and capacity are checked and charged item by item, so a request the
     * quota refuses stores nothing while the requests before and after it still commit (a later,
     * smaller one may still fit). Nothing of the call is visible to readers before the commit, and
     * all of it is after: when this returns, every {@link AppendResult} in it is durable.
     *
     * <p>If the transaction itself fails (the database is busy or failing, the filesystem is
     * full, the store is closed), nothing of the call is stored and every request reports that
     * same failure. Requests may name different groups.
     *
     * @param requests the blobs to append, in the order their cursors are allocated; may be empty
     * @param now the relay's current time (from its Clock), the same for every request
     * @return one outcome per request, in the order of {@code requests}: an {@link AppendResult}
     *     (stored, or a duplicate) or an {@link AppendOutcome.Refused} whose failure is coded as
     *     {@link #append} would throw it: {@code QUOTA_EXCEEDED} (with its figures),
     *     {@code CAPACITY_EXCEEDED} or {@code UNAVAILABLE} for that request alone, or
     *     {@code UNAVAILABLE}, {@code STORAGE_FULL} or {@code CLOSED} for every request of the call
     */
    List<AppendOutcome> appendAll(List<AppendRequest> requests, Instant now);

    /**
     * Reads the blobs of {@code group} with a cursor strictly after {@code after}, unexpired at
     * {@code now}, in cursor order. The page holds at most {@code maxCount} blobs and at most
     * {@code maxBytes} payload bytes, except that its first blob is returned even when it alone is
     * larger than {@code maxBytes} (so a pull always makes progress).
     *
     * <p>Each row's payload is checked against the checksum recorded at append; rows that fail
     * are not returned but listed in {@link Page#withheld()}, and the page goes on with the rows
     * after them. Withheld rows count toward neither bound (an implementation may end a page early,
     * with {@code hasMore}, after listing many of them). The caller resumes after
     * {@link Page#coveredThrough()}.
     *
     * @param maxCount 1 or more
     * @param maxBytes 1 or more
     * @throws RelayStoreException coded {@code UNAVAILABLE} or {@code CLOSED}
     * @throws IllegalArgumentException if a bound is below 1
     */
    Page pageAfter(GroupId group, Cursor after, int maxCount, long maxBytes, Instant now) throws RelayStoreException;

    /**
     * The highest cursor ever assigned in {@code group} ({@link Cursor#ZERO} for an empty group).
     *
     * @throws RelayStoreException coded {@code UNAVAILABLE} or {@code CLOSED}
     */
    Cursor head(GroupId group) throws RelayStoreException;

    /**
     * Where {@code group}'s log is still complete at {@code now}: one more than the highest cursor
     * of the group whose blob has expired (at or before {@code now}, whether or not
     * {@link #purgeExpired} has removed it yet), or {@code Cursor(1)} if no blob of the group has
     * expired. Every blob the store assigned a cursor at or after the result has not expired, so a
     * reader whose last cursor is {@code c} missed expired blobs exactly when the result is after
     * {@code c + 1}. The relay announces it as {@code Welcome.oldestCursor} (docs/PROTOCOL.md).
     *
     * <p>It uses the highest <em>expired</em> cursor, not the lowest retained one, because blobs
     * expire out of cursor order (each append brings its own TTL). Expiry is judged as in
     * {@link #pageAfter} (a blob expiring exactly at {@code now} has expired). Rows withheld as
     * rotten are not expired; a rotten row replaced by a later append of the same blob id does not
     * count as expired either (the blob lives on under its new cursor).
     *
     * <p>The result is at least {@code Cursor(1)} and at most {@link #head}{@code + 1} as read
     * after it (the head never goes down): {@code head + 1} when every blob of the group has
     * expired, {@code Cursor(1)} for a group that never received a blob. Reading it and then the
     * head (two calls) therefore always gives a pair a Welcome can carry.
     *
     * @param group any group id; an unknown group gives {@code Cursor(1)}
     * @param now the relay's current time (from its Clock)
     * @throws RelayStoreException coded {@code UNAVAILABLE} or {@code CLOSED}
     */
    Cursor oldestRetained(GroupId group, Instant now) throws RelayStoreException;

    /**
     * Deletes every row whose expiry is at or before {@code now} and gives the freed space back
     * to the file system where the engine supports it.
     *
     * @return the number of blobs removed
     */
    long purgeExpired(Instant now) throws RelayStoreException;

    /** Usage of one group: what its quota is charged with. */
    GroupUsage usage(GroupId group) throws RelayStoreException;

    /** Totals for {@code /health} and {@code /metrics}. */
    StoreStats stats() throws RelayStoreException;

    /**
     * Closes the store after in-flight transactions finish; every acknowledged append is durable.
     * Idempotent.
     */
    @Override
    void close();
}
