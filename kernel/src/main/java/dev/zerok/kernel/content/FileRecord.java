package dev.zerok.kernel.content;

import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.DeviceId;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * One version of one path of a shared folder, as a device publishes it: a change record in the
 * folder model (docs/PROTOCOL.md, "Folders"). A device's view of a folder is the causal merge of
 * every record it received ({@link FolderState}); records travel in {@code FOLDER} sync payloads
 * encoded by {@link FolderCodec}.
 *
 * <p>Invariants (checked here and by {@link FolderCodec#decode}, code in brackets): {@code path}
 * follows {@link Manifest.Entry}'s path rules [BAD_PATH, TOO_LARGE]; {@code mode} is 0..07777;
 * {@code mtimeMillis >= 0}; a live FILE has exactly {@link Manifest#chunkCount(long)
 * chunkCount(size)} chunks; a DIRECTORY, a SYMLINK and every deleted record (a tombstone) have
 * size 0 and no chunks; a live SYMLINK has a target of 1..{@value Manifest#MAX_PATH_BYTES} UTF-8
 * bytes without NUL, every other record an empty target; {@code version} is not empty and has an
 * entry for {@code modifiedBy} [INVALID_VALUE].
 *
 * <p>Immutable and thread-safe. {@link #toString()} prints no path, target or address.
 *
 * @param path where the entry lives inside the folder, '/'-separated, e.g. {@code docs/a.txt}
 * @param type file, directory or symbolic link
 * @param deleted true for a tombstone: the path was deleted at this version
 * @param mode the POSIX permission bits as the sender had them (receivers mask them)
 * @param size the file's length in bytes; 0 for anything else
 * @param mtimeMillis the modification time, milliseconds since the epoch (0 for a tombstone is fine)
 * @param chunks the content addresses of the file's sealed chunks, 1 MiB of plaintext each
 * @param linkTarget a live symbolic link's target, exactly as read (never followed); "" otherwise
 * @param version the record's version vector: one counter per device that changed this path
 * @param modifiedBy the device that made this change
 */
public record FileRecord(String path, Type type, boolean deleted, int mode, long size, long mtimeMillis,
        List<ContentHash> chunks, String linkTarget, VersionVector version, DeviceId modifiedBy) {

    /** What a path is. */
    public enum Type {
        /** A regular file: its content is the listed chunks. */
        FILE(1),
        /** A directory. */
        DIRECTORY(2),
        /** A symbolic link, synced as a link and never followed. */
        SYMLINK(3);

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
     * @throws IllegalArgumentException if an invariant fails (its cause is a
     *     {@link ContentException} with the code); NullPointerException for a null argument
     */
    public FileRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(linkTarget, "linkTarget");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(modifiedBy, "modifiedBy");
        chunks = List.copyOf(chunks);
        int chunkCount = chunks.size();
        String p = path;
        Manifest.unchecked(() -> check(p, type, deleted, mode, size, mtimeMillis, chunkCount, linkTarget, version,
                modifiedBy));
    }

    static void check(String path, Type type, boolean deleted, int mode, long size, long mtimeMillis, int chunkCount,
            String linkTarget, VersionVector version, DeviceId modifiedBy) throws ContentException {
        Manifest.checkPath(path);
        if (mode < 0 || mode > Manifest.MAX_MODE) {
            throw invalid("mode must be 0..07777, got 0" + Integer.toOctalString(mode));
        }
        if (mtimeMillis < 0) {
            throw invalid("a modification time before 1970 is not represented");
        }
        if (type == Type.FILE && !deleted) {
            if (size < 0 || chunkCount != Manifest.chunkCount(size)) {
                throw invalid("a file of " + size + " bytes must list " + Manifest.chunkCount(Math.max(size, 0))
                        + " chunks, got " + chunkCount);
            }
        } else if (size != 0 || chunkCount != 0) {
            throw invalid("only a live file has a size and chunks");
        }
        int targetBytes = linkTarget.getBytes(StandardCharsets.UTF_8).length;
        if (type == Type.SYMLINK && !deleted) {
            if (targetBytes == 0 || targetBytes > Manifest.MAX_PATH_BYTES || linkTarget.indexOf('\0') >= 0) {
                throw invalid("a link target is 1.." + Manifest.MAX_PATH_BYTES + " UTF-8 bytes without NUL");
            }
        } else if (targetBytes != 0) {
            throw invalid("only a live symbolic link has a target");
        }
        if (version.entries().isEmpty() || version.get(modifiedBy) == 0) {
            throw invalid("a record's version must count a change by the device that made it");
        }
    }

    private static ContentException invalid(String message) {
        return new ContentException(ContentException.Code.INVALID_VALUE, message);
    }

    /** A live file. */
    public static FileRecord file(String path, int mode, long size, long mtimeMillis, List<ContentHash> chunks,
            VersionVector version, DeviceId modifiedBy) {
        return new FileRecord(path, Type.FILE, false, mode, size, mtimeMillis, chunks, "", version, modifiedBy);
    }

    /** A live directory. */
    public static FileRecord directory(String path, int mode, long mtimeMillis, VersionVector version,
            DeviceId modifiedBy) {
        return new FileRecord(path, Type.DIRECTORY, false, mode, 0, mtimeMillis, List.of(), "", version, modifiedBy);
    }

    /** A live symbolic link. */
    public static FileRecord symlink(String path, String target, long mtimeMillis, VersionVector version,
            DeviceId modifiedBy) {
        return new FileRecord(path, Type.SYMLINK, false, 0777, 0, mtimeMillis, List.of(), target, version, modifiedBy);
    }

    /** A tombstone: {@code path} (of {@code type}) was deleted at {@code version}. */
    public static FileRecord tombstone(String path, Type type, long mtimeMillis, VersionVector version,
            DeviceId modifiedBy) {
        return new FileRecord(path, type, true, 0, 0, mtimeMillis, List.of(), "", version, modifiedBy);
    }

    /**
     * True if the two records describe the same content: same type, both deleted or both live,
     * same chunks and link target. Mode and modification time are not content: two devices that
     * wrote the same bytes concurrently do not conflict.
     */
    public boolean sameContent(FileRecord other) {
        return type == other.type && deleted == other.deleted && size == other.size && chunks.equals(other.chunks)
                && linkTarget.equals(other.linkTarget);
    }

    /** This record under another path, with another version (a conflict copy, a rename). */
    public FileRecord moved(String newPath, VersionVector newVersion, DeviceId by) {
        return new FileRecord(newPath, type, deleted, mode, size, mtimeMillis, chunks, linkTarget, newVersion, by);
    }

    @Override
    public String toString() {
        return "FileRecord[" + type + (deleted ? ", deleted" : "") + ", " + size + " bytes, " + chunks.size()
                + " chunks, " + version.entries().size() + " version entries]";
    }
}
