package dev.zerok.client.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.zerok.client.folder.DirectoryWatcher.Batch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(10)
class DirectoryWatcherTest {

    private static final Duration DEBOUNCE = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofSeconds(1);
    private static final Duration NO_RESCAN = Duration.ofMinutes(10);
    private static final Duration WITHIN = Duration.ofSeconds(2);

    @TempDir Path temp;
    private Path root;
    private final List<Batch> batches = new CopyOnWriteArrayList<>();
    private final List<String> problems = new CopyOnWriteArrayList<>();
    private final List<DirectoryWatcher> started = new ArrayList<>();

    @BeforeEach
    void createRoot() throws IOException {
        root = Files.createDirectory(temp.resolve("root"));
    }

    @AfterEach
    void closeWatchers() {
        started.forEach(DirectoryWatcher::close);
    }

    @Test
    void start_fileCreatedInRoot_reportedWithinTwoSeconds() throws IOException {
        start(IgnoreRules.none(), DEBOUNCE, NO_RESCAN, batches::add);

        Files.writeString(root.resolve("a.txt"), "a");

        awaitReported("a.txt");
        assertThat(batches.getFirst().fullRescan()).isFalse();
        assertThat(problems).isEmpty();
    }

    @Test
    void start_fileInDirectoryCreatedAfterStart_reported() throws IOException {
        start(IgnoreRules.none(), DEBOUNCE, NO_RESCAN, batches::add);

        Files.createDirectory(root.resolve("sub"));
        awaitReported("sub");
        Files.writeString(root.resolve("sub/c.txt"), "c");

        awaitReported("sub/c.txt");
    }

    @Test
    void start_treeMovedIn_entriesThatExistedBeforeItsWatchReported() throws IOException {
        Path outside = Files.createDirectories(temp.resolve("outside/x/y"));
        Files.writeString(outside.resolve("z.txt"), "z");
        start(IgnoreRules.none(), DEBOUNCE, NO_RESCAN, batches::add);

        Files.move(temp.resolve("outside/x"), root.resolve("x"));

        awaitReported("x", "x/y", "x/y/z.txt");
        Files.writeString(root.resolve("x/y/later.txt"), "later");
        awaitReported("x/y/later.txt");
    }

    @Test
    void start_directoryRenamedInsideTree_changesReportedUnderNewName() throws IOException {
        Files.createDirectory(root.resolve("old"));
        start(IgnoreRules.none(), DEBOUNCE, NO_RESCAN, batches::add);

        Files.move(root.resolve("old"), root.resolve("new"));
        awaitReported("old", "new");
        Files.writeString(root.resolve("new/f.txt"), "f");

        awaitReported("new/f.txt");
        assertThat(reported()).doesNotContain("old/f.txt");
        // The old name, reused, is a new directory that needs a watch of its own.
        Files.createDirectory(root.resolve("old"));
        Files.writeString(root.resolve("old/g.txt"), "g");
        awaitReported("old/g.txt");
        Files.writeString(root.resolve("old/h.txt"), "h");
        awaitReported("old/h.txt");
    }

    @Test
    void start_burstOfHundredWritesWithinDebounce_deliveredInFewBatches() throws IOException {
        start(IgnoreRules.none(), Duration.ofMillis(300), NO_RESCAN, batches::add);
        Set<String> written = new HashSet<>();

        for (int i = 0; i < 100; i++) {
            Files.writeString(root.resolve("f" + i), "x");
            written.add("f" + i);
        }

        awaitReported(written.toArray(String[]::new));
        assertThat(batches).hasSizeLessThanOrEqualTo(3);
    }

    @Test
    void start_ignoredPaths_notReported() throws IOException {
        Files.writeString(root.resolve(IgnoreRules.FILE_NAME), "*.log\nbuild/\n");
        start(IgnoreRules.load(root), DEBOUNCE, NO_RESCAN, batches::add);

        Files.writeString(root.resolve("a.log"), "ignored");
        Files.writeString(root.resolve(".a.txt.zerok-part"), "built-in ignore");
        Files.createDirectory(root.resolve("build"));
        Files.writeString(root.resolve("build/out.bin"), "ignored");
        Files.writeString(root.resolve("marker.txt"), "last");

        awaitReported("marker.txt");
        assertThat(reported()).doesNotContain("a.log", ".a.txt.zerok-part", "build", "build/out.bin");
    }

    @Test
    void start_ignoreFileChanges_rulesReloadedAndFullRescanRequested() throws IOException {
        start(IgnoreRules.load(root), DEBOUNCE, NO_RESCAN, batches::add);

        Files.writeString(root.resolve(IgnoreRules.FILE_NAME), "*.tmp\n");
        awaitReported(IgnoreRules.FILE_NAME);
        awaitCondition(() -> batches.stream().anyMatch(Batch::fullRescan), "a full rescan batch");
        Files.writeString(root.resolve("a.tmp"), "now ignored");
        Files.writeString(root.resolve("marker.txt"), "last");

        awaitReported("marker.txt");
        assertThat(reported()).doesNotContain("a.tmp");
    }

    @Test
    void start_noChanges_periodicFullRescanBatches() throws IOException {
        start(IgnoreRules.none(), DEBOUNCE, Duration.ofMillis(300), batches::add);

        awaitCondition(() -> batches.stream().filter(Batch::fullRescan).count() >= 2, "two full rescan batches");
        assertThat(batches.getFirst().changedPaths()).isEmpty();
    }

    @Test
    void close_stopsCallbacks() throws IOException, InterruptedException {
        DirectoryWatcher watcher = start(IgnoreRules.none(), DEBOUNCE, Duration.ofMillis(200), batches::add);
        Files.writeString(root.resolve("before.txt"), "x");
        awaitReported("before.txt");

        watcher.close();
        int afterClose = batches.size();
        Files.writeString(root.resolve("after.txt"), "x");

        // An absence can only be observed for a while: a running watcher would have delivered both
        // the change and at least two rescan ticks in this time.
        Thread.sleep(800);
        assertThat(batches).hasSize(afterClose);
    }

    @Test
    void start_callbackThrows_reportedAndWatcherGoesOn() throws IOException {
        AtomicInteger calls = new AtomicInteger();
        start(IgnoreRules.none(), DEBOUNCE, NO_RESCAN, batch -> {
            batches.add(batch);
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
        });

        Files.writeString(root.resolve("first.txt"), "x");
        awaitReported("first.txt");
        awaitCondition(() -> problems.stream().anyMatch(p -> p.contains("boom")), "the callback's exception reported");
        Files.writeString(root.resolve("second.txt"), "x");

        awaitReported("second.txt");
    }

    @Test
    void start_rootDeleted_problemAndFullRescan() throws IOException {
        Files.createDirectory(root.resolve("sub"));
        start(IgnoreRules.none(), DEBOUNCE, NO_RESCAN, batches::add);

        deleteTree(root);

        awaitCondition(() -> problems.stream().anyMatch(p -> p.contains("is gone")), "the root reported gone");
        awaitCondition(() -> batches.stream().anyMatch(Batch::fullRescan), "a full rescan batch");
    }

    @Test
    void start_watchLimitReached_reportedOnceAndPeriodicRescansGoOn() throws IOException {
        Files.createDirectories(root.resolve("a/b"));
        DirectoryWatcher.Registrar limited = (service, dir) -> {
            if (dir.getFileName().toString().equals("b")) {
                throw new IOException("User limit of inotify watches reached");
            }
            return dir.register(service, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
        };
        started.add(DirectoryWatcher.start(root, IgnoreRules.none(), DEBOUNCE, MAX_DELAY, Duration.ofMillis(300),
                batches::add, problems::add, limited));

        awaitCondition(() -> batches.stream().filter(Batch::fullRescan).count() >= 3, "three full rescan batches");
        assertThat(problems).singleElement().asString().contains("inotify watches", "full rescan every");
    }

    private DirectoryWatcher start(IgnoreRules ignore, Duration debounce, Duration rescanInterval, Consumer<Batch> onBatch)
            throws IOException {
        DirectoryWatcher watcher = DirectoryWatcher.start(root, ignore, debounce, MAX_DELAY, rescanInterval, onBatch,
                problems::add);
        started.add(watcher);
        return watcher;
    }

    private Set<String> reported() {
        Set<String> all = new HashSet<>();
        batches.forEach(b -> all.addAll(b.changedPaths()));
        return all;
    }

    private void awaitReported(String... paths) {
        awaitCondition(() -> reported().containsAll(List.of(paths)), "reported " + List.of(paths));
    }

    private void awaitCondition(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + WITHIN.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + WITHIN + ": " + what + "; batches " + batches + ", problems " + problems);
            }
            try {
                Thread.sleep(10);  // the poll interval of this deadline loop, not a wait for the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
