package dev.zerok.client;

import dev.zerok.ports.id.BlobId;

/**
 * What a push queued. Everything counted here is durable in the outbox when the receipt exists.
 *
 * @param blob the blob id of the data blob or of the collection's manifest
 * @param files regular files in the collection (1 for a single file, 0 for data)
 * @param bytes plaintext bytes pushed
 * @param chunksQueued chunks sealed and queued for the relays
 * @param chunksDeduplicated chunks the device already held (pushed or received before), not queued again
 */
public record PushReceipt(BlobId blob, int files, long bytes, int chunksQueued, int chunksDeduplicated) {}
