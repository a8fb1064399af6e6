package dev.zerok.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.kernel.content.ConflictNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folder model end to end: three devices, an in-process relay over real QUIC on loopback,
 * each device's folder in its own directory (the acceptance of the folder-sync issue).
 */
class FoldersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private GroupHarness group;

    @BeforeEach
    void startRelay() throws Exception {
        group = GroupHarness.start(dir, Map.of());
    }

    @AfterEach
    void stopRelay() {
        group.close();
    }

    private Device device(String name) throws Exception {
        return group.device(name);
    }

    /** One reconcile pass as `zerok sync --once` does it: publish, pull, apply, publish resolutions. */
    static FolderReport sync(Device d, Path folderDir) throws Exception {
        d.folders().publish("docs", folderDir, (p, isDir) -> false, TransferProgress.NONE);
        d.awaitSynced(WAIT);
        FolderReport applied = d.folders().apply("docs", folderDir, true, false, TransferProgress.NONE);
        d.awaitSynced(WAIT);
        return applied;
    }

    @Test
    void versions345_pushedByA_endAsVersion5OnBAndC() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path b = dir.resolve("b/docs");
        Path c = dir.resolve("c/docs");
        try (Device da = device("a"); Device db = device("b"); Device dc = device("c")) {
            for (int version = 3; version <= 5; version++) {
                write(a.resolve("readme.txt"), "version " + version);
                write(a.resolve("sub/data.txt"), "data " + version);
                if (version == 4) {
                    write(a.resolve("only-in-4.txt"), "four");
                } else {
                    Files.deleteIfExists(a.resolve("only-in-4.txt"));
                }
                FolderReport published = da.folders().publish("docs", a, (p, isDir) -> false, TransferProgress.NONE);
                assertThat(published.published()).isPositive();
                da.awaitSynced(WAIT);
            }
            db.awaitSynced(WAIT);
            dc.awaitSynced(WAIT);
            db.folders().apply("docs", b, false, false, TransferProgress.NONE);
            dc.folders().apply("docs", c, false, false, TransferProgress.NONE);
            assertThat(tree(b)).isEqualTo(tree(a)).containsEntry("readme.txt", "version 5")
                    .doesNotContainKey("only-in-4.txt");
            assertThat(tree(c)).isEqualTo(tree(a));
            assertThat(Files.getLastModifiedTime(b.resolve("readme.txt")).toMillis()).as("mtime kept (to the ms)")
                    .isEqualTo(Files.getLastModifiedTime(a.resolve("readme.txt")).toMillis());
            FolderReport again = db.folders().apply("docs", b, false, false, TransferProgress.NONE);
            assertThat(again.written()).as("nothing new: nothing rewritten").isZero();
        }
    }

    @Test
    void manySmallFiles_travelAsFewPacks_countedOnTheRelay_andArriveWhole() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path b = dir.resolve("b/docs");
        int files = 600;
        for (int i = 0; i < files; i++) {
            write(a.resolve("d" + (i % 6) + "/f" + i + ".txt"), "small file " + i + " ".repeat(1000 + i));
        }
        try (Device da = device("a"); Device db = device("b")) {
            FolderReport published = da.folders().publish("docs", a, (p, isDir) -> false, TransferProgress.NONE);
            assertThat(published.chunksQueued()).isEqualTo(files);
            da.awaitSynced(WAIT);
            // ~1.6 KiB sealed each: ~1 MiB of chunks in two packs, plus the records; one blob per chunk was 600+.
            assertThat(group.relayMetric("zerok_relay_storage_blobs")).as("blobs stored on the relay").isLessThanOrEqualTo(5);
            db.awaitSynced(WAIT);
            db.folders().apply("docs", b, false, false, TransferProgress.NONE);
            Map<String, String> copy = tree(b);
            assertThat(copy.size()).as("files and their 6 directories").isEqualTo(files + 6);
            assertThat(copy.equals(tree(a))).as("every file's content on B equals A's").isTrue();
            assertThat(db.chunksReceived()).isGreaterThanOrEqualTo(files);
            assertThat(db.chunkPackErrors()).isZero();
        }
    }

    @Test
    void malformedPackFromAMember_countedAndSkipped_laterFilesStillArrive() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path b = dir.resolve("b/docs");
        try (Device da = device("a"); Device db = device("b")) {
            // A member's bug: a CHUNKS payload that is not a pack (a MessagePack string, not an array of bin).
            da.awaitQueued(da.client().push(dev.zerok.kernel.sync.SyncPayload.Kind.CHUNKS, new byte[] {(byte) 0xa1, 'x'}));
            da.awaitSynced(WAIT);
            write(a.resolve("after.txt"), "published after the bad pack");
            FolderReport published = da.folders().publish("docs", a, (p, isDir) -> false, TransferProgress.NONE);
            assertThat(published.published()).isEqualTo(1);
            da.awaitSynced(WAIT);
            db.awaitSynced(WAIT);
            assertThat(db.chunkPackErrors()).as("the bad pack, counted on B").isEqualTo(1);
            db.folders().apply("docs", b, false, false, TransferProgress.NONE);
            assertThat(tree(b)).containsEntry("after.txt", "published after the bad pack");
        }
    }

    @Test
    void concurrentEdits_oneWinnerAndOneConflictCopyOnAllThree_andDeletionPropagates() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path b = Files.createDirectories(dir.resolve("b/docs"));
        Path c = Files.createDirectories(dir.resolve("c/docs"));
        write(a.resolve("notes.txt"), "base");
        write(a.resolve("gone.txt"), "to be deleted");
        try (Device da = device("a"); Device dc = device("c")) {
            sync(da, a);
            try (Device db = device("b")) {
                sync(db, b);
            }
            sync(dc, c);
            assertThat(tree(c)).containsEntry("notes.txt", "base");
            // B edits while offline; A edits the same file, later in time, and C deletes another.
            write(b.resolve("notes.txt"), "edited on B");
            Files.setLastModifiedTime(b.resolve("notes.txt"), FileTime.fromMillis(1_700_000_000_000L));
            write(a.resolve("notes.txt"), "edited on A");
            Files.setLastModifiedTime(a.resolve("notes.txt"), FileTime.fromMillis(1_700_000_100_000L));
            sync(da, a);
            Files.delete(c.resolve("gone.txt"));
            sync(dc, c);
            try (Device db = device("b")) {
                sync(db, b);
                sync(db, b);
            }
            sync(da, a);
            sync(dc, c);
            try (Device db = device("b")) {
                sync(db, b);
            }
            Map<String, String> expected = tree(a);
            assertThat(expected).containsEntry("notes.txt", "edited on A").doesNotContainKey("gone.txt");
            assertThat(expected.keySet()).filteredOn(ConflictNames::isConflictCopy).singleElement()
                    .satisfies(copy -> assertThat(expected.get(copy)).isEqualTo("edited on B"));
            assertThat(tree(b)).isEqualTo(expected);
            assertThat(tree(c)).isEqualTo(expected);
        }
    }

    @Test
    void twoLosingEditsFromOneDeviceInOneSecond_bothKeptAsConflictCopies() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path b = Files.createDirectories(dir.resolve("b/docs"));
        write(a.resolve("f.txt"), "base");
        long second = 1_700_000_000_000L;
        try (Device da = device("a")) {
            sync(da, a);
            try (Device db = device("b")) {
                sync(db, b);
            }
            for (int round = 1; round <= 2; round++) {
                write(b.resolve("f.txt"), "B's edit " + round); // made offline, in the same second both rounds
                Files.setLastModifiedTime(b.resolve("f.txt"), FileTime.fromMillis(second + 100 * round));
                write(a.resolve("f.txt"), "A's edit " + round);
                Files.setLastModifiedTime(a.resolve("f.txt"), FileTime.fromMillis(second + 100_000 * round));
                sync(da, a);
                try (Device db = device("b")) {
                    sync(db, b);
                }
                sync(da, a);
            }
            try (Device db = device("b")) {
                sync(db, b);
            }
        }
        Map<String, String> onA = tree(a);
        assertThat(onA).containsEntry("f.txt", "A's edit 2");
        assertThat(onA.values()).as("no losing edit is lost").contains("B's edit 1", "B's edit 2");
        assertThat(tree(b)).isEqualTo(onA);
    }

    @Test
    void apply_untrackedLocalFile_isNeverOverwritten() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path b = Files.createDirectories(dir.resolve("b/docs"));
        write(a.resolve("same-name.txt"), "from A");
        write(b.resolve("same-name.txt"), "mine, not zerok's");
        try (Device da = device("a"); Device db = device("b")) {
            da.folders().publish("docs", a, (p, isDir) -> false, TransferProgress.NONE);
            da.awaitSynced(WAIT);
            db.awaitSynced(WAIT);
            FolderReport report = db.folders().apply("docs", b, false, false, TransferProgress.NONE);
            assertThat(report.refused()).singleElement().asString().startsWith("same-name.txt: ");
            assertThat(read(b.resolve("same-name.txt"))).isEqualTo("mine, not zerok's");
        }
    }

    @Test
    void apply_symlinkedParentInTarget_isNotFollowed() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path b = Files.createDirectories(dir.resolve("b/docs"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        write(a.resolve("sub/file.txt"), "x");
        Files.createSymbolicLink(b.resolve("sub"), outside);
        try (Device da = device("a"); Device db = device("b")) {
            da.folders().publish("docs", a, (p, isDir) -> false, TransferProgress.NONE);
            da.awaitSynced(WAIT);
            db.awaitSynced(WAIT);
            FolderReport report = db.folders().apply("docs", b, false, false, TransferProgress.NONE);
            assertThat(report.refused()).anySatisfy(r -> assertThat(r).startsWith("sub"));
            try (Stream<Path> s = Files.list(outside)) {
                assertThat(s).isEmpty();
            }
        }
    }

    /** More files than two write batches hold, across directories: every one lands whole, mtime kept, no temp left. */
    @Test
    void apply_moreFilesThanTwoBatches_allLandIntact() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path b = dir.resolve("b/docs");
        int files = 2 * Folders.WRITE_BATCH_FILES + 17;
        for (int i = 0; i < files; i++) {
            write(a.resolve("d" + (i % 7) + "/f" + i + ".txt"), "file " + i + " ".repeat(i % 50));
        }
        try (Device da = device("a"); Device db = device("b")) {
            da.folders().publish("docs", a, (p, isDir) -> false, TransferProgress.NONE);
            da.awaitSynced(WAIT);
            db.awaitSynced(WAIT);
            FolderReport report = db.folders().apply("docs", b, false, false, TransferProgress.NONE);
            assertThat(report.refused()).isEmpty();
            assertThat(report.written()).isEqualTo(files + 7); // the files and their 7 directories
            assertThat(tree(b)).isEqualTo(tree(a)).hasSize(files + 7);
            for (int i = 0; i < files; i += 97) {
                Path rel = Path.of("d" + (i % 7), "f" + i + ".txt");
                assertThat(Files.getLastModifiedTime(b.resolve(rel)).toMillis()).as("mtime of " + rel)
                        .isEqualTo(Files.getLastModifiedTime(a.resolve(rel)).toMillis());
            }
            try (Stream<Path> all = Files.walk(b)) {
                assertThat(all.filter(p -> p.getFileName().toString().endsWith(".zerok-part"))).isEmpty();
            }
        }
    }

    /**
     * The sixth of ten files in one batch cannot be written (a directory sits where its temp file
     * goes): apply fails naming it, the five before it are written and indexed, it and the four
     * after it are not renamed and leave no temp file; once the obstacle is gone the next apply
     * writes only those five.
     */
    @Test
    void apply_oneFileOfABatchFails_filesBeforeItWritten_itAndLaterNotRenamed() throws Exception {
        Path a = Files.createDirectories(dir.resolve("a/docs"));
        Path b = Files.createDirectories(dir.resolve("b/docs"));
        for (int i = 0; i < 10; i++) {
            write(a.resolve("f" + i + ".txt"), "content " + i);
        }
        Path obstacle = Files.createDirectories(b.resolve(".f5.txt.zerok-part/inside"));
        try (Device da = device("a"); Device db = device("b")) {
            da.folders().publish("docs", a, (p, isDir) -> false, TransferProgress.NONE);
            da.awaitSynced(WAIT);
            db.awaitSynced(WAIT);
            assertThatThrownBy(() -> db.folders().apply("docs", b, false, false, TransferProgress.NONE))
                    .isInstanceOfSatisfying(DeviceException.class,
                            e -> assertThat(e.code()).isEqualTo(DeviceException.Code.IO))
                    .hasMessageContaining("writing " + b.resolve("f5.txt") + " failed");
            Map<String, String> expectedFirst = new TreeMap<>();
            for (int i = 0; i < 5; i++) {
                expectedFirst.put("f" + i + ".txt", "content " + i);
            }
            expectedFirst.put(".f5.txt.zerok-part", "<dir>");
            expectedFirst.put(".f5.txt.zerok-part/inside", "<dir>");
            assertThat(tree(b)).isEqualTo(expectedFirst);

            Files.delete(obstacle);
            Files.delete(obstacle.getParent());
            FolderReport again = db.folders().apply("docs", b, false, false, TransferProgress.NONE);
            assertThat(again.written()).as("the five written before the failure were indexed").isEqualTo(5);
            assertThat(again.refused()).isEmpty();
            assertThat(tree(b)).isEqualTo(tree(a));
        }
    }

    static void write(Path file, String text) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    static String read(Path file) throws Exception {
        return Files.readString(file);
    }

    /** Path to content ("<dir>" for a directory, "-> target" for a link), zerok's temp files excluded. */
    static Map<String, String> tree(Path root) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(p -> !p.equals(root)).toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    out.put(rel, "<dir>");
                } else {
                    out.put(rel, new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }
}
