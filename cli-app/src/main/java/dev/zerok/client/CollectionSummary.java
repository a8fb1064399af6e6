package dev.zerok.client;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;

/**
 * A collection (a pushed file or directory) this device knows of.
 *
 * @param id the blob id of its manifest
 * @param name the pushed file's or directory's name
 * @param sender the device that pushed it
 * @param files regular files listed
 * @param bytes plaintext bytes of all files
 * @param chunksPresent distinct chunks held locally
 * @param chunksTotal distinct chunks listed
 * @param complete true only if every listed chunk is held: a partial collection is never complete
 * @param createdAt when the sender built the manifest (the epoch if it does not parse)
 */
public record CollectionSummary(BlobId id, String name, DeviceId sender, int files, long bytes, int chunksPresent,
        int chunksTotal, boolean complete, java.time.Instant createdAt) {}
