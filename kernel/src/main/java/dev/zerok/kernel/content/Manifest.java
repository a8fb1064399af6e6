package dev.zerok.kernel.content;

import dev.zerok.ports.id.ContentHash;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SequencedSet;

/**
 * A collection: a named tree of files and directories whose file contents are lists of sealed
 * chunks, named by content address. The manifest itself travels as a {@code COLLECTION} sync
 * payload (encoded by {@link ManifestCodec}, sealed like every blob); each chunk travels as a
 * {@code CHUNK} payload (sealed by {@link ChunkSealer}). docs/PROTOCOL.md, "Collections", has the
 * byte layout and how receivers assemble a collection.
 *
 * <p>Invariants, checked here and again by {@link ManifestCodec#decode} (which reports them with
 * the {@link ContentException.Code} named in brackets):
 * <ul>
 *   <li>{@code name}: 1 to {@value #MAX_NAME_BYTES} UTF-8 bytes of valid Unicode text, no '/' or
 *       NUL, not "." or ".." [BAD_NAME, TOO_LARGE];
 *   <li>{@code createdAt}: from the epoch to epoch + 2^63-1 ms; kept to whole milliseconds, the
 *       encoding's precision (a finer instant is truncated) [INVALID_VALUE];
 *   <li>at most {@value #MAX_ENTRIES} entries [TOO_LARGE]; paths unique, and no entry lies below a
 *       path that another entry lists as a FILE [DUPLICATE_PATH];
 *   <li>each {@link Entry}'s own rules (below).
 * </ul>
 *
 * <p>Entry order is the sender's and is kept; receivers must create missing parent directories
 * themselves (a file may be listed without its directories).
 *
 * <p><b>Size.</b> The encoded manifest must fit in one sync blob: the relay's frame limit
 * ({@code Welcome.maxFrameBytes}, 2 MiB by default) minus the Push message, sealing and payload
 * overheads. A one-chunk file with a 60-byte path costs about 107 encoded bytes (each further
 * chunk 34), so roughly 19,000 such files fit. {@link ManifestCodec#encode} does not enforce the
 * frame limit (it does not know it); the client checks the encoded length before pushing.
 *
 * <p>Immutable and thread-safe. {@link #toString()} prints counts only, never the name, paths or
 * addresses (they are private to the group).
 *
 * @param name the collection's display name
 * @param createdAt when the sender built the manifest, whole milliseconds since the epoch
 * @param entries the files and directories, in the sender's order
 */
public record Manifest(String name, Instant createdAt, List<Entry> entries) {
    /** The manifest format version this build writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** The most entries a manifest may hold. */
    public static final int MAX_ENTRIES = 1_000_000;
    /** The longest collection name in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 255;
    /** The longest entry path in UTF-8 bytes. */
    public static final int MAX_PATH_BYTES = 4096;
    /** The largest POSIX mode: permission bits plus set-user-ID, set-group-ID and sticky. */
    public static final int MAX_MODE = 07777;

    private static final Instant LATEST = Instant.ofEpochMilli(Long.MAX_VALUE);

    /** What an entry is. */
    public enum Type {
        /** A regular file: its content is the listed chunks. */
        FILE(1),
        /** A directory: no size, no chunks. */
        DIRECTORY(2);

        private final int wire;

        Type(int wire) {
            this.wire = wire;
        }

        /** The unsigned integer written for this type. */
        public int wire() {
            return wire;
        }
    }

    /**
     * One file or directory of a collection.
     *
     * <p>Invariants: {@code path} is relative with '/' separators, 1 to {@value #MAX_PATH_BYTES}
     * UTF-8 bytes of valid Unicode text, no leading '/', no empty, "." or ".." segment, no NUL and
     * no backslash [BAD_PATH, TOO_LARGE]; {@code mode} is 0..{@value #MAX_MODE}; a FILE has
     * {@code size >= 0} and exactly {@link #chunkCount(long) chunkCount(size)} chunks; a DIRECTORY
     * has size 0 and no chunks [INVALID_VALUE]. A chunk address may repeat (a file with repeated
     * content). {@link #toString()} prints no path or address.
     *
     * @param path where the entry lives inside the collection, e.g. {@code docs/a.txt}
     * @param type file or directory
     * @param mode the POSIX permission bits (0..07777), e.g. {@code 0644}
     * @param size the file's length in bytes; 0 for a directory
     * @param chunks the content addresses of the file's sealed chunks, in file order: chunk i holds
     *     plaintext bytes {@code [i * CHUNK_BYTES, min(size, (i + 1) * CHUNK_BYTES))}
     */
    public record Entry(String path, Type type, int mode, long size, List<ContentHash> chunks) {
        /**
         * @throws IllegalArgumentException if an invariant fails (its cause is a
         *     {@link ContentException} with the code); NullPointerException for a null argument or
         *     chunk
         */
        public Entry {
            Objects.requireNonNull(type, "type");
            chunks = List.copyOf(chunks);
            int chunkCount = chunks.size();
            unchecked(() -> checkEntry(path, type, mode, size, chunkCount));
        }

        /** A directory entry. */
        public static Entry directory(String path, int mode) {
            return new Entry(path, Type.DIRECTORY, mode, 0, List.of());
        }

        /** A file entry. */
        public static Entry file(String path, int mode, long size, List<ContentHash> chunks) {
            return new Entry(path, Type.FILE, mode, size, chunks);
        }

        @Override
        public String toString() {
            return "Entry[" + type + ", mode=" + Integer.toOctalString(mode) + ", " + size + " bytes, "
                    + chunks.size() + " chunks]";
        }
    }

    /**
     * @throws IllegalArgumentException if an invariant fails (its cause is a
     *     {@link ContentException} with the code); NullPointerException for a null argument or entry
     */
    public Manifest {
        Objects.requireNonNull(createdAt, "createdAt");
        entries = List.copyOf(entries);
        Instant at = createdAt;
        unchecked(() -> checkName(name));
        unchecked(() -> checkCreatedAt(at));
        createdAt = createdAt.truncatedTo(ChronoUnit.MILLIS);
        List<Entry> all = entries;
        unchecked(() -> checkEntries(all));
    }

    /**
     * How many chunks a file of {@code sizeBytes} has: ceil(size / {@link ChunkSealer#CHUNK_BYTES}),
     * so 0 for an empty file.
     *
     * @throws IllegalArgumentException if {@code sizeBytes < 0}
     */
    public static long chunkCount(long sizeBytes) {
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("a size cannot be negative, got " + sizeBytes);
        }
        return sizeBytes == 0 ? 0 : (sizeBytes - 1) / ChunkSealer.CHUNK_BYTES + 1;
    }

    /** The sum of the files' sizes in bytes (directories count 0). */
    public long totalBytes() {
        long total = 0;
        for (Entry e : entries) {
            total += e.size();
        }
        return total;
    }

    /** How many entries are files. */
    public int fileCount() {
        int count = 0;
        for (Entry e : entries) {
            if (e.type() == Type.FILE) {
                count++;
            }
        }
        return count;
    }

    /**
     * Every chunk address the collection needs, each once, in order of first appearance (entry
     * order, then chunk order): the order a client fetches or pushes them in.
     *
     * @return an unmodifiable set
     */
    public SequencedSet<ContentHash> distinctChunks() {
        LinkedHashSet<ContentHash> out = new LinkedHashSet<>();
        for (Entry e : entries) {
            out.addAll(e.chunks());
        }
        return Collections.unmodifiableSequencedSet(out);
    }

    @Override
    public String toString() {
        return "Manifest[" + entries.size() + " entries, " + fileCount() + " files, " + totalBytes() + " bytes]";
    }

    // ---------------------------------------------------------------- checks shared with ManifestCodec

    @FunctionalInterface
    interface Check {
        void run() throws ContentException;
    }

    static void unchecked(Check check) {
        try {
            check.run();
        } catch (ContentException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    static void checkName(String name) throws ContentException {
        Objects.requireNonNull(name, "name");
        int length = utf8Length("the collection name", name, ContentException.Code.BAD_NAME);
        if (length == 0) {
            throw new ContentException(ContentException.Code.BAD_NAME, "the collection name is empty");
        }
        if (length > MAX_NAME_BYTES) {
            throw new ContentException(ContentException.Code.TOO_LARGE,
                    "the collection name is " + length + " UTF-8 bytes; at most " + MAX_NAME_BYTES + " are allowed");
        }
        if (name.indexOf('/') >= 0 || name.indexOf('\0') >= 0 || name.equals(".") || name.equals("..")) {
            throw new ContentException(ContentException.Code.BAD_NAME,
                    "the collection name must not contain '/' or NUL, nor be \".\" or \"..\"");
        }
    }

    static void checkCreatedAt(Instant createdAt) throws ContentException {
        if (createdAt.isBefore(Instant.EPOCH) || createdAt.isAfter(LATEST)) {
            throw new ContentException(ContentException.Code.INVALID_VALUE,
                    "createdAt must lie between the epoch and epoch + 2^63-1 ms");
        }
    }

    static void checkPath(String path) throws ContentException {
        Objects.requireNonNull(path, "path");
        int length = utf8Length("an entry path", path, ContentException.Code.BAD_PATH);
        if (length == 0) {
            throw new ContentException(ContentException.Code.BAD_PATH, "an entry path is empty");
        }
        if (length > MAX_PATH_BYTES) {
            throw new ContentException(ContentException.Code.TOO_LARGE,
                    "an entry path is " + length + " UTF-8 bytes; at most " + MAX_PATH_BYTES + " are allowed");
        }
        if (path.indexOf('\0') >= 0 || path.indexOf('\\') >= 0) {
            throw new ContentException(ContentException.Code.BAD_PATH, "an entry path contains NUL or a backslash");
        }
        if (path.charAt(0) == '/') {
            throw new ContentException(ContentException.Code.BAD_PATH, "an entry path is absolute (leading '/')");
        }
        int start = 0;
        while (start <= path.length()) {
            int end = path.indexOf('/', start);
            if (end < 0) {
                end = path.length();
            }
            int segment = end - start;
            if (segment == 0
                    || (segment == 1 && path.charAt(start) == '.')
                    || (segment == 2 && path.charAt(start) == '.' && path.charAt(start + 1) == '.')) {
                throw new ContentException(ContentException.Code.BAD_PATH,
                        "an entry path has an empty, \".\" or \"..\" segment");
            }
            start = end + 1;
        }
    }

    static void checkEntry(String path, Type type, int mode, long size, int chunkCount) throws ContentException {
        checkPath(path);
        if (mode < 0 || mode > MAX_MODE) {
            throw new ContentException(ContentException.Code.INVALID_VALUE,
                    "mode must be 0..07777, got 0" + Integer.toOctalString(mode));
        }
        switch (type) {
            case FILE -> {
                if (size < 0) {
                    throw new ContentException(ContentException.Code.INVALID_VALUE, "a file size cannot be negative");
                }
                long expected = chunkCount(size);
                if (chunkCount != expected) {
                    throw new ContentException(ContentException.Code.INVALID_VALUE, "a file of " + size + " bytes has "
                            + expected + " chunks of at most " + ChunkSealer.CHUNK_BYTES + " bytes, but lists " + chunkCount);
                }
            }
            case DIRECTORY -> {
                if (size != 0 || chunkCount != 0) {
                    throw new ContentException(ContentException.Code.INVALID_VALUE,
                            "a directory has size 0 and no chunks, got " + size + " bytes and " + chunkCount + " chunks");
                }
            }
        }
    }

    static void checkEntries(List<Entry> entries) throws ContentException {
        if (entries.size() > MAX_ENTRIES) {
            throw new ContentException(ContentException.Code.TOO_LARGE,
                    "a manifest holds at most " + MAX_ENTRIES + " entries, got " + entries.size());
        }
        Map<String, Type> types = new HashMap<>(entries.size() * 2);
        for (Entry e : entries) {
            if (types.putIfAbsent(e.path(), e.type()) != null) {
                throw new ContentException(ContentException.Code.DUPLICATE_PATH, "two entries have the same path");
            }
        }
        for (Entry e : entries) {
            String path = e.path();
            for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
                if (types.get(path.substring(0, slash)) == Type.FILE) {
                    throw new ContentException(ContentException.Code.DUPLICATE_PATH,
                            "an entry lies below a path that another entry lists as a file");
                }
            }
        }
    }

    private static int utf8Length(String what, String text, ContentException.Code code) throws ContentException {
        try {
            return StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(text))
                    .remaining();
        } catch (CharacterCodingException e) {
            throw new ContentException(code, what + " is not valid Unicode text (unpaired surrogate)");
        }
    }
}
