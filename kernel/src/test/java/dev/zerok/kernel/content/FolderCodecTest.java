package dev.zerok.kernel.content;

import static dev.zerok.kernel.content.FolderStateTest.device;
import static dev.zerok.kernel.content.FolderStateTest.file;
import static dev.zerok.kernel.content.FolderStateTest.vv;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class FolderCodecTest {
    private static final FolderCodec.Records SAMPLE = new FolderCodec.Records("photos", List.of(
            file("a/b.jpg", 3, 1_700_000_000_000L, vv(device(1), 4, device(2), 1), device(2)),
            FileRecord.directory("a", 0755, 5, vv(device(1), 1), device(1)),
            FileRecord.symlink("a/link", "../elsewhere", 6, vv(device(1), 2), device(1)),
            FileRecord.tombstone("old.txt", FileRecord.Type.FILE, 7, vv(device(3), 9), device(3))));

    @Test
    void decode_encodedRecords_roundTrips() throws Exception {
        assertThat(FolderCodec.decode(FolderCodec.encode(SAMPLE))).isEqualTo(SAMPLE);
        assertThat(FolderCodec.decode(FolderCodec.encode(new FolderCodec.SnapshotRequest())))
                .isEqualTo(new FolderCodec.SnapshotRequest());
    }

    @Test
    void decode_everyTruncation_contentException() {
        byte[] bytes = FolderCodec.encode(SAMPLE);
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> FolderCodec.decode(cut)).isInstanceOf(ContentException.class);
        }
    }

    @Test
    void decode_trailingByte_trailingBytes() {
        byte[] bytes = Arrays.copyOf(FolderCodec.encode(SAMPLE), FolderCodec.encode(SAMPLE).length + 1);
        assertThat(catchThrowable(() -> FolderCodec.decode(bytes)))
                .isInstanceOfSatisfying(ContentException.class, e -> assertThat(e.code()).isEqualTo(ContentException.Code.TRAILING_BYTES));
    }

    @Test
    void decode_pathEscapingFolder_badPath() {
        byte[] bytes = FolderCodec.encode(SAMPLE);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).replace("a/b.jpg", "../b.jp");
        byte[] hostile = text.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(catchThrowable(() -> FolderCodec.decode(hostile)))
                .isInstanceOfSatisfying(ContentException.class, e -> assertThat(e.code()).isEqualTo(ContentException.Code.BAD_PATH));
    }

    @Property(tries = 2000)
    void decode_arbitraryBytes_onlyContentException(@ForAll @Size(max = 64) byte[] bytes) {
        Throwable t = catchThrowable(() -> FolderCodec.decode(bytes));
        assertThat(t).isInstanceOf(ContentException.class);
    }

    @Property(tries = 1000)
    void decode_flippedByte_onlyContentExceptionOrValid(@ForAll int position, @ForAll byte value) {
        byte[] bytes = FolderCodec.encode(SAMPLE);
        bytes[Math.floorMod(position, bytes.length)] = value;
        Throwable t = catchThrowable(() -> FolderCodec.decode(bytes));
        assertThat(t == null || t instanceof ContentException).as(String.valueOf(t)).isTrue();
    }

    @Test
    void conflictNames_syncthingConvention() {
        FileRecord loser = file("docs/report.txt", 1, Instant.parse("2026-11-27T04:05:12Z").toEpochMilli(),
                vv(device(10), 1), device(10));
        assertThat(ConflictNames.copyPath(loser)).isEqualTo("docs/report.sync-conflict-20261127-040512-AAAAAAA.txt");
        FileRecord dotFile = loser.moved(".bashrc", loser.version(), loser.modifiedBy());
        assertThat(ConflictNames.copyPath(dotFile)).isEqualTo(".bashrc.sync-conflict-20261127-040512-AAAAAAA");
        assertThat(ConflictNames.isConflictCopy(ConflictNames.copyPath(loser))).isTrue();
        assertThat(ConflictNames.isConflictCopy("docs/report.txt")).isFalse();
        assertThat(ConflictNames.uniqueCopyPath(loser))
                .isEqualTo("docs/report.sync-conflict-20261127-040512-AAAAAAA-01010101.txt");
    }
}
