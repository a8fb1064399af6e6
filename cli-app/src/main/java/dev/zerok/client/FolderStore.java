package dev.zerok.client;

import dev.zerok.kernel.content.ContentException;
import dev.zerok.kernel.content.FileRecord;
import dev.zerok.kernel.content.FolderCodec;
import dev.zerok.kernel.content.FolderState;
import dev.zerok.ports.id.ContentHash;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The device's shared folders as it knows them: for each folder a {@link FolderState} (the heads
 * of every path) and a bounded history of superseded versions, kept durable as an append-only log
 * {@code dataDir/folders/<sha256(name)>.log} of encoded {@code FolderCodec.Records} batches, each
 * {@code u32 length (BE) | bytes}, fsynced before {@link #merge} returns (so before the pull cursor
 * that delivered them moves). Loading replays the log; a torn last entry (a crash mid-append) is
 * dropped, which loses nothing: its page was never committed and is pulled again.
 *
 * <p>When a log grows past four times what its heads and history need, it is rewritten
 * (temp file, fsync, rename) with only those; the chunks only dropped records referenced are
 * returned to the caller to delete ({@link #compactAll}): the history of N versions per path is
 * what a device can restore, and nothing older is kept.
 *
 * <p>Thread-safe (every method is synchronized).
 */
final class FolderStore {
    private static final int RECORDS_PER_ENTRY = 4096;
    private static final long COMPACT_MIN_BYTES = 1 << 20;

    private final Path dir;
    private final int historyVersions;
    private final Map<String, Folder> folders = new TreeMap<>();

    private static final class Folder {
        final FolderState state;
        final Map<String, Deque<FileRecord>> history = new HashMap<>();
        long logBytes;
        final Set<ContentHash> dropped = new HashSet<>();

        Folder(String name) {
            state = new FolderState(name);
        }
    }

    /**
     * @param dir {@code dataDir/folders}, created owner-only if missing
     * @param historyVersions superseded versions kept per path (0 keeps only the current ones)
     */
    FolderStore(Path dir, int historyVersions) throws IOException {
        this.dir = dir;
        this.historyVersions = historyVersions;
        Files.createDirectories(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        try (Stream<Path> logs = Files.list(dir)) {
            for (Path log : logs.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList()) {
                load(log);
            }
        }
    }

    /** The names of every folder known, sorted. */
    synchronized List<String> names() {
        return List.copyOf(folders.keySet());
    }

    /** A snapshot of one folder's heads; an empty state if unknown. */
    synchronized FolderState state(String name) {
        Folder f = folders.get(name);
        FolderState copy = new FolderState(name);
        if (f != null) {
            f.state.all().forEach(copy::merge);
        }
        return copy;
    }

    /** Every record of every folder that is a head or kept history: what this device can serve. */
    synchronized Set<ContentHash> referencedChunks() {
        Set<ContentHash> out = new HashSet<>();
        for (Folder f : folders.values()) {
            f.state.all().forEach(r -> out.addAll(r.chunks()));
            f.history.values().forEach(h -> h.forEach(r -> out.addAll(r.chunks())));
        }
        return out;
    }

    /**
     * Merges a batch durably: appended to the folder's log and fsynced, then merged.
     *
     * @return true if any head changed
     */
    synchronized boolean merge(FolderCodec.Records batch) throws IOException {
        Folder f = folders.computeIfAbsent(batch.folder(), Folder::new);
        byte[] encoded = FolderCodec.encode(batch);
        append(logOf(batch.folder()), encoded);
        f.logBytes += 4 + encoded.length;
        boolean changed = false;
        for (FileRecord r : batch.records()) {
            changed |= mergeOne(f, r);
        }
        return changed;
    }

    /**
     * Rewrites every log that has grown past four times its live size and returns the chunks
     * that only dropped records referenced (the caller deletes those no collection or pending
     * push still needs).
     */
    synchronized Set<ContentHash> compactAll() throws IOException {
        Set<ContentHash> garbage = new HashSet<>();
        for (Folder f : folders.values()) {
            List<FileRecord> live = new ArrayList<>(f.state.all());
            f.history.values().forEach(live::addAll);
            long liveBytes = 0;
            for (FileRecord r : live) {
                liveBytes += FolderCodec.encodeRecord(r).length;
            }
            if (f.logBytes > COMPACT_MIN_BYTES && f.logBytes > 4 * liveBytes) {
                rewrite(f, live);
            }
            garbage.addAll(f.dropped);
            f.dropped.clear();
        }
        garbage.removeAll(referencedChunks());
        return garbage;
    }

    private boolean mergeOne(Folder f, FileRecord r) {
        return f.state.merge(r, superseded -> {
            if (superseded.deleted() || superseded.type() != FileRecord.Type.FILE) {
                return;
            }
            Deque<FileRecord> h = f.history.computeIfAbsent(superseded.path(), p -> new ArrayDeque<>());
            h.addFirst(superseded);
            while (h.size() > historyVersions) {
                f.dropped.addAll(h.removeLast().chunks());
            }
            if (h.isEmpty()) {
                f.history.remove(superseded.path());
            }
        });
    }

    private void rewrite(Folder f, List<FileRecord> live) throws IOException {
        Path log = logOf(f.state.name());
        Path temp = log.resolveSibling(log.getFileName() + ".tmp");
        long bytes = 0;
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            // History first, heads after: replaying the new log rebuilds the same heads and history.
            List<FileRecord> ordered = new ArrayList<>();
            f.history.values().forEach(h -> h.descendingIterator().forEachRemaining(ordered::add));
            ordered.addAll(f.state.all());
            for (int i = 0; i < ordered.size(); i += RECORDS_PER_ENTRY) {
                byte[] encoded = FolderCodec.encode(new FolderCodec.Records(f.state.name(),
                        ordered.subList(i, Math.min(ordered.size(), i + RECORDS_PER_ENTRY))));
                write(ch, encoded);
                bytes += 4 + encoded.length;
            }
            ch.force(true);
        }
        AtomicFiles.moveOver(temp, log);
        f.logBytes = bytes;
    }

    private void load(Path log) throws IOException {
        long good = 0;
        try (InputStream raw = Files.newInputStream(log); DataInputStream in = new DataInputStream(raw)) {
            while (true) {
                int length;
                try {
                    length = in.readInt();
                } catch (EOFException end) {
                    break;
                }
                if (length < 0 || length > Files.size(log)) {
                    break;
                }
                byte[] encoded = in.readNBytes(length);
                if (encoded.length != length) {
                    break;
                }
                FolderCodec.Message message;
                try {
                    message = FolderCodec.decode(encoded);
                } catch (ContentException e) {
                    throw new IOException("folder log " + log + " holds an unreadable entry (" + e.getMessage() + ")");
                }
                if (message instanceof FolderCodec.Records batch) {
                    Folder f = folders.computeIfAbsent(batch.folder(), Folder::new);
                    for (FileRecord r : batch.records()) {
                        mergeOne(f, r);
                    }
                    f.logBytes += 4 + length;
                    f.dropped.clear();
                }
                good += 4 + length;
            }
        }
        if (good != Files.size(log)) {
            try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
                ch.truncate(good);
                ch.force(true);
            }
        }
    }

    private Path logOf(String name) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            return dir.resolve(HexFormat.of().formatHex(h) + ".log");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void append(Path log, byte[] encoded) throws IOException {
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            write(ch, encoded);
            ch.force(false);
        }
    }

    private static void write(FileChannel ch, byte[] encoded) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(4 + encoded.length).putInt(encoded.length).put(encoded).flip();
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }
}
