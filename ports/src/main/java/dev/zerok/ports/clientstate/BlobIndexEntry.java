package dev.zerok.ports.clientstate;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;

/**
 * What a device knows about one blob it pulled.
 *
 * @param blob the blob id
 * @param sender the device that sealed it (authenticated by the AEAD associated data)
 * @param sequence the sender's sequence number from inside the sealed payload; 0 if it failed
 *     before the payload could be opened
 * @param relay the relay it came from
 * @param cursor its cursor on that relay
 * @param contentHash SHA-256 of the sealed bytes as received
 * @param state whether it was opened or failed
 * @param failure for {@code FAILED}: a short reason without secret or plaintext bytes; empty otherwise
 */
public record BlobIndexEntry(
        BlobId blob,
        DeviceId sender,
        long sequence,
        RelayId relay,
        Cursor cursor,
        ContentHash contentHash,
        State state,
        String failure) {

    /** Outcome of receiving a blob. */
    public enum State {
        /** Authenticated, decrypted and handed to the application. */
        RECEIVED,
        /** Decryption, hash or sequence check failed; recorded and reported, never skipped silently. */
        FAILED
    }

    public BlobIndexEntry {
        if (state == State.RECEIVED && !failure.isEmpty()) {
            throw new IllegalArgumentException("a received blob carries no failure reason");
        }
        if (state == State.FAILED && failure.isEmpty()) {
            throw new IllegalArgumentException("a failed blob needs a failure reason");
        }
    }
}
