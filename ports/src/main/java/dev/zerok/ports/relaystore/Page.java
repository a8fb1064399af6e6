package dev.zerok.ports.relaystore;

import dev.zerok.ports.id.Cursor;
import java.util.List;
import java.util.Optional;

/**
 * One bounded page of a pull: the rows of a contiguous cursor range {@code (after, coveredThrough]}
 * of one group's log, each either served ({@link #blobs}) or withheld because its stored payload
 * failed the integrity check the store took at append (bit rot on the relay's disk).
 *
 * <p>A follower resumes after {@link #coveredThrough()}, not after the last blob: otherwise a page
 * that ends in withheld rows would be pulled again and again. A withheld cursor names a blob the
 * relay held and can no longer serve; the device that pushed it can push it again (same blob id),
 * and the store then keeps it under a new, higher cursor.
 *
 * @param blobs served rows in strictly increasing cursor order, each verified against its checksum
 * @param hasMore true if unexpired rows (served or withheld) exist after {@link #coveredThrough()}
 * @param withheld cursors, strictly increasing, of rows in this page's range that are not served
 *     because their payload is corrupt; such a row is never served again. Empty almost always
 */
public record Page(List<StoredBlob> blobs, boolean hasMore, List<Cursor> withheld) {
    public Page {
        blobs = List.copyOf(blobs);
        withheld = List.copyOf(withheld);
    }

    /** A page with nothing withheld. */
    public Page(List<StoredBlob> blobs, boolean hasMore) {
        this(blobs, hasMore, List.of());
    }

    /**
     * The highest cursor this page covers: its last blob's or its last withheld cursor, whichever
     * is higher; empty when the page is empty (nothing after the pull's cursor).
     */
    public Optional<Cursor> coveredThrough() {
        Optional<Cursor> lastBlob = blobs.isEmpty() ? Optional.empty()
                : Optional.of(blobs.get(blobs.size() - 1).cursor());
        Optional<Cursor> lastWithheld = withheld.isEmpty() ? Optional.empty()
                : Optional.of(withheld.get(withheld.size() - 1));
        if (lastBlob.isEmpty()) {
            return lastWithheld;
        }
        if (lastWithheld.isEmpty()) {
            return lastBlob;
        }
        return lastWithheld.get().isAfter(lastBlob.get()) ? lastWithheld : lastBlob;
    }
}
