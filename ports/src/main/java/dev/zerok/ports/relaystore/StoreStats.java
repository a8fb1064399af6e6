package dev.zerok.ports.relaystore;

/**
 * Relay-wide totals, as {@code /health} and {@code /metrics} report them.
 *
 * @param totalBlobs blobs stored across all groups (withheld rotten ones included, until purged)
 * @param storageBytes payload bytes stored across all groups
 * @param groupsWithData groups with at least one stored blob
 * @param rottenBlobsDetected rows found corrupt (bit rot) and withheld from pulls, over the life
 *     of the store's storage: a counter that only grows; anything above 0 means the disk under
 *     the relay is damaging data
 */
public record StoreStats(long totalBlobs, long storageBytes, long groupsWithData, long rottenBlobsDetected) {
    /** Totals with no rotten rows detected. */
    public StoreStats(long totalBlobs, long storageBytes, long groupsWithData) {
        this(totalBlobs, storageBytes, groupsWithData, 0);
    }
}
