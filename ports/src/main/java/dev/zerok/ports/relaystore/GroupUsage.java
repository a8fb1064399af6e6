package dev.zerok.ports.relaystore;

/**
 * @param blobCount unexpired blobs stored for the group
 * @param storedBytes payload bytes charged to the group's quota
 */
public record GroupUsage(long blobCount, long storedBytes) {}
