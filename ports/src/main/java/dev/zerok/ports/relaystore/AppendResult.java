package dev.zerok.ports.relaystore;

import dev.zerok.ports.id.Cursor;
import java.time.Instant;

/**
 * What {@link RelayStore#append} did: the blob is stored (now or earlier).
 *
 * @param cursor the blob's cursor (the first one, for a duplicate)
 * @param duplicate true if {@code (group, blobId)} was already stored and nothing was written
 * @param expiresAt when the blob expires, after the TTL cap was applied
 */
public record AppendResult(Cursor cursor, boolean duplicate, Instant expiresAt) implements AppendOutcome {}
