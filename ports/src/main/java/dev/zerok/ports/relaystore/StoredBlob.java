package dev.zerok.ports.relaystore;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import java.util.Arrays;

/**
 * One row of a group's log as a pull returns it. {@link #toString()} shows no ids or bytes.
 *
 * @param cursor the relay-assigned position
 * @param blob the sender's blob id
 * @param sender the device that pushed it
 * @param payload the sealed bytes exactly as pushed
 */
public record StoredBlob(Cursor cursor, BlobId blob, DeviceId sender, byte[] payload) {
    @Override
    public boolean equals(Object o) {
        return o instanceof StoredBlob s && cursor.equals(s.cursor) && blob.equals(s.blob)
                && sender.equals(s.sender) && Arrays.equals(payload, s.payload);
    }

    @Override
    public int hashCode() {
        return cursor.hashCode() * 31 + blob.hashCode();
    }

    @Override
    public String toString() {
        return "StoredBlob[" + cursor + "]";
    }
}
