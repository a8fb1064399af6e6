package dev.zerok.kernel.content;

import dev.zerok.kernel.content.ContentException.Code;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.DeviceId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * The data of a {@code FOLDER} sync payload: a batch of {@link FileRecord}s of one folder, or a
 * request that online peers republish what they hold (catch-up after the relay's TTL expired
 * blobs a device never pulled). MessagePack, decoded strictly in the style of
 * {@link ManifestCodec}; docs/PROTOCOL.md, "Folders", has the diagram.
 *
 * <pre>
 * message  = array(4) [ version: uint = 1,
 *                       kind: uint (1 = RECORDS, 2 = SNAPSHOT_REQUEST),
 *                       folder: str (RECORDS: the folder name, Manifest's name rules; SNAPSHOT_REQUEST: ""),
 *                       records: array(0..1,000,000) of record (SNAPSHOT_REQUEST: empty) ]
 * record   = array(10) [ path: str (1..4096 UTF-8 bytes, Manifest's path rules),
 *                        type: uint (1 = FILE, 2 = DIRECTORY, 3 = SYMLINK),
 *                        deleted: bool,
 *                        mode: uint (0..0o7777),
 *                        size: uint (bytes),
 *                        mtime: uint (milliseconds since 1970-01-01T00:00Z),
 *                        chunks: array(ceil(size / 1 MiB)) of bin (32 bytes),
 *                        target: str (a live SYMLINK's target, else ""),
 *                        version: array(1..4096) of array(2) [ device: bin (32), counter: uint (1..2^63-1) ],
 *                                 devices strictly ascending (unsigned bytes),
 *                        modifiedBy: bin (32 bytes, a device of version) ]
 * </pre>
 *
 * Decoding accepts exactly what {@link #encode} writes: anything else is a
 * {@link ContentException}, and no other exception escapes {@link #decode}. Stateless and
 * thread-safe.
 */
public final class FolderCodec {
    /** The format version this build writes and reads. */
    public static final int FORMAT_VERSION = 1;
    /** The most records one message may hold. */
    public static final int MAX_RECORDS = 1_000_000;
    /** The most devices one record's version vector may name. */
    public static final int MAX_VERSION_ENTRIES = 4096;

    private static final int MESSAGE_FIELDS = 4;
    private static final int RECORD_FIELDS = 10;

    /** A decoded message. */
    public sealed interface Message {}

    /**
     * Records of one folder.
     *
     * @param folder the folder's name (its id in the group)
     * @param records the records, in the sender's order
     */
    public record Records(String folder, List<FileRecord> records) implements Message {
        public Records {
            String f = folder;
            Manifest.unchecked(() -> Manifest.checkName(f));
            records = List.copyOf(records);
        }
    }

    /** A request that every peer republish the heads of every folder it holds, and their chunks. */
    public record SnapshotRequest() implements Message {}

    private FolderCodec() {}

    /** The canonical encoding of {@code message}. */
    public static byte[] encode(Message message) {
        Objects.requireNonNull(message, "message");
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(MESSAGE_FIELDS);
            p.packInt(FORMAT_VERSION);
            switch (message) {
                case Records r -> {
                    p.packInt(1);
                    p.packString(r.folder());
                    p.packArrayHeader(r.records().size());
                    for (FileRecord record : r.records()) {
                        pack(p, record);
                    }
                }
                case SnapshotRequest s -> {
                    p.packInt(2);
                    p.packString("");
                    p.packArrayHeader(0);
                }
            }
            return p.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory MessagePack encoding failed", e);
        }
    }

    /** The encoded length of one record inside a message: what a batch of records costs. */
    public static byte[] encodeRecord(FileRecord record) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            pack(p, record);
            return p.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException("in-memory MessagePack encoding failed", e);
        }
    }

    /** Bytes a Records message costs beyond its records, for a folder name of {@code folderBytes}. */
    public static int recordsOverheadBytes(int folderBytes) {
        return 1 + 1 + 1 + 5 + folderBytes + 5;
    }

    /**
     * Decodes exactly one message occupying all of {@code bytes}.
     *
     * @throws ContentException if the bytes are anything but the canonical encoding of a valid
     *     message (MALFORMED, TRUNCATED, TRAILING_BYTES, UNSUPPORTED_VERSION, TOO_LARGE, BAD_NAME,
     *     BAD_PATH, INVALID_VALUE)
     */
    public static Message decode(byte[] bytes) throws ContentException {
        return StrictReader.readAll(bytes, "folder message", FolderCodec::read, FolderCodec::encode);
    }

    private static Message read(StrictReader in) throws ContentException, IOException {
        int fields = in.arrayHeader("folder message", Integer.MAX_VALUE);
        if (fields < 1) {
            throw new ContentException(Code.MALFORMED, "a folder message starts with its version, got an empty array");
        }
        long version = in.uint("folder.version", Integer.MAX_VALUE);
        if (version != FORMAT_VERSION) {
            throw new ContentException(Code.UNSUPPORTED_VERSION,
                    "folder format version " + version + "; this build reads " + FORMAT_VERSION);
        }
        if (fields != MESSAGE_FIELDS) {
            throw new ContentException(Code.MALFORMED, "a folder message has " + MESSAGE_FIELDS + " fields, got " + fields);
        }
        long kind = in.uint("folder.kind", Integer.MAX_VALUE);
        String folder = in.str("folder.name", Manifest.MAX_NAME_BYTES, Code.BAD_NAME);
        int count = in.arrayHeader("folder.records", MAX_RECORDS);
        if (kind == 2) {
            if (!folder.isEmpty() || count != 0) {
                throw new ContentException(Code.INVALID_VALUE, "a snapshot request names no folder and holds no records");
            }
            return new SnapshotRequest();
        }
        if (kind != 1) {
            throw new ContentException(Code.INVALID_VALUE, "unknown folder message kind " + kind);
        }
        Manifest.checkName(folder);
        List<FileRecord> records = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            records.add(readRecord(in));
        }
        return StrictReader.build(() -> new Records(folder, records));
    }

    private static FileRecord readRecord(StrictReader in) throws ContentException, IOException {
        int fields = in.arrayHeader("record", Integer.MAX_VALUE);
        if (fields != RECORD_FIELDS) {
            throw new ContentException(Code.MALFORMED, "a record has " + RECORD_FIELDS + " fields, got " + fields);
        }
        String path = in.str("record.path", Manifest.MAX_PATH_BYTES, Code.BAD_PATH);
        Manifest.checkPath(path);
        long typeWire = in.uint("record.type", Integer.MAX_VALUE);
        FileRecord.Type type = null;
        for (FileRecord.Type t : FileRecord.Type.values()) {
            if (t.wire() == typeWire) {
                type = t;
            }
        }
        if (type == null) {
            throw new ContentException(Code.INVALID_VALUE, "unknown record type " + typeWire);
        }
        boolean deleted = in.bool("record.deleted");
        int mode = (int) in.uint("record.mode", Manifest.MAX_MODE);
        long size = in.uint("record.size", Long.MAX_VALUE);
        long mtime = in.uint("record.mtime", Long.MAX_VALUE);
        int chunkCount = in.arrayHeader("record.chunks", Integer.MAX_VALUE);
        long expected = type == FileRecord.Type.FILE && !deleted ? Manifest.chunkCount(size) : 0;
        if (chunkCount != expected) {
            throw new ContentException(Code.INVALID_VALUE, "a record of " + size + " bytes lists " + chunkCount
                    + " chunks, expected " + expected);
        }
        List<ContentHash> chunks = new ArrayList<>(chunkCount);
        for (int i = 0; i < chunkCount; i++) {
            chunks.add(new ContentHash(in.bin("record.chunks[i]", ContentHash.LENGTH)));
        }
        String target = in.str("record.target", Manifest.MAX_PATH_BYTES, Code.INVALID_VALUE);
        int entries = in.arrayHeader("record.version", MAX_VERSION_ENTRIES);
        TreeMap<DeviceId, Long> vector = new TreeMap<>();
        DeviceId previous = null;
        for (int i = 0; i < entries; i++) {
            if (in.arrayHeader("record.version[i]", 2) != 2) {
                throw new ContentException(Code.MALFORMED, "a version entry is [device, counter]");
            }
            DeviceId device = new DeviceId(in.bin("record.version[i].device", DeviceId.LENGTH));
            long counter = in.uint("record.version[i].counter", Long.MAX_VALUE);
            if (counter < 1 || (previous != null && previous.compareTo(device) >= 0)) {
                throw new ContentException(Code.INVALID_VALUE,
                        "version counters are >= 1 and devices strictly ascending");
            }
            vector.put(device, counter);
            previous = device;
        }
        DeviceId modifiedBy = new DeviceId(in.bin("record.modifiedBy", DeviceId.LENGTH));
        FileRecord.Type t = type;
        return StrictReader.build(() -> new FileRecord(path, t, deleted, mode, size, mtime, chunks, target,
                new VersionVector(vector), modifiedBy));
    }

    private static void pack(MessagePacker p, FileRecord r) throws IOException {
        p.packArrayHeader(RECORD_FIELDS);
        p.packString(r.path());
        p.packInt(r.type().wire());
        p.packBoolean(r.deleted());
        p.packInt(r.mode());
        p.packLong(r.size());
        p.packLong(r.mtimeMillis());
        p.packArrayHeader(r.chunks().size());
        for (ContentHash chunk : r.chunks()) {
            bin(p, chunk.bytes());
        }
        p.packString(r.linkTarget());
        p.packArrayHeader(r.version().entries().size());
        for (Map.Entry<DeviceId, Long> e : r.version().entries().entrySet()) {
            p.packArrayHeader(2);
            bin(p, e.getKey().bytes());
            p.packLong(e.getValue());
        }
        bin(p, r.modifiedBy().bytes());
    }

    private static void bin(MessagePacker p, byte[] bytes) throws IOException {
        p.packBinaryHeader(bytes.length);
        p.writePayload(bytes);
    }

}
