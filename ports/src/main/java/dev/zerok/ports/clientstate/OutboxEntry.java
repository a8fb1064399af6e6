package dev.zerok.ports.clientstate;

import dev.zerok.ports.id.BlobId;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;

/**
 * One sealed blob waiting in the outbox. {@link #toString()} shows no ids or bytes.
 *
 * @param blob the blob id the sealed payload is bound to
 * @param sealedPayload the bytes to push, already encrypted
 * @param createdAt when the device queued it
 * @param ttl the time to live requested from relays
 */
public record OutboxEntry(BlobId blob, byte[] sealedPayload, Instant createdAt, Duration ttl) {
    public OutboxEntry {
        sealedPayload = sealedPayload.clone();
    }

    @Override
    public byte[] sealedPayload() {
        return sealedPayload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutboxEntry e && blob.equals(e.blob) && Arrays.equals(sealedPayload, e.sealedPayload)
                && createdAt.equals(e.createdAt) && ttl.equals(e.ttl);
    }

    @Override
    public int hashCode() {
        return blob.hashCode();
    }

    @Override
    public String toString() {
        return "OutboxEntry[REDACTED]";
    }
}
