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
 *       kept; files go in batches of up to {@value #WRITE_BATCH_FILES} files or 16 MiB whose
 *       fsyncs are issued together from a pool of at most {@value #SYNC_THREADS} daemon threads
 *       named {@code zerok-file-sync-<n>}, ended when the device closes, and whose parent
 *       directories are fsynced once after the renames), deletes what was deleted, and never
 *       overwrites or deletes a file zerok did not put there or that changed since (it is
 *       reported, not touched). Concurrent edits end as one
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
    private static final java.util.concurrent.atomic.AtomicInteger SYNC_THREAD_NUMBER =
            new java.util.concurrent.atomic.AtomicInteger();
    private java.util.concurrent.ThreadPoolExecutor syncPool; // guarded by this; created on first use
    private boolean closed; // guarded by this

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
        WriteBatch batch = new WriteBatch();
        for (FileRecord w : view.values()) {
            String path = w.path();
            FileRecord known = index.get(path);
            if (current(known, w)) {
                continue;
            }
            if (batch.holdsAncestorOf(path)) { // what is below a file being written sees it written, as before
                written += flush(batch, index, force, bytes, total, progress);
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
                        batch.add(new PendingWrite(path, out, w, known));
                        if (batch.full()) {
                            written += flush(batch, index, force, bytes, total, progress);
                        }
                    }
                }
            } catch (IOException e) {
                saveIndex(index);
                throw new DeviceException(DeviceException.Code.IO, "writing " + out + " failed: " + IoMessages.describe(e), e);
            }
        }
        written += flush(batch, index, force, bytes, total, progress);
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
            ChunkPacker packer = device.chunkPacker(); // small chunks travel packed, as in publish
            try {
                for (FileRecord r : heads) {
                    for (ContentHash chunk : r.chunks()) {
                        if (sent.add(chunk)) {
                            byte[] sealed = device.sealedChunk(chunk);
                            if (sealed != null && packer.alone(sealed.length)) {
                                pushes.add(device.client().push(SyncPayload.Kind.CHUNK, sealed));
                            } else if (sealed != null) {
                                packer.add(chunk, sealed).ifPresent(full -> pushes.add(device.pushPack(full)));
                            }
                        }
                        if (pushes.size() >= 64) {
                            device.awaitQueued(pushes.removeFirst());
                        }
                    }
                }
                packer.drain().ifPresent(last -> pushes.add(device.pushPack(last)));
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

    /** Files written per batch at most: their fsyncs are issued together. */
    static final int WRITE_BATCH_FILES = 256;
    /** Plaintext bytes written per batch at most (a larger file is a batch of its own). */
    static final long WRITE_BATCH_BYTES = 16L << 20;
    /** Threads that fsync one batch's files at once, at most. */
    static final int SYNC_THREADS = 16;

    /** A file of the view to write: its record, what the index said of the path, and where. */
    private record PendingWrite(String path, Path out, FileRecord record, FileRecord known) {
        Path temp() {
            return out.resolveSibling("." + out.getFileName() + ".zerok-part");
        }
    }

    /** Files waiting to be written together ({@link #flush}); apply's thread only. */
    private static final class WriteBatch {
        final List<PendingWrite> files = new ArrayList<>();
        final Set<String> paths = new HashSet<>();
        long sizeBytes;

        void add(PendingWrite p) {
            files.add(p);
            paths.add(p.path());
            sizeBytes += p.record().size();
        }

        boolean full() {
            return files.size() >= WRITE_BATCH_FILES || sizeBytes >= WRITE_BATCH_BYTES;
        }

        /** True if a file waiting here is a parent directory of {@code path} (the group's state says both). */
        boolean holdsAncestorOf(String path) {
            for (int at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
                if (paths.contains(path.substring(0, at))) {
                    return true;
                }
            }
            return false;
        }

        void clear() {
            files.clear();
            paths.clear();
            sizeBytes = 0;
        }
    }

    /**
     * Writes the batch's files as {@code writeFile} once did one by one, with the fsyncs issued
     * together: (1) each file's bytes go to its temp file {@code .<name>.zerok-part}; (2) every temp
     * file is fsynced, concurrently on {@link #syncPool}; (3) in order, each gets its mtime, the disk
     * is checked for a local edit made meanwhile, and the temp file is renamed over the file and
     * indexed; (4) each parent directory renamed into is fsynced once, so the renames are durable
     * before the index that records them is saved. The first file that fails ends the batch as it
     * ended apply before: the files before it are written, its temp file and those of the files
     * after it are removed, none of them renamed.
     *
     * @return files written
     * @throws DeviceException {@code IO} naming the file that failed (the index is saved first),
     *     or what reading a chunk threw
     */
    private int flush(WriteBatch batch, LocalIndex index, boolean force, long[] bytes, long total,
            TransferProgress progress) throws DeviceException {
        if (batch.files.isEmpty()) {
            return 0;
        }
        List<PendingWrite> files = List.copyOf(batch.files);
        batch.clear();
        List<FileChannel> open = new ArrayList<>(files.size());
        int failedAt = files.size();
        Exception failure = null;
        try {
            // (1) write
            for (PendingWrite p : files) {
                try {
                    open.add(writeTemp(p, bytes, total, progress));
                } catch (DeviceException | IOException e) {
                    failedAt = open.size();
                    failure = e;
                    break;
                }
            }
            // (2) sync
            List<IOException> synced = forceAll(open);
            for (int i = 0; i < synced.size(); i++) {
                if (synced.get(i) != null && i < failedAt) {
                    failedAt = i;
                    failure = synced.get(i);
                }
            }
        } finally {
            for (FileChannel ch : open) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // Closing after a successful fsync loses nothing; a failed one is already recorded.
                }
            }
        }
        // (3) rename
        int written = 0;
        Set<Path> parents = new java.util.LinkedHashSet<>();
        try {
            for (; written < failedAt; written++) {
                PendingWrite p = files.get(written);
                try {
                    renameIntoPlace(p, force);
                } catch (IOException e) {
                    failedAt = written;
                    failure = e;
                    break;
                }
                parents.add(p.out().getParent());
                index.put(onDisk(p.record(), Disk.stat(p.out())));
            }
        } catch (IOException e) { // the stat after a rename that happened: the file is written, not indexed
            failedAt = written;
            failure = e;
        } finally {
            for (int i = Math.min(written, failedAt); i < files.size(); i++) {
                deleteQuietly(files.get(i).temp());
            }
            // (4) the renames so far are durable before any index that names them is saved
            forceDirectories(parents);
        }
        if (failure instanceof DeviceException e) {
            throw e;
        }
        if (failure instanceof IOException e) {
            saveIndex(index);
            Path out = files.get(failedAt).out();
            throw new DeviceException(DeviceException.Code.IO, "writing " + out + " failed: " + IoMessages.describe(e), e);
        }
        return written;
    }

    /** Phase 1 of {@link #flush}: the file's bytes in its temp file, not yet synced; the channel stays open. */
    private FileChannel writeTemp(PendingWrite p, long[] bytes, long total, TransferProgress progress)
            throws IOException, DeviceException {
        FileRecord w = p.record();
        Path temp = p.temp();
        Files.deleteIfExists(temp);
        Set<PosixFilePermission> perms = permissions(w.mode() & FILE_MODE_MASK);
        Set<OpenOption> options = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        int[] refetched = {0};
        FileChannel ch = FileChannel.open(temp, options, PosixFilePermissions.asFileAttribute(perms));
        try {
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
                throw new DeviceException(DeviceException.Code.VERIFY_FAILED, "the chunks of " + p.out()
                        + " do not add up to its size");
            }
            return ch;
        } catch (DeviceException | IOException | RuntimeException e) {
            try {
                ch.close();
            } finally {
                Files.deleteIfExists(temp);
            }
            throw e;
        }
    }

    /** Phase 3 of {@link #flush}: mtime, the local-edit check, the rename. */
    private static void renameIntoPlace(PendingWrite p, boolean force) throws IOException {
        Path temp = p.temp();
        Path out = p.out();
        Files.setLastModifiedTime(temp, FileTime.fromMillis(p.record().mtimeMillis()));
        // The window between this check and the rename is the only one in which a local edit can be lost.
        Disk now = Disk.stat(out);
        if (now != null && !force && (p.known() == null || !now.matches(p.known()))) {
            throw new IOException("changed while zerok was writing it: " + out);
        }
        AtomicFiles.moveOver(temp, out);
    }

    /**
     * fsyncs every channel, concurrently on the pool (one on this thread), and returns when all
     * ended: the failure of each, by position, or null where it succeeded.
     */
    private List<IOException> forceAll(List<FileChannel> channels) {
        List<IOException> failures = new ArrayList<>(java.util.Collections.nCopies(channels.size(), null));
        if (channels.size() == 1) {
            try {
                AtomicFiles.force(channels.getFirst());
            } catch (IOException e) {
                failures.set(0, e);
            }
            return failures;
        }
        List<java.util.concurrent.Future<?>> pending = new ArrayList<>(channels.size());
        for (FileChannel ch : channels) {
            pending.add(submitOrRun(() -> {
                AtomicFiles.force(ch);
                return null;
            }));
        }
        awaitAll(pending, failures);
        return failures;
    }

    /** fsyncs each directory once, concurrently; where the platform refuses, the renames stay atomic, not yet durable. */
    private void forceDirectories(Set<Path> directories) {
        List<java.util.concurrent.Future<?>> pending = new ArrayList<>(directories.size());
        for (Path directory : directories) {
            java.util.concurrent.Callable<Void> sync = () -> {
                AtomicFiles.forceDirectory(directory);
                return null;
            };
            if (directories.size() == 1) {
                try {
                    sync.call();
                } catch (Exception ignored) {
                    // forceDirectory throws nothing checked
                }
            } else {
                pending.add(submitOrRun(sync));
            }
        }
        awaitAll(pending, new ArrayList<>(java.util.Collections.nCopies(pending.size(), null)));
    }

    private java.util.concurrent.Future<?> submitOrRun(java.util.concurrent.Callable<Void> task) {
        try {
            return syncPool().submit(task);
        } catch (java.util.concurrent.RejectedExecutionException closedMeanwhile) {
            java.util.concurrent.FutureTask<Void> inline = new java.util.concurrent.FutureTask<>(task);
            inline.run();
            return inline;
        }
    }

    /** Waits for every task (the syncs are short and must end before their files are touched again). */
    private static void awaitAll(List<java.util.concurrent.Future<?>> pending, List<IOException> failures) {
        boolean interrupted = false;
        for (int i = 0; i < pending.size(); i++) {
            while (true) {
                try {
                    pending.get(i).get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (java.util.concurrent.ExecutionException e) {
                    failures.set(i, e.getCause() instanceof IOException io ? io : new IOException("fsync failed", e.getCause()));
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized java.util.concurrent.ExecutorService syncPool() {
        if (syncPool == null) {
            java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(SYNC_THREADS,
                    SYNC_THREADS, 5, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                    r -> {
                        Thread t = new Thread(r, "zerok-file-sync-" + SYNC_THREAD_NUMBER.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            pool.allowCoreThreadTimeOut(true);
            if (closed) {
                pool.shutdown(); // submissions are refused and run on the caller
            }
            syncPool = pool;
        }
        return syncPool;
    }

    /**
     * Ends the fsync threads (after the syncs in progress); called when the device closes. Later
     * writes sync on the calling thread.
     */
    synchronized void close() {
        closed = true;
        if (syncPool != null) {
            syncPool.shutdown(); // not shutdownNow: an interrupt would close a channel mid-fsync
        }
    }

    private static void deleteQuietly(Path temp) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // A leftover .zerok-part is skipped by scans and replaced by the next write of the file.
        }
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
