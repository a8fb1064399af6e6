package dev.zerok.ports.relaystore;

/**
 * Relay-wide totals, as {@code /health} reports them.
 *
 * @param totalBlobs blobs stored across all groups
 * @param storageBytes payload bytes stored across all groups
 * @param groupsWithData groups with at least one stored blob
 */
public record StoreStats(long totalBlobs, long storageBytes, long groupsWithData) {}
