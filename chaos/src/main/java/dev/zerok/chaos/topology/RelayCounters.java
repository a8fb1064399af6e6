package dev.zerok.chaos.topology;

/**
 * What a relay did, counted at the relay since it was added (across restarts): the relay-side
 * observation for "no duplicate stored, no re-pull, transfer only what is missing".
 *
 * @param rowsStored blobs held in the relay's store now (one row per stored blob)
 * @param blobsServed blob entries the relay sent in pull responses, summed over every session
 * @param pullRequests pull requests the relay answered
 * @param rateLimited requests the relay refused with RATE_LIMITED
 */
public record RelayCounters(long rowsStored, long blobsServed, long pullRequests, long rateLimited) {}
