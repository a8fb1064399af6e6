package dev.zerok.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.blob.BlobStoreException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

/** How the device's inbox recognises a full disk, so its INBOX_FAILED status says so. */
class DeviceDiskFullTest {
    @Test
    void diskFull_enospcOrBlobStoreFull_true_otherFailures_false() {
        assertThat(Device.diskFull(new IOException("No space left on device"))).isTrue();
        assertThat(Device.diskFull(new FileSystemException("/x/y.part", null, "No space left on device"))).isTrue();
        assertThat(Device.diskFull(new BlobStoreException(BlobStoreException.Code.FULL, "full"))).isTrue();
        assertThat(Device.diskFull(new BlobStoreException(BlobStoreException.Code.IO, "io"))).isFalse();
        assertThat(Device.diskFull(new FileSystemException("/x/y.part", null, "Permission denied"))).isFalse();
        assertThat(Device.diskFull(new IOException())).isFalse();
    }
}
