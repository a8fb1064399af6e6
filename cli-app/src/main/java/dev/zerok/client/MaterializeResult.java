package dev.zerok.client;

/**
 * What {@link Device#materialize} wrote.
 *
 * @param files regular files written, each verified chunk by chunk
 * @param bytes plaintext bytes written
 * @param chunksRefetched chunks found damaged in the local store (bit rot) and fetched again from
 *     the relays before use
 */
public record MaterializeResult(int files, long bytes, int chunksRefetched) {}
