package dev.zerok.client;

/**
 * What {@link Device#materialize} wrote.
 *
 * @param files regular files written, each verified chunk by chunk
 * @param bytes plaintext bytes written
 */
public record MaterializeResult(int files, long bytes) {}
