package dev.zerok.client.folder;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Watches a folder tree for changes and reports them in debounced batches, with a periodic full
 * rescan as a fallback for changes the operating system does not report.
 *
 * <h2>What is reported</h2>
 * Paths relative to the root, {@code '/'}-separated (as {@link IgnoreRules#ignored} takes them), of
 * entries created, modified or deleted, files and directories alike. A batch is a hint, not a
 * diff: the receiver compares each path with its index. When a directory appears, the directory
 * and every entry found below it are reported (entries may have been created before the watch on
 * the new directory was in place). A deleted or moved-away directory is reported as its own path
 * only; its former contents are not listed. Paths {@link IgnoreRules} ignores are not reported,
 * and ignored directories are not watched. The watcher does not report what exists at start:
 * start it first, then scan the folder, so that nothing changed during the scan is lost.
 *
 * <h2>Full rescans</h2>
 * A batch with {@link Batch#fullRescan()} set asks the receiver to compare the whole tree. It
 * comes (a) every {@code rescanInterval} after the previous full rescan, for file systems whose
 * changes the kernel does not see (network mounts, FUSE); (b) when the kernel's event queue
 * overflowed; (c) when a {@value IgnoreRules#FILE_NAME} changed, since the set of synced paths
 * changed with it; (d) when the watch limit was hit; (e) when the root disappeared. Its
 * {@code changedPaths} may still list the paths seen before it.
 *
 * <h2>Timing</h2>
 * Changes are delivered once the tree has been quiet for {@code debounce}, and at most
 * {@code maxDelay} after the first change of the batch, however busy the tree is.
 *
 * <h2>Failures</h2>
 * Problems are reported as one-line messages to {@code onProblem}, never thrown: a callback that
 * threw, an unreadable directory, an ignore file that no longer loads (the previous rules stay),
 * the root disappearing (the watcher then waits for it to come back at each rescan tick). If the
 * kernel's limit on watches is reached ({@code fs.inotify.max_user_watches} on Linux), the watcher
 * says so once and falls back to periodic full rescans only, for the rest of its life.
 *
 * <h2>Threading</h2>
 * One daemon thread of its own runs the watch, and both callbacks run on it, one at a time: a slow
 * {@code onBatch} delays the next batch (changes keep being collected meanwhile). Exceptions
 * thrown by {@code onBatch} are reported to {@code onProblem} and the watcher goes on; exceptions
 * thrown by {@code onProblem} are dropped. {@link #close()} may be called from any thread.
 */
public final class DirectoryWatcher implements AutoCloseable {

    /**
     * One delivery.
     *
     * @param changedPaths paths relative to the root that changed, {@code '/'}-separated, in no
     *     particular order; may be empty when {@code fullRescan} is set
     * @param fullRescan whether the receiver must compare the whole tree, not just the listed paths
     */
    public record Batch(Set<String> changedPaths, boolean fullRescan) {
        public Batch {
            changedPaths = Set.copyOf(changedPaths);
        }
    }

    /** Registers one directory with a watch service; a seam for tests that simulate the watch limit. */
    @FunctionalInterface
    interface Registrar {
        WatchKey register(WatchService service, Path dir) throws IOException;
    }

    private static final Registrar JDK_REGISTRAR =
            (service, dir) -> dir.register(service, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);

    private final Path root;
    private final long debounceNanos;
    private final long maxDelayNanos;
    private final long rescanIntervalNanos;
    private final Duration rescanInterval;
    private final Consumer<Batch> onBatch;
    private final Consumer<String> onProblem;
    private final Registrar registrar;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread thread;
    private volatile boolean closed;

    // Owned by the watcher thread; `service` is volatile so that close() can wake a blocked poll.
    private volatile WatchService service;
    private IgnoreRules ignore;
    private final Map<WatchKey, Path> keyToDir = new HashMap<>();
    private final Map<Path, WatchKey> dirToKey = new HashMap<>();
    private final Set<String> pending = new HashSet<>();
    private boolean pendingFullRescan;
    private boolean hasPending;
    private long firstChangeNanos;
    private long lastChangeNanos;
    private long nextRescanNanos;
    private boolean limitReported;
    private boolean rootMissingReported;

    private DirectoryWatcher(Path root, IgnoreRules ignore, Duration debounce, Duration maxDelay,
            Duration rescanInterval, Consumer<Batch> onBatch, Consumer<String> onProblem, Registrar registrar) {
        this.root = root;
        this.ignore = ignore;
        this.debounceNanos = debounce.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
        this.rescanIntervalNanos = rescanInterval.toNanos();
        this.rescanInterval = rescanInterval;
        this.onBatch = onBatch;
        this.onProblem = onProblem;
        this.registrar = registrar;
        this.thread = new Thread(this::run, "zerok-watcher " + root);
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching {@code root} and every directory below it that {@code ignore} does not ignore.
     * Returns once the initial watches are in place: a change made after this returns is reported.
     *
     * @param root the folder; must be a directory
     * @param ignore the rules to leave paths out with; the watcher replaces them with
     *     {@link IgnoreRules#reload()} whenever a {@value IgnoreRules#FILE_NAME} changes
     * @param debounce how long the tree must be quiet before a batch is delivered; positive
     * @param maxDelay the longest a change waits for delivery while the tree stays busy; at least
     *     {@code debounce}
     * @param rescanInterval time between full-rescan batches; positive
     * @param onBatch receives the batches, on the watcher thread
     * @param onProblem receives one-line problem reports, on the watcher thread
     * @return the running watcher; close it to stop
     * @throws NoSuchFileException if {@code root} does not exist
     * @throws NotDirectoryException if {@code root} is not a directory
     * @throws IOException if the watch service cannot be created for a reason other than the
     *     kernel's limits, or the calling thread was interrupted while waiting for the start
     * @throws IllegalArgumentException if a duration is out of range
     */
    public static DirectoryWatcher start(Path root, IgnoreRules ignore, Duration debounce, Duration maxDelay,
            Duration rescanInterval, Consumer<Batch> onBatch, Consumer<String> onProblem) throws IOException {
        return start(root, ignore, debounce, maxDelay, rescanInterval, onBatch, onProblem, JDK_REGISTRAR);
    }

    static DirectoryWatcher start(Path root, IgnoreRules ignore, Duration debounce, Duration maxDelay,
            Duration rescanInterval, Consumer<Batch> onBatch, Consumer<String> onProblem, Registrar registrar)
            throws IOException {
        Objects.requireNonNull(ignore, "ignore");
        Objects.requireNonNull(onBatch, "onBatch");
        Objects.requireNonNull(onProblem, "onProblem");
        if (debounce.isNegative() || debounce.isZero()) {
            throw new IllegalArgumentException("debounce must be positive: " + debounce);
        }
        if (maxDelay.compareTo(debounce) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is shorter than debounce " + debounce);
        }
        if (rescanInterval.isNegative() || rescanInterval.isZero()) {
            throw new IllegalArgumentException("rescanInterval must be positive: " + rescanInterval);
        }
        Path absoluteRoot = root.toAbsolutePath().normalize();
        if (!Files.isDirectory(absoluteRoot)) {
            if (!Files.exists(absoluteRoot, LinkOption.NOFOLLOW_LINKS)) {
                throw new NoSuchFileException(absoluteRoot.toString(), null, "the folder to watch does not exist");
            }
            throw new NotDirectoryException(absoluteRoot.toString());
        }
        WatchService service;
        try {
            service = absoluteRoot.getFileSystem().newWatchService();
        } catch (IOException e) {
            if (!isWatchLimit(e)) {
                throw e;
            }
            service = null;  // the watcher thread reports it and runs on rescans only
        }
        DirectoryWatcher watcher = new DirectoryWatcher(absoluteRoot, ignore, debounce, maxDelay, rescanInterval,
                onBatch, onProblem, registrar);
        watcher.service = service;
        watcher.thread.start();
        try {
            watcher.ready.await();
        } catch (InterruptedException e) {
            watcher.close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while starting to watch " + absoluteRoot);
        }
        return watcher;
    }

    /**
     * Stops the watcher. After it returns no callback runs or will run, except when called from a
     * callback itself, where it returns at once and the watcher stops after that callback. Waits for
     * a callback that is running to return. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        WatchService current = service;
        if (current != null) {
            try {
                current.close();  // wakes a blocked poll with ClosedWatchServiceException
            } catch (IOException e) {
                // Closing only releases the inotify descriptor; the thread ends either way.
            }
        }
        LockSupport.unpark(thread);  // wakes the wait of the rescan-only mode
        if (Thread.currentThread() != thread) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            nextRescanNanos = System.nanoTime() + rescanIntervalNanos;
            if (service == null) {
                degrade(new IOException("User limit of inotify instances reached"));
            } else {
                registerTree(root, false);
            }
        } catch (ClosedWatchServiceException e) {
            // closed during start
        } finally {
            ready.countDown();
        }
        while (!closed) {
            try {
                step();
            } catch (ClosedWatchServiceException e) {
                if (!closed) {
                    problem("the watch service of " + root + " closed unexpectedly; falling back to full rescans");
                    degrade(null);
                }
            } catch (RuntimeException e) {
                problem("watcher of " + root + " failed: " + e);
            }
        }
        WatchService current = service;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // see close()
            }
        }
    }

    /** Waits for the next event or deadline and handles it. */
    private void step() {
        long now = System.nanoTime();
        long deadline = nextRescanNanos;
        if (hasPending) {
            long changesDue = Math.min(lastChangeNanos + debounceNanos, firstChangeNanos + maxDelayNanos);
            if (changesDue - deadline < 0) {
                deadline = changesDue;
            }
        }
        long waitNanos = deadline - now;
        if (waitNanos <= 0) {
            flush(now);
            return;
        }
        WatchService current = service;
        if (current == null) {
            LockSupport.parkNanos(this, waitNanos);
            return;
        }
        WatchKey key;
        try {
            key = current.poll(waitNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // Nobody but close() has a reason to interrupt us, and it uses close() of the service.
            return;
        }
        if (key != null) {
            process(key);
        }
    }

    private void flush(long now) {
        boolean rescanDue = now - nextRescanNanos >= 0;
        if (rescanDue) {
            checkRoot();
        }
        boolean changesDue = hasPending
                && (now - (lastChangeNanos + debounceNanos) >= 0 || now - (firstChangeNanos + maxDelayNanos) >= 0);
        if (!rescanDue && !changesDue) {
            return;
        }
        Batch batch = new Batch(pending, pendingFullRescan || rescanDue);
        pending.clear();
        hasPending = false;
        pendingFullRescan = false;
        if (batch.fullRescan()) {
            nextRescanNanos = now + rescanIntervalNanos;
        }
        if (closed) {
            return;
        }
        try {
            onBatch.accept(batch);
        } catch (RuntimeException e) {
            problem("the batch callback of the watcher of " + root + " threw " + e + "; the watcher goes on");
        }
    }

    /** At each rescan tick: notices a root that went away (or was moved) and one that came back. */
    private void checkRoot() {
        if (!Files.isDirectory(root)) {
            if (!rootMissingReported) {
                rootMissingReported = true;
                unregisterTree(root);
                problem("the watched folder " + root + " is gone; watching again when it is back");
            }
            return;
        }
        if (rootMissingReported) {
            rootMissingReported = false;
            problem("the watched folder " + root + " is back");
        }
        if (service != null && !dirToKey.containsKey(root)) {
            registerTree(root, false);
        }
    }

    private void process(WatchKey key) {
        Path dir = keyToDir.get(key);
        if (dir == null) {
            return;  // a key cancelled after its events were queued
        }
        boolean ignoreFileChanged = false;
        for (WatchEvent<?> event : key.pollEvents()) {
            if (event.kind() == OVERFLOW) {
                changeFullRescan();
                continue;
            }
            Path child = dir.resolve((Path) event.context());
            String relative = IgnoreRules.relativize(root, child);
            boolean wasWatchedDirectory = dirToKey.containsKey(child);
            if (event.kind() == ENTRY_DELETE && wasWatchedDirectory) {
                // Deleted, or moved: a moved directory's key would go on naming the old path.
                unregisterTree(child);
            }
            boolean isDirectory = wasWatchedDirectory || Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS);
            if (ignore.ignored(relative, isDirectory)) {
                continue;
            }
            if (child.getFileName().toString().equals(IgnoreRules.FILE_NAME)) {
                ignoreFileChanged = true;
            }
            change(relative);
            if (event.kind() == ENTRY_CREATE && Files.isDirectory(child, LinkOption.NOFOLLOW_LINKS)) {
                registerTree(child, true);
            }
        }
        if (!key.reset()) {
            // The directory is gone; its parent reports the deletion, except for the root.
            keyToDir.remove(key);
            dirToKey.remove(dir, key);
            if (dir.equals(root)) {
                unregisterTree(root);
                changeFullRescan();
                if (!rootMissingReported) {
                    rootMissingReported = true;
                    problem("the watched folder " + root + " is gone; watching again when it is back");
                }
            }
        }
        if (ignoreFileChanged) {
            reloadIgnore();
        }
    }

    private void reloadIgnore() {
        try {
            ignore = ignore.reload();
        } catch (IOException e) {
            problem("keeping the previous ignore rules of " + root + ": " + e.getMessage());
            return;
        }
        changeFullRescan();
        registerTree(root, false);  // directories no longer ignored need watches
    }

    /**
     * Watches {@code start} and the directories below it that are not ignored and not yet watched.
     *
     * @param report whether to record every entry found as changed (for a directory that appeared)
     */
    private void registerTree(Path start, boolean report) {
        try {
            Files.walkFileTree(start, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    if (service == null) {
                        return FileVisitResult.TERMINATE;
                    }
                    String relative = IgnoreRules.relativize(root, dir);
                    if (!relative.isEmpty() && ignore.ignored(relative, true)) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!dirToKey.containsKey(dir)) {
                        try {
                            register(dir);
                        } catch (NoSuchFileException | NotDirectoryException e) {
                            return FileVisitResult.SKIP_SUBTREE;  // gone again; its parent reports that
                        } catch (IOException e) {
                            if (isWatchLimit(e)) {
                                degrade(e);
                                return FileVisitResult.TERMINATE;
                            }
                            problem("cannot watch " + dir + ": " + e + "; its changes are seen at the next full rescan");
                            return FileVisitResult.SKIP_SUBTREE;
                        }
                    }
                    if (report && !relative.isEmpty()) {
                        change(relative);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (report) {
                        String relative = IgnoreRules.relativize(root, file);
                        if (!ignore.ignored(relative, false)) {
                            change(relative);
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    if (!(e instanceof NoSuchFileException)) {
                        problem("cannot read " + file + ": " + e + "; its changes are seen at the next full rescan");
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            problem("cannot walk " + start + ": " + e);
        }
    }

    private void register(Path dir) throws IOException {
        WatchKey key = registrar.register(service, dir);
        Path previous = keyToDir.get(key);
        if (previous != null && !previous.equals(dir)) {
            // The same directory is already watched under its old path (moved before its old name's
            // deletion was processed): the key would keep naming the old path, so watch it afresh.
            unregisterTree(previous);
            key = registrar.register(service, dir);
        }
        keyToDir.put(key, dir);
        dirToKey.put(dir, key);
    }

    private void unregisterTree(Path dir) {
        List<Path> below = new ArrayList<>();
        for (Path watched : dirToKey.keySet()) {
            if (watched.startsWith(dir)) {
                below.add(watched);
            }
        }
        for (Path watched : below) {
            WatchKey key = dirToKey.remove(watched);
            keyToDir.remove(key);
            key.cancel();
        }
    }

    /** Stops watching for good and relies on periodic full rescans; says so once. */
    private void degrade(IOException cause) {
        WatchService current = service;
        service = null;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // released either way
            }
        }
        keyToDir.clear();
        dirToKey.clear();
        changeFullRescan();
        if (cause != null && !limitReported) {
            limitReported = true;
            problem("cannot watch " + root + " for changes: " + cause.getMessage()
                    + "; falling back to a full rescan every " + rescanInterval.toSeconds() + " s"
                    + " (on Linux, raise fs.inotify.max_user_watches or fs.inotify.max_user_instances)");
        }
    }

    private void change(String relative) {
        pending.add(relative);
        markChanged();
    }

    private void changeFullRescan() {
        pendingFullRescan = true;
        markChanged();
    }

    private void markChanged() {
        long now = System.nanoTime();
        if (!hasPending) {
            hasPending = true;
            firstChangeNanos = now;
        }
        lastChangeNanos = now;
    }

    private void problem(String message) {
        try {
            onProblem.accept(message);
        } catch (RuntimeException e) {
            // Nowhere left to report it.
        }
    }

    /** The JDK's messages for ENOSPC and EMFILE from inotify (LinuxWatchService). */
    static boolean isWatchLimit(IOException e) {
        return e.getMessage() != null && e.getMessage().startsWith("User limit of inotify");
    }
}
