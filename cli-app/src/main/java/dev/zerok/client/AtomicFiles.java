package dev.zerok.client;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces a file whole or not at all: the bytes go to {@code <name>.tmp} beside it, are fsynced,
 * and the temp file is renamed over the target (atomically where the file system can). A crash
 * leaves the old file or the new one, never a mix. Stateless.
 */
final class AtomicFiles {
    private AtomicFiles() {}

    /** Writes {@code parts}, in order, as the new content of {@code target}. */
    static void replace(Path target, ByteBuffer... parts) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (ByteBuffer part : parts) {
                while (part.hasRemaining()) {
                    ch.write(part);
                }
            }
            ch.force(true);
        }
        moveOver(temp, target);
    }

    /** Makes what was written through {@code channel} durable ({@code fsync}). */
    static void force(FileChannel channel) throws IOException {
        channel.force(true);
    }

    /**
     * Makes renames into {@code directory} durable. Linux and macOS allow fsync on a directory
     * opened for reading; where the platform refuses, a rename is still atomic, just not yet
     * durable, which is the best that platform offers.
     */
    static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException ignored) {
            // See above: not supported on this platform (for example Windows).
        }
    }

    /** Renames {@code source} over {@code target}, atomically where the file system can. */
    static void moveOver(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
