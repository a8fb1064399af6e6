package dev.zerok.ports.relaystore;

import java.util.List;

/**
 * One bounded page of a pull.
 *
 * @param blobs in strictly increasing cursor order; empty only if nothing is after the cursor
 * @param hasMore true if unexpired blobs exist after the last one in {@code blobs}
 */
public record Page(List<StoredBlob> blobs, boolean hasMore) {
    public Page {
        blobs = List.copyOf(blobs);
    }
}
