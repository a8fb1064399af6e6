package dev.zerok.chaos.real;

import dev.zerok.ports.id.BlobId;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.zip.CRC32;

/**
 * The application-side record of a process device: every blob delivered to its application, first
 * delivery only, appended and fsynced before the inbox returns, so it survives SIGKILL as the
 * application's own storage would. The device agent writes it; the topology reads it.
 *
 * <pre>
 * record := length (4 bytes, big-endian, = 16 + n) | blob id (16 bytes) | data (n bytes)
 *           | CRC-32 of id and data (4 bytes, big-endian)
 * </pre>
 * A reader stops at the first record that is incomplete or fails its CRC (a write in progress, or
 * one torn by a crash or a full disk); the writer cuts such a tail off when it opens the file and
 * after a failed append. Not thread-safe.
 */
final class ReceivedLog implements AutoCloseable {
    private static final int HEADER_BYTES = 4;
    private static final int TRAILER_BYTES = 4;
    private final FileChannel channel;
    private final Set<BlobId> ids = new HashSet<>();
    private long size;

    private ReceivedLog(FileChannel channel) {
        this.channel = channel;
    }

    /** Opens (creating) the log at {@code file}, loading the ids recorded and cutting a torn tail off. */
    static ReceivedLog open(Path file) throws IOException {
        ReceivedLog log = new ReceivedLog(FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE));
        log.size = read(file, 0, (id, data) -> log.ids.add(id));
        log.channel.truncate(log.size);
        return log;
    }

    /**
     * Appends {@code blob} unless it is recorded already, and forces it to the device.
     *
     * @return true if appended (a first delivery)
     * @throws IOException if the write or the fsync fails (e.g. ENOSPC); the log is cut back to what
     *     it held before
     */
    boolean appendIfNew(BlobId blob, byte[] data) throws IOException {
        if (ids.contains(blob)) {
            return false;
        }
        ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + BlobId.LENGTH + data.length + TRAILER_BYTES);
        record.putInt(BlobId.LENGTH + data.length).put(blob.bytes()).put(data);
        CRC32 crc = new CRC32();
        crc.update(record.array(), HEADER_BYTES, BlobId.LENGTH + data.length);
        record.putInt((int) crc.getValue()).flip();
        try {
            channel.position(size);
            while (record.hasRemaining()) {
                channel.write(record);
            }
            channel.force(true);
        } catch (IOException e) {
            try {
                channel.truncate(size);
            } catch (IOException ignored) {
                // the reader stops at the torn record anyway; the next open cuts it off
            }
            throw e;
        }
        size += record.limit();
        ids.add(blob);
        return true;
    }

    /**
     * Reads the complete, intact records of {@code file} from byte {@code offset} on, in order.
     *
     * @return the offset after the last complete record (where the next read starts)
     */
    static long read(Path file, long offset, BiConsumer<BlobId, byte[]> each) throws IOException {
        if (!Files.exists(file)) {
            return offset;
        }
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long end = in.size();
            long at = offset;
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
            while (end - at >= HEADER_BYTES + BlobId.LENGTH + TRAILER_BYTES) {
                header.clear();
                in.read(header, at);
                int length = header.flip().getInt();
                if (length < BlobId.LENGTH || end - at < (long) HEADER_BYTES + length + TRAILER_BYTES) {
                    break;
                }
                ByteBuffer body = ByteBuffer.allocate(length + TRAILER_BYTES);
                while (body.hasRemaining() && in.read(body, at + HEADER_BYTES + body.position()) > 0) {
                    // read fully
                }
                CRC32 crc = new CRC32();
                crc.update(body.array(), 0, length);
                if ((int) crc.getValue() != body.getInt(length)) {
                    break;
                }
                byte[] id = new byte[BlobId.LENGTH];
                System.arraycopy(body.array(), 0, id, 0, BlobId.LENGTH);
                byte[] data = new byte[length - BlobId.LENGTH];
                System.arraycopy(body.array(), BlobId.LENGTH, data, 0, data.length);
                each.accept(new BlobId(id), data);
                at += HEADER_BYTES + length + TRAILER_BYTES;
            }
            return at;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
