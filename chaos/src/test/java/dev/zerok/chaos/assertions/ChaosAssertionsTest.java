package dev.zerok.chaos.assertions;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.chaos.assertions.FakeTopology.FakeDevice;
import dev.zerok.chaos.assertions.FakeTopology.FakeGroup;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChaosAssertionsTest {
    private static final byte[] CANARY = "canary-0123456789".getBytes(StandardCharsets.US_ASCII);

    @TempDir Path dir;
    private FakeTopology t;
    private FakeDevice a;
    private FakeDevice b;
    private final BlobId blob = new BlobId(filled(BlobId.LENGTH, 7));
    private final byte[] content = "some content".getBytes(StandardCharsets.US_ASCII);

    private static byte[] filled(int n, int v) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) v);
        return out;
    }

    @BeforeEach
    void goodState() {
        t = new FakeTopology();
        t.addRelay();
        FakeGroup g = new FakeGroup(new GroupId(filled(GroupId.LENGTH, 1)));
        a = new FakeDevice("device-1", g, new DeviceId(filled(DeviceId.LENGTH, 2)));
        b = new FakeDevice("device-2", g, new DeviceId(filled(DeviceId.LENGTH, 3)));
        t.devices.add(a);
        t.devices.add(b);
        a.pushed.put(blob, content);
        b.received.put(blob, content.clone());
        a.vector = VersionVector.EMPTY.with(a.id, 1);
        b.vector = VersionVector.EMPTY.with(a.id, 1);
        t.logLines.add("INFO relay - connection 1: accepted");
    }

    @Test
    void everyCheck_goodState_passes() throws Exception {
        Path file = Files.write(dir.resolve("relay.db"), new byte[] {1, 2, 3});
        t.storageFiles.add(file);
        t.frames.add(new byte[] {9, 9, 9});
        assertThatCode(() -> {
            ChaosAssertions.assertBlobPresent(b, blob, content);
            ChaosAssertions.assertNoDataLoss(t);
            ChaosAssertions.assertVersionVectorsConverged(t);
            ChaosAssertions.assertStateConverged(t);
            ChaosAssertions.assertNoBlobFailures(t);
            ChaosAssertions.assertNoPlaintextAtRelay(t, CANARY);
            ChaosAssertions.assertNoMetadataInRelayLogs(t);
        }).doesNotThrowAnyException();
    }

    @Test
    void assertBlobPresent_missing_fails() {
        b.received.clear();
        assertThatThrownBy(() -> ChaosAssertions.assertBlobPresent(b, blob, content)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("does not have");
    }

    @Test
    void assertBlobPresent_otherBytes_fails() {
        b.received.put(blob, "Some content".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> ChaosAssertions.assertBlobPresent(b, blob, content)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("silent corruption");
    }

    @Test
    void assertNoDataLoss_blobMissingOnOneDevice_fails() {
        b.received.clear();
        assertThatThrownBy(() -> ChaosAssertions.assertNoDataLoss(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("device-2 is missing 1 of 1");
    }

    @Test
    void assertNoDataLoss_corruptedCopy_fails() {
        byte[] flipped = content.clone();
        flipped[0] ^= 1;
        b.received.put(blob, flipped);
        assertThatThrownBy(() -> ChaosAssertions.assertNoDataLoss(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("differ");
    }

    @Test
    void assertNoDataLoss_blobNobodyPushed_fails() {
        b.received.put(new BlobId(filled(BlobId.LENGTH, 8)), content);
        assertThatThrownBy(() -> ChaosAssertions.assertNoDataLoss(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("nobody");
    }

    @Test
    void assertVersionVectorsConverged_differentVectors_fails() {
        b.vector = VersionVector.EMPTY;
        assertThatThrownBy(() -> ChaosAssertions.assertVersionVectorsConverged(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("version vectors differ");
    }

    @Test
    void assertStateConverged_blobMissingButVectorsEqual_fails() {
        b.received.clear(); // version vectors still equal: only the manifest shows the gap
        assertThatCode(() -> ChaosAssertions.assertVersionVectorsConverged(t)).doesNotThrowAnyException();
        assertThatThrownBy(() -> ChaosAssertions.assertStateConverged(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("device-2's collection is incomplete (0 of 1 blobs)");
    }

    @Test
    void assertStateConverged_otherBytesInManifest_fails() {
        b.received.put(blob, "other bytes!".getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> ChaosAssertions.assertStateConverged(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("device-2's manifest has other bytes");
    }

    @Test
    void assertStateConverged_extraBlob_fails() {
        b.received.put(new BlobId(filled(BlobId.LENGTH, 9)), content.clone());
        assertThatThrownBy(() -> ChaosAssertions.assertStateConverged(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("device-2's manifest has 1 blob(s) no member pushed");
    }

    @Test
    void assertStateConverged_vectorsDiffer_fails() {
        b.vector = VersionVector.EMPTY.with(a.id, 2);
        assertThatThrownBy(() -> ChaosAssertions.assertStateConverged(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("device-2's version vector differs");
    }

    @Test
    void assertNoBlobFailures_failedBlob_fails() {
        b.events.add(new SyncEvent.BlobFailed(new BlobIndexEntry(blob, a.id, 1,
                new dev.zerok.ports.id.RelayId(filled(32, 4)), new dev.zerok.ports.id.Cursor(1),
                new dev.zerok.ports.id.ContentHash(filled(32, 5)), BlobIndexEntry.State.FAILED, "does not open")));
        assertThatThrownBy(() -> ChaosAssertions.assertNoBlobFailures(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("failed blobs");
    }

    @Test
    void assertNoPlaintextAtRelay_canaryInStorageFile_fails() throws Exception {
        byte[] db = new byte[100];
        System.arraycopy(CANARY, 0, db, 40, CANARY.length);
        t.storageFiles.add(Files.write(dir.resolve("relay.db-wal"), db));
        assertThatThrownBy(() -> ChaosAssertions.assertNoPlaintextAtRelay(t, CANARY)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("storage file");
    }

    @Test
    void assertNoPlaintextAtRelay_canaryHexInLog_fails() {
        t.logLines.add("DEBUG relay - payload " + HexFormat.of().formatHex(CANARY));
        assertThatThrownBy(() -> ChaosAssertions.assertNoPlaintextAtRelay(t, CANARY)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("log line");
    }

    @Test
    void assertNoPlaintextAtRelay_canaryInFrame_fails() {
        byte[] frame = new byte[64];
        System.arraycopy(CANARY, 0, frame, 3, CANARY.length);
        t.frames.add(frame);
        assertThatThrownBy(() -> ChaosAssertions.assertNoPlaintextAtRelay(t, CANARY)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("frame");
    }

    @Test
    void assertNoMetadataInRelayLogs_groupIdHex_fails() {
        t.logLines.add("DEBUG relay - group " + HexFormat.of().formatHex(filled(GroupId.LENGTH, 1)));
        assertThatThrownBy(() -> ChaosAssertions.assertNoMetadataInRelayLogs(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("group id");
    }

    @Test
    void assertNoMetadataInRelayLogs_deviceIdUpperHex_fails() {
        t.logLines.add("DEBUG relay - device " + HexFormat.of().withUpperCase().formatHex(filled(DeviceId.LENGTH, 0xab)));
        FakeDevice c = new FakeDevice("device-3", a.group(), new DeviceId(filled(DeviceId.LENGTH, 0xab)));
        t.devices.add(c);
        c.vector = a.vector;
        c.received.put(blob, content);
        assertThatThrownBy(() -> ChaosAssertions.assertNoMetadataInRelayLogs(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("device id");
    }

    @Test
    void assertNoMetadataInRelayLogs_blobId_fails() {
        t.logLines.add("TRACE relay - stored " + HexFormat.of().formatHex(blob.bytes()));
        assertThatThrownBy(() -> ChaosAssertions.assertNoMetadataInRelayLogs(t)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("blob id");
    }
}
