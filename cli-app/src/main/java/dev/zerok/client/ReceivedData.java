package dev.zerok.client;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;

/**
 * One application data blob received from another device. {@link #toString()} prints no ids or data.
 *
 * @param blob the sender's blob id
 * @param sender the device that sealed it
 * @param sequence the sender's sequence number
 * @param data the application bytes
 */
public record ReceivedData(BlobId blob, DeviceId sender, long sequence, byte[] data) {
    public ReceivedData {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public String toString() {
        return "ReceivedData[seq=" + sequence + "]";
    }
}
