package dev.zerok.client;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.DeviceId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The device's index of what it received, as files under {@code dataDir/content} (owner-only):
 * {@code received/<blob id hex>} holds a data blob as {@code sender (32) | sequence (u64 BE) | data},
 * {@code collections/<blob id hex>} a collection as {@code sender (32) | encoded manifest}. Each file
 * is written atomically (temp file, fsync, rename), so a crash leaves it whole or absent; writing
 * the same blob twice (at-least-once delivery) rewrites identical bytes.
 *
 * <p>These are the device's own plaintext records (file names live in manifests); the chunks they
 * point to stay sealed at rest in the chunk store. Thread-safe (every write is a rename).
 */
final class LocalContent {
    /** A stored record: who sent it and its bytes after the sender. */
    record Record(BlobId blob, DeviceId sender, byte[] body) {}

    private final Path received;
    private final Path collections;
    private final Path shown;

    LocalContent(Path contentDir) throws IOException {
        this.received = contentDir.resolve("received");
        this.collections = contentDir.resolve("collections");
        this.shown = contentDir.resolve("shown");
        for (Path dir : List.of(contentDir, received, collections)) {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    void putReceived(BlobId blob, DeviceId sender, long sequence, byte[] data) throws IOException {
        ByteBuffer body = ByteBuffer.allocate(8 + data.length).putLong(sequence).put(data);
        write(received.resolve(blob.hex()), sender, body.array());
    }

    void putCollection(BlobId blob, DeviceId sender, byte[] manifest) throws IOException {
        write(collections.resolve(blob.hex()), sender, manifest);
    }

    List<Record> received() throws IOException {
        return list(received);
    }

    List<Record> collections() throws IOException {
        return list(collections);
    }

    Optional<Record> collection(BlobId blob) throws IOException {
        Path file = collections.resolve(blob.hex());
        return Files.exists(file) ? Optional.of(read(blob, file)) : Optional.empty();
    }

    /** The blobs {@link #markShown} recorded: what `pull` already printed. */
    java.util.Set<BlobId> shown() throws IOException {
        java.util.Set<BlobId> out = new java.util.HashSet<>();
        if (Files.exists(shown)) {
            for (String line : Files.readAllLines(shown)) {
                if (line.length() == 2 * BlobId.LENGTH && line.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    out.add(BlobId.fromHex(line));
                }
            }
        }
        return out;
    }

    /** Appends blob ids to the shown list (a torn last line is ignored when read). */
    void markShown(List<BlobId> blobs) throws IOException {
        if (blobs.isEmpty()) {
            return;
        }
        StringBuilder text = new StringBuilder();
        blobs.forEach(b -> text.append(b.hex()).append('\n'));
        Files.writeString(shown, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<Record> list(Path dir) throws IOException {
        List<Record> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.length() == 2 * BlobId.LENGTH && name.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                    out.add(read(BlobId.fromHex(name), file));
                }
            }
        }
        return out;
    }

    private static Record read(BlobId blob, Path file) throws IOException {
        byte[] all = Files.readAllBytes(file);
        if (all.length < DeviceId.LENGTH) {
            throw new IOException("a content index file is truncated");
        }
        byte[] sender = java.util.Arrays.copyOfRange(all, 0, DeviceId.LENGTH);
        return new Record(blob, new DeviceId(sender), java.util.Arrays.copyOfRange(all, DeviceId.LENGTH, all.length));
    }

    private static void write(Path target, DeviceId sender, byte[] body) throws IOException {
        AtomicFiles.replace(target, ByteBuffer.wrap(sender.bytes()), ByteBuffer.wrap(body));
    }
}
