package dev.zerok.ports.relaystore;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.time.Duration;
import java.util.Objects;

/**
 * One blob to append, an element of {@link RelayStore#appendAll}: the arguments of
 * {@link RelayStore#append} other than the time.
 *
 * @param group the authenticated group of the pushing session
 * @param sender the authenticated device that pushed
 * @param blob the sender-chosen blob id
 * @param payload the sealed bytes, 1 byte or more; copied on construction, stored as-is, never interpreted
 * @param ttl requested time to live, positive; values above the store's cap are lowered to the cap
 */
public record AppendRequest(GroupId group, DeviceId sender, BlobId blob, byte[] payload, Duration ttl) {
    /**
     * @throws IllegalArgumentException if {@code payload} is empty or {@code ttl} is not positive
     * @throws NullPointerException if an argument is null
     */
    public AppendRequest {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(ttl, "ttl");
        if (payload.length == 0) {
            throw new IllegalArgumentException("a payload has at least one byte");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        payload = payload.clone();
    }

    /** Without ids or payload bytes. */
    @Override
    public String toString() {
        return "AppendRequest[" + payload.length + " bytes]";
    }
}
