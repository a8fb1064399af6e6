package dev.zerok.client;

import dev.zerok.kernel.content.FileRecord;
import dev.zerok.kernel.content.FolderCodec;
import dev.zerok.kernel.content.FolderState;
import dev.zerok.kernel.sync.SyncPayload;
import dev.zerok.ports.blob.BlobStoreException;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.DeviceId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;

/**
 * Shared folders on this device: the folder model of docs/PROTOCOL.md, "Folders", driven against
 * local directories. A folder is named (its name is its id in the group); each device publishes
 * <em>changes</em> as {@link FileRecord}s with a version vector per file; the device's view of the
 * folder is the causal merge of every record it received ({@link FolderState}).
 *
 * <ul>
 *   <li>{@link #publish} scans a directory against what zerok last wrote or scanned there and
 *       publishes what changed: new and edited files (their new chunks first, then the records),
 *       deletions as tombstones, symbolic links as links (never followed). Renames are a
 *       deletion plus an addition whose chunks are already held, so nothing is uploaded again.
 *   <li>{@link #apply} makes a directory show the folder's current state: writes what changed
 *       (temp file, fsync, rename; mode masked to {@code 0777} and by the process umask; mtime
 *       kept), deletes what was deleted, and never overwrites or deletes a file zerok did not put
 *       there or that changed since (it is reported, not touched). Concurrent edits end as one
 *       winner (the same on every device) plus a conflict copy named by Syncthing's convention.
 *   <li>Catch-up after the relays' TTL: {@link #requestSnapshot} asks online peers to
 *       {@link #republish} every head and its chunks.
 * </ul>
 *
 * <p>One user thread at a time (the sync loop or a one-shot command); receiving runs on the
 * device's lane and only touches the thread-safe {@link FolderStore}.
 */
public final class Folders {
    private static final int FILE_MODE_MASK = 0777;

    private final Device device;
    private final FolderStore store;
    private final Path foldersDir;
    private final DeviceId self;
    private final AtomicBoolean snapshotRequested = new AtomicBoolean();
    private final java.util.concurrent.atomic.AtomicLong missedExpired = new java.util.concurrent.atomic.AtomicLong();
    private final Object changes = new Object();
    private long changeCount;

    Folders(Device device, FolderStore store, Path foldersDir, DeviceId self) {
        this.device = device;
        this.store = store;
        this.foldersDir = foldersDir;
        this.self = self;
    }

    /** The names of every folder this device knows, sorted. */
    public List<String> names() {
        return store.names();
    }

    /** A copy of the folder's current heads (empty if unknown). */
    public FolderState state(String folder) {
        return store.state(folder);
    }

    /**
     * Called on the lane when a relay says it expired blobs this device never pulled: the
     * device asks its peers for a snapshot at once (the push is queued, not awaited: this runs
     * on the lane) and {@link #missedExpiredCount} tells the user.
     */
    void missedExpired() {
        missedExpired.incrementAndGet();
        device.client().push(SyncPayload.Kind.FOLDER, FolderCodec.encode(new FolderCodec.SnapshotRequest()));
    }

    /**
     * How many times since this device was opened a relay said it expired blobs this device never
     * pulled (the device was away longer than the relay's TTL); each time the device asked its
     * peers to republish the current state of every folder.
     */
    public long missedExpiredCount() {
        return missedExpired.get();
    }

    /** True once a peer asked for a snapshot since the last {@link #republish}. */
    public boolean snapshotRequested() {
        return snapshotRequested.get();
    }

    /**
     * Waits until a folder record or a snapshot request arrives, or {@code timeout} passes.
     *
     * @return true if something arrived
     */
    public boolean awaitChange(Duration timeout) throws InterruptedException {
        synchronized (changes) {
            long seen = changeCount;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (changeCount == seen) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                changes.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }

    /** Called on the lane for each delivered FOLDER payload from any device. */
    void received(DeviceId sender, FolderCodec.Message message) throws IOException {
        switch (message) {
            case FolderCodec.Records batch -> store.merge(batch);
            case FolderCodec.SnapshotRequest request -> {
                if (!sender.equals(self)) {
                    snapshotRequested.set(true);
                }
            }
        }
        synchronized (changes) {
            changeCount++;
            changes.notifyAll();
        }
    }

    // ------------------------------------------------------------------ publish (scan)

    /**
     * Scans {@code directory} as folder {@code folder} and publishes its changes since the last
     * scan or apply there.
     *
     * @param ignored tells which relative paths to leave out ({@code .zerokignore}); given the
     *     '/'-separated path and whether it is a directory
     * @param progress plaintext bytes of changed files read so far, of the total to read
     * @return what was published; {@code refused} lists paths that could not be read
     * @throws DeviceException coded {@code CONFIG} if the directory is not one, {@code IO} if
     *     reading fails, {@code STORE} if queueing or the folder log fails
     */
    public FolderReport publish(String folder, Path directory, BiPredicate<String, Boolean> ignored,
            TransferProgress progress) throws DeviceException {
        Path root = checkedRoot(directory);
        List<String> refused = new ArrayList<>();
        Map<String, Disk> disk = walk(root, ignored, refused);
        LocalIndex index = loadIndex(folder, root);
        FolderState state = store.state(folder);
        long total = 0;
        for (Map.Entry<String, Disk> e : disk.entrySet()) {
            FileRecord known = index.get(e.getKey());
            if (e.getValue().type == FileRecord.Type.FILE && (known == null || !e.getValue().matches(known))) {
                total += e.getValue().size;
            }
        }
        List<FileRecord> changed = new ArrayList<>();
        List<FileRecord> adopted = new ArrayList<>();
        Device.ChunkQueue queue = device.chunkQueue();
        long[] done = {0};
        try {
            for (Map.Entry<String, Disk> e : disk.entrySet()) {
                String path = e.getKey();
                Disk d = e.getValue();
                FileRecord known = index.get(path);
                if (known != null && d.matches(known)) {
                    continue;
                }
                List<ContentHash> chunks = List.of();
                if (d.type == FileRecord.Type.FILE) {
                    try {
                        chunks = queue.addFile(root.resolve(path), d.size, done, total, progress);
                    } catch (NoSuchFileException | AccessDeniedException vanished) {
                        refused.add(path + ": " + IoMessages.describe(vanished));
                        continue;
                    }
                }
                VersionVector base = known == null ? VersionVector.EMPTY : known.version();
                FileRecord candidate = d.record(path, chunks, VersionVector.EMPTY.with(self, 1), self);
                FileRecord same = sameContentHead(state, candidate, known);
                if (same != null && (known == null || candidate.mode() == known.mode())) {
                    adopted.add(onDisk(same, d));
                    continue;
                }
                changed.add(d.record(path, chunks, state.nextVersion(path, base, self), self));
            }
            for (FileRecord known : index.entries().values()) {
                String path = known.path();
                if (!disk.containsKey(path) && !ignored.test(path, known.type() == FileRecord.Type.DIRECTORY)
                        && !underRefused(path, refused)) {
                    changed.add(FileRecord.tombstone(path, known.type(), known.mtimeMillis(),
                            state.nextVersion(path, known.version(), self), self));
                }
            }
            queue.drain();
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.IO, "reading " + root + " failed: " + IoMessages.describe(e), e);
        }
        publishRecords(folder, changed);
        for (FileRecord r : adopted) {
            index.put(r);
        }
        for (FileRecord r : changed) {
            if (r.deleted()) {
                index.remove(r.path());
            } else {
                index.put(r);
            }
        }
        saveIndex(index);
        return new FolderReport(folder, changed.size(), queue.queued(), 0, 0, 0, List.of(), refused, 0);
    }

    // ------------------------------------------------------------------ apply

    /**
     * Makes {@code directory} show folder {@code folder}'s current state.
     *
     * @param publishResolutions true for a device that takes part in the folder ({@code sync}):
     *     it publishes conflict copies and the record that resolves each conflict; false for a
     *     one-shot {@code pull --into}, which writes the conflict copies locally only
     * @param force replace files zerok did not write (they are reported and kept otherwise)
     * @param progress plaintext bytes written so far
     * @throws DeviceException coded {@code CONFIG} if the directory is not one, {@code IO} if
     *     writing fails (the file is named), {@code STORE} if the stores fail
     */
    public FolderReport apply(String folder, Path directory, boolean publishResolutions, boolean force,
            TransferProgress progress) throws DeviceException {
        Path root = directory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.IO, "cannot create " + root + ": " + IoMessages.describe(e), e);
        }
        root = checkedRoot(root);
        LocalIndex index = loadIndex(folder, root);
        FolderState state = store.state(folder);
        List<String> conflicts = new ArrayList<>();
        int published = resolveConflicts(folder, state, publishResolutions, conflicts);
        if (published > 0) {
            state = store.state(folder);
        }
        // The view: the winner of every path, plus (for a one-shot pull) the conflict copies it writes locally.
        TreeMap<String, FileRecord> view = new TreeMap<>();
        for (String path : state.paths()) {
            FolderState.Resolution r = state.resolve(path);
            view.put(path, r.winner());
            if (!publishResolutions) {
                for (FileRecord loser : r.conflicts()) {
                    String copy = state.copyPath(loser);
                    if (state.heads(copy).isEmpty() && FolderState.fits(copy)) {
                        view.putIfAbsent(copy, loser.moved(copy, loser.version(), loser.modifiedBy()));
                        if (index.get(copy) == null) {
                            conflicts.add(copy);
                        }
                    }
                }
            }
        }
        List<String> refused = new ArrayList<>();
        List<String> directoriesToDelete = new ArrayList<>();
        int written = 0;
        int deleted = 0;
        int pending = 0;
        long[] bytes = {0};
        long total = 0;
        for (FileRecord w : view.values()) {
            FileRecord known = index.get(w.path());
            if (!w.deleted() && w.type() == FileRecord.Type.FILE && !current(known, w)) {
                total += w.size();
            }
        }
        for (FileRecord w : view.values()) {
            String path = w.path();
            FileRecord known = index.get(path);
            if (current(known, w)) {
                continue;
            }
            Path out = root.resolve(path);
            try {
                String parentProblem = parentProblem(root, out);
                if (parentProblem != null) {
                    refused.add(path + ": " + parentProblem);
                    continue;
                }
                Disk d = Disk.stat(out);
                if (d != null && !force) {
                    if (known == null) {
                        if (d.sameAs(w, out, device)) {
                            index.put(onDisk(w, d));
                            continue;
                        }
                        refused.add(path + ": a file zerok did not write is in the way (kept; --force replaces it)");
                        continue;
                    }
                    if (!d.matches(known)) {
                        refused.add(path + ": changed here since zerok wrote it (kept; it is published as a local edit)");
                        continue;
                    }
                }
                if (w.deleted()) {
                    if (d != null && d.type == FileRecord.Type.DIRECTORY) {
                        directoriesToDelete.add(path);
                    } else if (d != null) {
                        Files.delete(out);
                        deleted++;
                    }
                    index.remove(path);
                    continue;
                }
                switch (w.type()) {
                    case DIRECTORY -> {
                        if (d != null && d.type != FileRecord.Type.DIRECTORY) {
                            Files.delete(out);
                        }
                        if (d == null || d.type != FileRecord.Type.DIRECTORY) {
                            Files.createDirectory(out);
                            written++;
                        }
                        index.put(onDisk(w, Disk.stat(out)));
                    }
                    case SYMLINK -> {
                        if (d != null) {
                            if (d.type == FileRecord.Type.DIRECTORY) {
                                refused.add(path + ": a directory is where the group has a link");
                                continue;
                            }
                            Files.delete(out);
                        }
                        Files.createSymbolicLink(out, Path.of(w.linkTarget()));
                        index.put(onDisk(w, Disk.stat(out)));
                        written++;
                    }
                    case FILE -> {
                        if (!device.hasChunks(w.chunks())) {
                            pending++;
                            continue;
                        }
                        if (d != null && d.type == FileRecord.Type.DIRECTORY) {
                            refused.add(path + ": a directory is where the group has a file");
                            continue;
                        }
                        writeFile(out, w, known, force, bytes, total, progress);
                        index.put(onDisk(w, Disk.stat(out)));
                        written++;
                    }
                }
            } catch (IOException e) {
                saveIndex(index);
                throw new DeviceException(DeviceException.Code.IO, "writing " + out + " failed: " + IoMessages.describe(e), e);
            }
        }
        directoriesToDelete.sort(java.util.Comparator.reverseOrder());
        for (String path : directoriesToDelete) {
            try {
                Files.delete(root.resolve(path));
                deleted++;
            } catch (DirectoryNotEmptyException e) {
                refused.add(path + ": deleted in the group but not empty here (kept)");
            } catch (IOException e) {
                refused.add(path + ": " + IoMessages.describe(e));
            }
        }
        saveIndex(index);
        collectGarbage();
        return new FolderReport(folder, published, 0, written, deleted, bytes[0], conflicts, refused, pending);
    }

    /**
     * Publishes a snapshot request: online peers answer with {@link #republish}. Used after the
     * relays expired blobs this device never pulled ({@code SyncEvent.MissedExpired}).
     */
    public void requestSnapshot() throws DeviceException {
        device.awaitQueued(device.client().push(SyncPayload.Kind.FOLDER, FolderCodec.encode(new FolderCodec.SnapshotRequest())));
    }

    /**
     * Publishes again every head of every folder and the chunks they reference (each chunk from
     * this device's store as it is): what a peer that missed expired blobs needs to converge.
     * Clears {@link #snapshotRequested}.
     *
     * @return records republished
     */
    public int republish() throws DeviceException {
        snapshotRequested.set(false);
        int records = 0;
        for (String folder : store.names()) {
            List<FileRecord> heads = store.state(folder).all();
            Set<ContentHash> sent = new HashSet<>();
            List<CompletableFuture<BlobId>> pushes = new ArrayList<>();
            try {
                for (FileRecord r : heads) {
                    for (ContentHash chunk : r.chunks()) {
                        if (sent.add(chunk)) {
                            byte[] sealed = device.sealedChunk(chunk);
                            if (sealed != null) {
                                pushes.add(device.client().push(SyncPayload.Kind.CHUNK, sealed));
                            }
                        }
                        if (pushes.size() >= 64) {
                            device.awaitQueued(pushes.removeFirst());
                        }
                    }
                }
            } catch (BlobStoreException e) {
                throw new DeviceException(DeviceException.Code.STORE, "the chunk store failed (" + e.code() + ")", e);
            }
            for (CompletableFuture<BlobId> push : pushes) {
                device.awaitQueued(push);
            }
            for (List<FileRecord> batch : batches(folder, heads)) {
                device.awaitQueued(device.client().push(SyncPayload.Kind.FOLDER,
                        FolderCodec.encode(new FolderCodec.Records(folder, batch))));
            }
            records += heads.size();
        }
        return records;
    }

    // ------------------------------------------------------------------ internals

    private int resolveConflicts(String folder, FolderState state, boolean publish, List<String> conflicts)
            throws DeviceException {
        if (!publish) {
            return 0;
        }
        List<FileRecord> out = state.settleConflicts(self);
        for (FileRecord r : out) {
            if (state.heads(r.path()).stream().noneMatch(r::sameContent)) { // a copy, not a winner's record
                conflicts.add(r.path());
            }
        }
        publishRecords(folder, out);
        return out.size();
    }

    private void publishRecords(String folder, List<FileRecord> records) throws DeviceException {
        for (List<FileRecord> batch : batches(folder, records)) {
            FolderCodec.Records message = new FolderCodec.Records(folder, batch);
            device.awaitQueued(device.client().push(SyncPayload.Kind.FOLDER, FolderCodec.encode(message)));
            try {
                store.merge(message);
            } catch (IOException e) {
                throw new DeviceException(DeviceException.Code.STORE, "the folder log failed: " + IoMessages.describe(e), e);
            }
        }
    }

    /** Splits records into batches that each fit one blob. */
    private List<List<FileRecord>> batches(String folder, List<FileRecord> records) {
        int limit = device.maxBlobData() - FolderCodec.recordsOverheadBytes(folder.getBytes(StandardCharsets.UTF_8).length);
        List<List<FileRecord>> out = new ArrayList<>();
        List<FileRecord> current = new ArrayList<>();
        long bytes = 0;
        for (FileRecord r : records) {
            int size = FolderCodec.encodeRecord(r).length;
            if (!current.isEmpty() && bytes + size > limit) {
                out.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(r);
            bytes += size;
        }
        if (!current.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private void writeFile(Path out, FileRecord w, FileRecord known, boolean force, long[] bytes, long total,
            TransferProgress progress) throws IOException, DeviceException {
        Path temp = out.resolveSibling("." + out.getFileName() + ".zerok-part");
        Files.deleteIfExists(temp);
        Set<PosixFilePermission> perms = permissions(w.mode() & FILE_MODE_MASK);
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        int[] refetched = {0};
        try (FileChannel ch = FileChannel.open(temp, options, PosixFilePermissions.asFileAttribute(perms))) {
            for (ContentHash address : w.chunks()) {
                byte[] plain = device.readChunk(address, refetched);
                ByteBuffer buf = ByteBuffer.wrap(plain);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                bytes[0] += plain.length;
                progress.update(bytes[0], total);
            }
            if (ch.size() != w.size()) {
                throw new DeviceException(DeviceException.Code.VERIFY_FAILED, "the chunks of " + out
                        + " do not add up to its size");
            }
            ch.force(true);
        } catch (DeviceException | IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.setLastModifiedTime(temp, FileTime.fromMillis(w.mtimeMillis()));
        // The window between this check and the rename is the only one in which a local edit can be lost.
        Disk now = Disk.stat(out);
        if (now != null && !force && (known == null || !now.matches(known))) {
            Files.deleteIfExists(temp);
            throw new IOException("changed while zerok was writing it: " + out);
        }
        AtomicFiles.moveOver(temp, out);
    }

    private void collectGarbage() throws DeviceException {
        try {
            Set<ContentHash> garbage = store.compactAll();
            device.deleteUnreferencedChunks(garbage);
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, "compacting the folder log failed: "
                    + IoMessages.describe(e), e);
        }
    }

    /** True if the disk (as the index records it) already holds {@code w} or something newer. */
    private static boolean current(FileRecord known, FileRecord w) {
        if (known == null) {
            return w.deleted();
        }
        FolderState.Order order = FolderState.compare(known.version(), w.version());
        if (order == FolderState.Order.EQUAL || order == FolderState.Order.AFTER) {
            return true;
        }
        return !w.deleted() && known.sameContent(w) && known.mode() == w.mode();
    }

    private static FileRecord sameContentHead(FolderState state, FileRecord candidate, FileRecord known) {
        for (FileRecord head : state.heads(candidate.path())) {
            if (!head.deleted() && head.sameContent(candidate)
                    && (known == null || FolderState.compare(head.version(), known.version()) != FolderState.Order.BEFORE)) {
                return head;
            }
        }
        return null;
    }

    private static FileRecord onDisk(FileRecord r, Disk d) {
        long mtime = d == null ? r.mtimeMillis() : d.mtimeMillis;
        int mode = d == null || d.type != FileRecord.Type.FILE ? r.mode() : d.mode;
        return new FileRecord(r.path(), r.type(), r.deleted(), mode, r.size(), mtime, r.chunks(), r.linkTarget(),
                r.version(), r.modifiedBy());
    }

    private static boolean underRefused(String path, List<String> refused) {
        for (String r : refused) {
            String p = r.substring(0, r.indexOf(": "));
            if (path.equals(p) || path.startsWith(p + "/")) {
                return true;
            }
        }
        return false;
    }

    /** Null if every parent of {@code out} below {@code root} is a real directory or absent (then created). */
    private static String parentProblem(Path root, Path out) throws IOException {
        Path rel = root.relativize(out.getParent() == null ? root : out.getParent());
        Path at = root;
        for (Path segment : rel) {
            if (segment.toString().isEmpty()) {
                continue;
            }
            at = at.resolve(segment);
            if (Files.isSymbolicLink(at)) {
                return "a parent directory is a symbolic link (not followed)";
            }
            if (!Files.exists(at, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(at);
            } else if (!Files.isDirectory(at, LinkOption.NOFOLLOW_LINKS)) {
                return "a parent is not a directory here";
            }
        }
        return null;
    }

    private static Path checkedRoot(Path directory) throws DeviceException {
        Path root = directory.toAbsolutePath().normalize();
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new DeviceException(DeviceException.Code.CONFIG, root + " is not a directory (a folder is a directory;"
                    + " a symbolic link to one is not followed)");
        }
        return root;
    }

    private LocalIndex loadIndex(String folder, Path root) throws DeviceException {
        try {
            return LocalIndex.load(foldersDir, folder, root);
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, IoMessages.describe(e), e);
        }
    }

    private static void saveIndex(LocalIndex index) throws DeviceException {
        try {
            index.save();
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.STORE, "saving the local folder index failed: "
                    + IoMessages.describe(e), e);
        }
    }

    private static Map<String, Disk> walk(Path root, BiPredicate<String, Boolean> ignored, List<String> refused)
            throws DeviceException {
        TreeMap<String, Disk> out = new TreeMap<>();
        try {
            Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                            if (dir.equals(root)) {
                                return FileVisitResult.CONTINUE;
                            }
                            String rel = relative(root, dir);
                            if (!valid(rel) || ignored.test(rel, true)) {
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            try {
                                out.put(rel, Disk.of(dir, attrs));
                            } catch (IOException e) {
                                refused.add(rel + ": " + IoMessages.describe(e));
                                return FileVisitResult.SKIP_SUBTREE;
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                            String rel = relative(root, file);
                            String name = file.getFileName().toString();
                            if (name.startsWith(".") && name.endsWith(".zerok-part")) {
                                return FileVisitResult.CONTINUE;
                            }
                            if (!valid(rel) || ignored.test(rel, false)) {
                                return FileVisitResult.CONTINUE;
                            }
                            if (!attrs.isRegularFile() && !attrs.isSymbolicLink()) {
                                refused.add(rel + ": not a regular file, directory or symbolic link (skipped)");
                                return FileVisitResult.CONTINUE;
                            }
                            try {
                                out.put(rel, Disk.of(file, attrs));
                            } catch (IOException e) {
                                refused.add(rel + ": " + IoMessages.describe(e));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) {
                            refused.add(relative(root, file) + ": " + IoMessages.describe(e));
                            return FileVisitResult.CONTINUE;
                        }
                    });
        } catch (IOException e) {
            throw new DeviceException(DeviceException.Code.IO, "reading " + root + " failed: " + IoMessages.describe(e), e);
        }
        return out;
    }

    private static boolean valid(String rel) {
        try {
            FileRecord.tombstone(rel, FileRecord.Type.FILE, 0, VersionVector.EMPTY.with(new DeviceId(new byte[32]), 1),
                    new DeviceId(new byte[32]));
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String relative(Path root, Path p) {
        return root.relativize(p).toString().replace(p.getFileSystem().getSeparator(), "/");
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission perm : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - perm.ordinal()))) != 0) {
                perms.add(perm);
            }
        }
        return perms;
    }

    /** One path as the disk has it (lstat: links are never followed). */
    private static final class Disk {
        final FileRecord.Type type;
        final long size;
        final long mtimeMillis;
        final int mode;
        final String linkTarget;

        private Disk(FileRecord.Type type, long size, long mtimeMillis, int mode, String linkTarget) {
            this.type = type;
            this.size = size;
            this.mtimeMillis = mtimeMillis;
            this.mode = mode;
            this.linkTarget = linkTarget;
        }

        static Disk stat(Path p) throws IOException {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return null;
            }
            return of(p, attrs);
        }

        static Disk of(Path p, BasicFileAttributes attrs) throws IOException {
            long mtime = Math.max(0, attrs.lastModifiedTime().toMillis());
            if (attrs.isSymbolicLink()) {
                return new Disk(FileRecord.Type.SYMLINK, 0, mtime, 0777, Files.readSymbolicLink(p).toString());
            }
            if (attrs.isDirectory()) {
                return new Disk(FileRecord.Type.DIRECTORY, 0, mtime, mode(p), "");
            }
            return new Disk(FileRecord.Type.FILE, attrs.size(), mtime, mode(p), "");
        }

        /** True if the disk still shows what {@code known} says zerok last saw or wrote there. */
        boolean matches(FileRecord known) {
            return switch (type) {
                case FILE -> known.type() == type && known.size() == size && known.mtimeMillis() == mtimeMillis
                        && known.mode() == mode;
                case DIRECTORY -> known.type() == type;
                case SYMLINK -> known.type() == type && known.linkTarget().equals(linkTarget);
            };
        }

        /** True if the disk holds {@code w}'s content (files are read and addressed to compare). */
        boolean sameAs(FileRecord w, Path p, Device device) throws IOException, DeviceException {
            if (w.deleted() || w.type() != type) {
                return false;
            }
            return switch (type) {
                case DIRECTORY -> true;
                case SYMLINK -> linkTarget.equals(w.linkTarget());
                case FILE -> size == w.size() && device.addresses(p, size).equals(w.chunks());
            };
        }

        FileRecord record(String path, List<ContentHash> chunks, VersionVector version, DeviceId by) {
            return switch (type) {
                case FILE -> FileRecord.file(path, mode, size, mtimeMillis, chunks, version, by);
                case DIRECTORY -> FileRecord.directory(path, mode, mtimeMillis, version, by);
                case SYMLINK -> FileRecord.symlink(path, linkTarget, mtimeMillis, version, by);
            };
        }

        private static int mode(Path p) throws IOException {
            int mode = 0;
            for (PosixFilePermission perm : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)) {
                mode |= 1 << (8 - perm.ordinal());
            }
            return mode;
        }
    }
}
