package dev.zerok.kernel.content;

import static dev.zerok.kernel.content.ManifestCodecTest.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.kernel.content.ContentException.Code;
import dev.zerok.ports.id.ContentHash;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class ManifestTest {
    private static final Instant AT = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final int CHUNK = ChunkSealer.CHUNK_BYTES;

    @Test
    void chunkCount_boundaries_ceilingOfSizeOverChunkBytes() {
        assertThat(Manifest.chunkCount(0)).isZero();
        assertThat(Manifest.chunkCount(1)).isEqualTo(1);
        assertThat(Manifest.chunkCount(CHUNK)).isEqualTo(1);
        assertThat(Manifest.chunkCount(CHUNK + 1L)).isEqualTo(2);
        assertThat(Manifest.chunkCount(Long.MAX_VALUE)).isEqualTo(8_796_093_022_208L);
        assertThatThrownBy(() -> Manifest.chunkCount(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void convenience_totalBytesFileCountAndDistinctChunksInOrderOfFirstAppearance() {
        Manifest m = new Manifest("n", AT, List.of(
                Manifest.Entry.directory("d", 0755),
                Manifest.Entry.file("d/two", 0644, CHUNK + 10L, List.of(address(2), address(1))),
                Manifest.Entry.file("same", 0644, 3L * CHUNK, List.of(address(3), address(3), address(2))),
                Manifest.Entry.file("empty", 0644, 0, List.of())));
        assertThat(m.totalBytes()).isEqualTo(4L * CHUNK + 10);
        assertThat(m.fileCount()).isEqualTo(3);
        assertThat(m.distinctChunks()).containsExactly(address(2), address(1), address(3));
        assertThatThrownBy(() -> m.distinctChunks().add(address(9))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void constructor_badPaths_illegalArgumentCodedBadPath() {
        for (String path : List.of("../x", "/abs", "a//b", "a/./b", "a\u0000b", "a\\b", "a/", "", ".", "..", "a/..",
                "\ud800x")) {
            assertRejected(Code.BAD_PATH, () -> Manifest.Entry.directory(path, 0755));
        }
        assertRejected(Code.TOO_LARGE, () -> Manifest.Entry.directory("p".repeat(Manifest.MAX_PATH_BYTES + 1), 0755));
        assertThat(Manifest.Entry.directory("é".repeat(Manifest.MAX_PATH_BYTES / 2), 0755).path()).hasSize(2048);
        assertThat(Manifest.Entry.directory("..a/b../.c/c.", 0755).path()).isEqualTo("..a/b../.c/c.");
    }

    @Test
    void constructor_badNames_illegalArgumentCoded() {
        for (String name : List.of("", "a/b", "nul\u0000", ".", "..", "\udc00")) {
            assertRejected(Code.BAD_NAME, () -> new Manifest(name, AT, List.of()));
        }
        assertRejected(Code.TOO_LARGE, () -> new Manifest("é".repeat(128), AT, List.of()));
        assertThat(new Manifest("é".repeat(127) + "x", AT, List.of()).name()).hasSize(128);
    }

    @Test
    void constructor_entryContradictions_invalidValue() {
        assertRejected(Code.INVALID_VALUE, () -> Manifest.Entry.file("f", 0644, 1, List.of()));
        assertRejected(Code.INVALID_VALUE, () -> Manifest.Entry.file("f", 0644, 0, List.of(address(1))));
        assertRejected(Code.INVALID_VALUE, () -> Manifest.Entry.file("f", 0644, CHUNK + 1L, List.of(address(1))));
        assertRejected(Code.INVALID_VALUE, () -> Manifest.Entry.file("f", 0644, -1, List.of()));
        assertRejected(Code.INVALID_VALUE, () -> new Manifest.Entry("d", Manifest.Type.DIRECTORY, 0755, 1, List.of()));
        assertRejected(Code.INVALID_VALUE,
                () -> new Manifest.Entry("d", Manifest.Type.DIRECTORY, 0755, 0, List.of(address(1))));
        assertRejected(Code.INVALID_VALUE, () -> Manifest.Entry.directory("d", 010000));
        assertRejected(Code.INVALID_VALUE, () -> Manifest.Entry.directory("d", -1));
        assertThat(Manifest.Entry.directory("d", 07777).mode()).isEqualTo(07777);
    }

    @Test
    void constructor_duplicatePathsOrFileUsedAsDirectory_duplicatePath() {
        assertRejected(Code.DUPLICATE_PATH, () -> new Manifest("n", AT,
                List.of(Manifest.Entry.directory("a", 0755), Manifest.Entry.file("a", 0644, 0, List.of()))));
        assertRejected(Code.DUPLICATE_PATH, () -> new Manifest("n", AT,
                List.of(Manifest.Entry.file("a", 0644, 0, List.of()), Manifest.Entry.directory("a/b/c", 0755))));
        assertThat(new Manifest("n", AT, List.of(Manifest.Entry.file("ab", 0644, 0, List.of()),
                Manifest.Entry.directory("a/b", 0755))).entries()).hasSize(2);
    }

    @Test
    void constructor_moreThanMaxEntries_tooLarge() {
        List<Manifest.Entry> tooMany = Collections.nCopies(Manifest.MAX_ENTRIES + 1, Manifest.Entry.directory("d", 0755));
        assertRejected(Code.TOO_LARGE, () -> new Manifest("n", AT, tooMany));
    }

    @Test
    void constructor_createdAt_truncatedToMillisAndBoundedToTheEncodableRange() {
        assertThat(new Manifest("n", AT.plusNanos(999_999), List.of()).createdAt()).isEqualTo(AT);
        assertRejected(Code.INVALID_VALUE, () -> new Manifest("n", Instant.EPOCH.minusNanos(1), List.of()));
        assertRejected(Code.INVALID_VALUE, () -> new Manifest("n", Instant.ofEpochMilli(Long.MAX_VALUE).plusMillis(1), List.of()));
        assertThat(new Manifest("n", Instant.ofEpochMilli(Long.MAX_VALUE), List.of()).createdAt().toEpochMilli())
                .isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void records_copyTheirLists() {
        List<ContentHash> chunks = new ArrayList<>(List.of(address(1)));
        Manifest.Entry e = Manifest.Entry.file("f", 0644, 1, chunks);
        chunks.add(address(2));
        assertThat(e.chunks()).containsExactly(address(1));
        List<Manifest.Entry> entries = new ArrayList<>(List.of(e));
        Manifest m = new Manifest("n", AT, entries);
        entries.clear();
        assertThat(m.entries()).containsExactly(e);
    }

    @Test
    void toString_showsCountsButNoNamesPathsOrAddresses() {
        Manifest m = new Manifest("secret-name", AT, List.of(Manifest.Entry.file("private/path.txt", 0644, 5, List.of(address(4)))));
        assertThat(m.toString()).isEqualTo("Manifest[1 entries, 1 files, 5 bytes]");
        assertThat(m.entries().get(0).toString()).doesNotContain("private").doesNotContain(address(4).hex());
    }

    private static void assertRejected(Code code, ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(IllegalArgumentException.class)
                .cause().isInstanceOfSatisfying(ContentException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
