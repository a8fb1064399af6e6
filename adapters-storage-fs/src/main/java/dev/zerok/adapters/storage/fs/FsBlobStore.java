package dev.zerok.adapters.storage.fs;

import dev.zerok.ports.blob.BlobStore;
import dev.zerok.ports.blob.BlobStoreException;
import dev.zerok.ports.blob.BlobStoreException.Code;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.id.ContentHash;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link BlobStore} on a local directory:
 *
 * <pre>
 * directory/                 rwx------
 *   .lock                    held (FileChannel lock) while a store is open: one owner at a time
 *   tmp/                     writes in progress; anything left here is a crash leftover, removed on open
 *   objects/                 content-addressed blobs
 *     ab/                    fan-out by the first hash byte (256 directories at most)
 *       ab12...ef            the blob; name = 64 lower-case hex digits of its SHA-256
 * </pre>
 *
 * <p>A write goes to a new file in {@code tmp/} while its SHA-256 is computed, is fsynced, then
 * renamed atomically to its address (replacing any earlier copy, which heals a corrupt one), and
 * the fan-out directory is fsynced so the rename itself survives a crash. Every read re-hashes.
 *
 * <p>{@link #putAllVerified} issues the fsyncs of a batch concurrently from a small pool the store
 * owns ({@value #SYNC_THREADS} daemon threads at most, named {@code zerok-blob-sync-<n>}, idle ones
 * end after a few seconds, all end on {@link #close}): a journalling file system merges concurrent
 * fsyncs into fewer journal commits, so a batch of small files waits for a few barriers, not one per
 * file in turn.
 *
 * <p>Thread-safe: writers never share a temp file, and renames are atomic.
 */
final class FsBlobStore implements BlobStore {
    /** Threads that fsync one batch's files at once, at most. */
    static final int SYNC_THREADS = 16;
    private static final AtomicInteger SYNC_THREAD_NUMBER = new AtomicInteger();
    private static final int BUFFER_BYTES = 64 * 1024;
    private static final String LOCK_FILE = ".lock";
    private static final String TMP = "tmp";
    private static final String OBJECTS = "objects";
    private static final HexFormat HEX = HexFormat.of();

    private final Path objects;
    private final Path tmp;
    private final Entropy entropy;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final boolean posix;
    private final Force force;
    private final ThreadPoolExecutor syncPool;
    private volatile boolean closed;

    /** How a file's or directory's channel is made durable: {@code force(true)}; tests put a fake in. */
    @FunctionalInterface
    interface Force {
        Force FSYNC = channel -> channel.force(true);

        void force(FileChannel channel) throws IOException;
    }

    private FsBlobStore(Path objects, Path tmp, Entropy entropy, FileChannel lockChannel, FileLock lock, boolean posix,
            Force force) {
        this.objects = objects;
        this.tmp = tmp;
        this.entropy = entropy;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.posix = posix;
        this.force = force;
        this.syncPool = new ThreadPoolExecutor(SYNC_THREADS, SYNC_THREADS, 5, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "zerok-blob-sync-" + SYNC_THREAD_NUMBER.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        this.syncPool.allowCoreThreadTimeOut(true);
    }

    /**
     * Opens the store in {@code directory}, creating it owner-only if needed, taking its lock and
     * removing crash leftovers from {@code tmp/}.
     *
     * @throws BlobStoreException {@code IO} if the directory cannot be created or is in use by another store
     */
    static FsBlobStore open(Path directory, Entropy entropy) throws BlobStoreException {
        return open(directory, entropy, Force.FSYNC);
    }

    /** As {@link #open(Path, Entropy)}, with {@code force} making the files of a batch durable. */
    static FsBlobStore open(Path directory, Entropy entropy, Force force) throws BlobStoreException {
        boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileChannel channel = null;
        try {
            createOwnerOnlyDirectory(directory, posix);
            Path objects = directory.resolve(OBJECTS);
            Path tmp = directory.resolve(TMP);
            createOwnerOnlyDirectory(objects, posix);
            createOwnerOnlyDirectory(tmp, posix);
            channel = FileChannel.open(directory.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new BlobStoreException(Code.IO,
                        "the blob store directory is in use by another open store; close it or configure another directory");
            }
            try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(tmp)) {
                for (Path leftover : leftovers) {
                    Files.deleteIfExists(leftover);
                }
            }
            return new FsBlobStore(objects, tmp, entropy, channel, lock, posix, force);
        } catch (IOException e) {
            closeQuietly(channel);
            throw ioFailure("open", e);
        } catch (BlobStoreException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    @Override
    public ContentHash put(byte[] content) throws BlobStoreException {
        return put(new ByteArrayInputStream(content));
    }

    @Override
    public ContentHash put(InputStream content) throws BlobStoreException {
        ensureOpen();
        Path temp = tmp.resolve(HEX.formatHex(entropy.bytes(16)) + ".tmp");
        boolean moved = false;
        try {
            MessageDigest digest = sha256();
            try (FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    fileAttributes())) {
                byte[] buffer = new byte[BUFFER_BYTES];
                int n;
                while ((n = readContent(content, buffer)) != -1) {
                    digest.update(buffer, 0, n);
                    ByteBuffer bytes = ByteBuffer.wrap(buffer, 0, n);
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                }
                out.force(true);
            }
            ContentHash hash = new ContentHash(digest.digest());
            Path target = pathOf(hash);
            Path fanOut = target.getParent();
            if (!Files.isDirectory(fanOut)) {
                createOwnerOnlyDirectory(fanOut, posix);
                fsyncDirectory(objects);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new BlobStoreException(Code.IO, "the file system cannot rename atomically; use a local directory", e);
            }
            moved = true;
            fsyncDirectory(fanOut);
            return hash;
        } catch (ContentReadFailure e) {
            throw new BlobStoreException(Code.IO, "reading the content to store failed; nothing was stored", e.getCause());
        } catch (IOException e) {
            throw ioFailure("put", e);
        } finally {
            if (!moved) {
                deleteQuietly(temp);
            }
        }
    }

    @Override
    public void putVerified(ContentHash expected, byte[] content) throws BlobStoreException {
        ensureOpen();
        if (!MessageDigest.isEqual(sha256().digest(content), expected.bytes())) {
            throw new BlobStoreException(Code.CORRUPT, "the offered bytes do not hash to the expected address; nothing was stored");
        }
        put(content);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Writes every blob to its temporary file, then syncs them all at once from the store's
     * pool (the file system merges concurrent syncs into few journal commits), and only when every
     * one of them succeeded renames them into place; then syncs each fan-out directory once, those
     * concurrently too, before returning: a batch of small chunks costs a few barriers, not three
     * per chunk. A batch of one is synced on the calling thread. If any sync fails, nothing of the
     * batch is renamed and every temporary file is removed (after every sync of the batch ended).
     */
    @Override
    public void putAllVerified(Map<ContentHash, byte[]> blobs) throws BlobStoreException {
        ensureOpen();
        for (Map.Entry<ContentHash, byte[]> e : blobs.entrySet()) {
            if (!MessageDigest.isEqual(sha256().digest(e.getValue()), e.getKey().bytes())) {
                throw new BlobStoreException(Code.CORRUPT,
                        "the offered bytes do not hash to the expected address; nothing was stored");
            }
        }
        Map<Path, Path> moves = new LinkedHashMap<>(); // temporary file -> target
        try {
            List<FileChannel> open = new ArrayList<>();
            try {
                for (Map.Entry<ContentHash, byte[]> e : blobs.entrySet()) {
                    Path temp = tmp.resolve(HEX.formatHex(entropy.bytes(16)) + ".tmp");
                    FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE), fileAttributes());
                    open.add(out);
                    moves.put(temp, pathOf(e.getKey()));
                    ByteBuffer bytes = ByteBuffer.wrap(e.getValue());
                    while (bytes.hasRemaining()) {
                        out.write(bytes);
                    }
                }
                forceAll(open, force::force);
            } finally {
                for (FileChannel out : open) {
                    closeQuietly(out);
                }
            }
            Set<Path> fanOuts = new LinkedHashSet<>();
            boolean created = false;
            for (Path target : moves.values()) {
                Path fanOut = target.getParent();
                if (fanOuts.add(fanOut) && !Files.isDirectory(fanOut)) {
                    createOwnerOnlyDirectory(fanOut, posix);
                    created = true;
                }
            }
            if (created) {
                fsyncDirectory(objects);
            }
            for (Iterator<Map.Entry<Path, Path>> it = moves.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Path, Path> move = it.next();
                try {
                    Files.move(move.getKey(), move.getValue(), StandardCopyOption.ATOMIC_MOVE,
                            StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new BlobStoreException(Code.IO, "the file system cannot rename atomically; use a local directory", e);
                }
                it.remove();
            }
            forceAll(List.copyOf(fanOuts), FsBlobStore::fsyncDirectory);
        } catch (IOException e) {
            throw ioFailure("put", e);
        } finally {
            moves.keySet().forEach(FsBlobStore::deleteQuietly);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws BlobStoreException also {@code IO} for a blob of 2 GiB or more (use {@link #openStream})
     */
    @Override
    public Optional<byte[]> get(ContentHash hash) throws BlobStoreException {
        ensureOpen();
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(pathOf(hash));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (OutOfMemoryError e) {
            throw new BlobStoreException(Code.IO, "the blob is too large to read whole; use openStream");
        } catch (IOException e) {
            throw ioFailure("get", e);
        }
        if (!MessageDigest.isEqual(sha256().digest(bytes), hash.bytes())) {
            throw corrupt();
        }
        return Optional.of(bytes);
    }

    @Override
    public Optional<InputStream> openStream(ContentHash hash) throws BlobStoreException {
        ensureOpen();
        try {
            return Optional.of(new VerifyingInputStream(Files.newInputStream(pathOf(hash)), hash.bytes(), sha256()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw ioFailure("openStream", e);
        }
    }

    @Override
    public boolean has(ContentHash hash) throws BlobStoreException {
        ensureOpen();
        return Files.isRegularFile(pathOf(hash));
    }

    @Override
    public boolean delete(ContentHash hash) throws BlobStoreException {
        ensureOpen();
        Path path = pathOf(hash);
        try {
            boolean existed = Files.deleteIfExists(path);
            if (existed) {
                fsyncDirectory(path.getParent());
            }
            return existed;
        } catch (IOException e) {
            throw ioFailure("delete", e);
        }
    }

    /** {@inheritDoc} Files whose names are not 64 hex digits are ignored. */
    @Override
    public List<ContentHash> list() throws BlobStoreException {
        ensureOpen();
        List<ContentHash> found = new ArrayList<>();
        try (DirectoryStream<Path> fanOuts = Files.newDirectoryStream(objects, Files::isDirectory)) {
            for (Path fanOut : fanOuts) {
                try (DirectoryStream<Path> files = Files.newDirectoryStream(fanOut)) {
                    for (Path file : files) {
                        parseName(file.getFileName().toString()).ifPresent(found::add);
                    }
                }
            }
        } catch (IOException e) {
            throw ioFailure("list", e);
        }
        found.sort(null);
        return found;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Not shutdownNow: interrupting a thread in force() would close a batch's channel under it.
        syncPool.shutdown();
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel below releases the lock as well.
        }
        closeQuietly(lockChannel);
    }

    /** One item's durability step, run on the pool. */
    @FunctionalInterface
    private interface SyncStep<T> {
        void run(T item) throws IOException;
    }

    /**
     * Runs {@code step} for every item, concurrently on the pool (a single item on the calling
     * thread), and returns only when every step has ended, so no caller closes or renames a file
     * another thread is still syncing.
     *
     * @throws IOException the first failure, after every step ended
     */
    private <T> void forceAll(List<T> items, SyncStep<T> step) throws IOException {
        if (items.size() <= 1) {
            for (T item : items) {
                step.run(item);
            }
            return;
        }
        List<Future<?>> pending = new ArrayList<>(items.size());
        IOException failure = null;
        for (T item : items) {
            try {
                pending.add(syncPool.submit(() -> {
                    step.run(item);
                    return null;
                }));
            } catch (RejectedExecutionException closedMeanwhile) {
                try {
                    step.run(item);
                } catch (IOException e) {
                    failure = first(failure, e);
                }
            }
        }
        boolean interrupted = false;
        for (Future<?> f : pending) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the syncs are short and must end before the files are touched
                } catch (ExecutionException e) {
                    failure = first(failure, e.getCause() instanceof IOException io ? io
                            : new IOException("fsync failed", e.getCause()));
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static IOException first(IOException earlier, IOException e) {
        if (earlier == null) {
            return e;
        }
        earlier.addSuppressed(e);
        return earlier;
    }

    /** Where {@code hash} lives: {@code objects/<first byte hex>/<64 hex digits>}. */
    Path pathOf(ContentHash hash) {
        String name = hash.hex();
        return objects.resolve(name.substring(0, 2)).resolve(name);
    }

    private static Optional<ContentHash> parseName(String name) {
        if (name.length() != 2 * ContentHash.LENGTH) {
            return Optional.empty();
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return Optional.empty();
            }
        }
        return Optional.of(ContentHash.fromHex(name));
    }

    private void ensureOpen() throws BlobStoreException {
        if (closed) {
            throw new BlobStoreException(Code.CLOSED, "the blob store is closed");
        }
    }

    private FileAttribute<?>[] fileAttributes() {
        return posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
    }

    private static void createOwnerOnlyDirectory(Path directory, boolean posix) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        if (posix) {
            Files.createDirectories(directory,
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // The umask may have narrowed the mode further, never widened it; set it exactly.
            Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        } else {
            Files.createDirectories(directory);
        }
    }

    /**
     * Makes a rename or unlink in {@code directory} durable. Linux and macOS allow fsync on a
     * directory opened for reading; where the platform refuses, the rename is still atomic, just
     * not yet durable, which is the best that platform offers.
     */
    private static void fsyncDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // See above: not supported on this platform (for example Windows).
        }
    }

    private static int readContent(InputStream content, byte[] buffer) throws ContentReadFailure {
        try {
            return content.read(buffer);
        } catch (IOException e) {
            throw new ContentReadFailure(e);
        }
    }

    /** The caller's stream failed, as opposed to our storage. */
    private static final class ContentReadFailure extends IOException {
        private static final long serialVersionUID = 1L;

        ContentReadFailure(IOException cause) {
            super(cause);
        }
    }

    static BlobStoreException corrupt() {
        return new BlobStoreException(Code.CORRUPT,
                "stored bytes no longer match their address (bit rot or tampering); re-fetch the blob");
    }

    private static BlobStoreException ioFailure(String operation, IOException e) {
        String reason = e instanceof FileSystemException fs && fs.getReason() != null ? fs.getReason() : e.getMessage();
        if (reason != null && reason.contains("No space left on device")) {
            return new BlobStoreException(Code.FULL, "blob store " + operation
                    + " failed: the disk is full; free space, then retry", e);
        }
        // The cause carries file names, which are content hashes: keep them out of the message.
        return new BlobStoreException(Code.IO, "blob store " + operation + " failed ("
                + e.getClass().getSimpleName() + ")", e);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-256", e);
        }
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // A leftover temp file is removed on the next open.
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // Nothing was written through this channel.
            }
        }
    }
}
