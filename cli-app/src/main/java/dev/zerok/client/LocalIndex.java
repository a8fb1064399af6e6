package dev.zerok.client;

import dev.zerok.kernel.content.ContentException;
import dev.zerok.kernel.content.FileRecord;
import dev.zerok.kernel.content.FolderCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * What one folder looks like on one local directory as far as zerok knows: for each path the
 * record whose content the disk holds (written there by zerok, or scanned from there), with the
 * disk's modification time. A path on disk that differs from its entry was changed by someone
 * else (a local edit to publish, or a file zerok must not overwrite). Kept in
 * {@code dataDir/folders/<sha256(folder)>-<sha256(directory)>.local}, rewritten atomically (temp
 * file, fsync, rename) by {@link #save}. Not thread-safe.
 */
final class LocalIndex {
    private final Path file;
    private final String folder;
    private final NavigableMap<String, FileRecord> entries = new TreeMap<>();

    private LocalIndex(Path file, String folder) {
        this.file = file;
        this.folder = folder;
    }

    static LocalIndex load(Path foldersDir, String folder, Path directory) throws IOException {
        String name = sha256(folder).substring(0, 32) + "-" + sha256(directory.toAbsolutePath().normalize().toString())
                .substring(0, 32) + ".local";
        LocalIndex index = new LocalIndex(foldersDir.resolve(name), folder);
        if (Files.exists(index.file)) {
            try {
                if (FolderCodec.decode(Files.readAllBytes(index.file)) instanceof FolderCodec.Records r) {
                    r.records().forEach(rec -> index.entries.put(rec.path(), rec));
                }
            } catch (ContentException e) {
                throw new IOException("the local index " + index.file + " is unreadable (" + e.getMessage()
                        + "); delete it to rescan the directory from scratch");
            }
        }
        return index;
    }

    NavigableMap<String, FileRecord> entries() {
        return entries;
    }

    FileRecord get(String path) {
        return entries.get(path);
    }

    void put(FileRecord onDisk) {
        entries.put(onDisk.path(), onDisk);
    }

    void remove(String path) {
        entries.remove(path);
    }

    void save() throws IOException {
        byte[] encoded = FolderCodec.encode(new FolderCodec.Records(folder, java.util.List.copyOf(entries.values())));
        AtomicFiles.replace(file, ByteBuffer.wrap(encoded));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
