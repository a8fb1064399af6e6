package dev.zerok.kernel.sync;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import java.util.Arrays;
import java.util.Objects;

/**
 * One authenticated, decrypted blob for the application. {@link #toString()} prints no ids or
 * data.
 *
 * @param blob the sender's blob id (the application's key for recognising a repeated delivery)
 * @param sender the device that sealed it, authenticated by the AEAD associated data
 * @param sequence the sender's sequence number from inside the sealed payload
 * @param kind what the data is
 * @param data the application bytes
 */
public record DeliveredBlob(BlobId blob, DeviceId sender, long sequence, SyncPayload.Kind kind, byte[] data) {
    public DeliveredBlob {
        Objects.requireNonNull(blob, "blob");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(kind, "kind");
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeliveredBlob d && blob.equals(d.blob) && sender.equals(d.sender) && sequence == d.sequence
                && kind == d.kind && Arrays.equals(data, d.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(blob, sender, sequence, kind, Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "DeliveredBlob[seq=" + sequence + ", " + data.length + " bytes]";
    }
}
