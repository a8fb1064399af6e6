package dev.zerok.kernel.content;

import dev.zerok.kernel.content.ContentException.Code;
import dev.zerok.ports.id.ContentHash;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePacker;

/**
 * Encodes {@link Manifest}s as MessagePack and decodes them strictly, in the style of the wire
 * codec ({@code dev.zerok.kernel.wire.MessageCodec}); docs/PROTOCOL.md, "Collections", has the
 * diagram.
 *
 * <pre>
 * manifest = array(4) [ version: uint = 1,
 *                       name: str (1..255 UTF-8 bytes),
 *                       createdAt: uint (milliseconds since 1970-01-01T00:00Z, 0 .. 2^63-1),
 *                       entries: array(0..1,000,000) of entry ]
 * entry    = array(5) [ path: str (1..4096 UTF-8 bytes),
 *                       type: uint (1 = FILE, 2 = DIRECTORY),
 *                       mode: uint (0..0o7777),
 *                       size: uint (bytes, 0 .. 2^63-1),
 *                       chunks: array(ceil(size / 1 MiB)) of bin (32 bytes: a content address) ]
 * </pre>
 *
 * Byte strings are always {@code bin}, text always {@code str} (UTF-8), integers unsigned in their
 * smallest encoding, and arrays and strings use their smallest header.
 *
 * <p>Decoding accepts exactly the bytes {@link #encode} produces and nothing else: a wrong
 * version, a missing or extra field, a wrong MessagePack type, an out-of-range value, invalid
 * UTF-8, a non-minimal encoding, trailing bytes, or a manifest that breaks one of
 * {@link Manifest}'s invariants is a {@link ContentException}. Every declared length and count is
 * checked against the bytes that remain before anything is allocated (msgpack-core's
 * {@code unpackValue} does not, so it is never used): a 5-byte array header cannot make the
 * decoder reserve gigabytes. No other exception escapes {@link #decode}.
 *
 * <p>{@link #encode} does not enforce the relay's frame limit; see {@link Manifest}, "Size".
 * Stateless and thread-safe.
 */
public final class ManifestCodec {
    private static final int MANIFEST_FIELDS = 4;
    private static final int ENTRY_FIELDS = 5;

    private ManifestCodec() {}

    /**
     * The canonical MessagePack encoding of {@code manifest}.
     *
     * @return a fresh array holding one MessagePack array value
     */
    public static byte[] encode(Manifest manifest) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(MANIFEST_FIELDS);
            p.packInt(Manifest.FORMAT_VERSION);
            p.packString(manifest.name());
            p.packLong(manifest.createdAt().toEpochMilli());
            p.packArrayHeader(manifest.entries().size());
            for (Manifest.Entry e : manifest.entries()) {
                p.packArrayHeader(ENTRY_FIELDS);
                p.packString(e.path());
                p.packInt(e.type().wire());
                p.packInt(e.mode());
                p.packLong(e.size());
                p.packArrayHeader(e.chunks().size());
                for (ContentHash chunk : e.chunks()) {
                    bin(p, chunk.bytes());
                }
            }
            return p.toByteArray();
        } catch (IOException e) {
            // MessageBufferPacker writes to memory; its IOException is declared, never thrown.
            throw new IllegalStateException("in-memory MessagePack encoding failed", e);
        }
    }

    /**
     * Decodes exactly one manifest occupying all of {@code bytes}.
     *
     * @param bytes the data of a {@code COLLECTION} sync payload
     * @throws ContentException if the bytes are anything but the canonical encoding of a valid
     *     manifest; the code says which rule broke (MALFORMED, TRUNCATED, TRAILING_BYTES,
     *     UNSUPPORTED_VERSION, TOO_LARGE, BAD_NAME, BAD_PATH, DUPLICATE_PATH, INVALID_VALUE)
     */
    public static Manifest decode(byte[] bytes) throws ContentException {
        return StrictReader.readAll(bytes, "manifest", ManifestCodec::readManifest, ManifestCodec::encode);
    }

    private static Manifest readManifest(StrictReader in) throws ContentException, IOException {
        int fields = in.arrayHeader("manifest", Integer.MAX_VALUE);
        if (fields < 1) {
            throw new ContentException(Code.MALFORMED, "a manifest array starts with its version, got an empty array");
        }
        long version = in.uint("Manifest.version", Integer.MAX_VALUE);
        if (version != Manifest.FORMAT_VERSION) {
            throw new ContentException(Code.UNSUPPORTED_VERSION,
                    "manifest format version " + version + "; this build reads " + Manifest.FORMAT_VERSION);
        }
        if (fields != MANIFEST_FIELDS) {
            throw new ContentException(Code.MALFORMED,
                    "a version-1 manifest has " + MANIFEST_FIELDS + " fields, got " + fields);
        }
        String name = in.str("Manifest.name", Manifest.MAX_NAME_BYTES, Code.BAD_NAME);
        check(() -> Manifest.checkName(name));
        long createdAtMillis = in.uint("Manifest.createdAt", Long.MAX_VALUE);
        int count = in.arrayHeader("Manifest.entries", Manifest.MAX_ENTRIES);
        List<Manifest.Entry> entries = new ArrayList<>(Math.min(count, 1024));
        for (int i = 0; i < count; i++) {
            entries.add(readEntry(in));
        }
        Instant createdAt = Instant.ofEpochMilli(createdAtMillis);
        return StrictReader.build(() -> new Manifest(name, createdAt, entries));
    }

    private static Manifest.Entry readEntry(StrictReader in) throws ContentException, IOException {
        int fields = in.arrayHeader("Manifest.entries[i]", Integer.MAX_VALUE);
        if (fields != ENTRY_FIELDS) {
            throw new ContentException(Code.MALFORMED, "an entry has " + ENTRY_FIELDS + " fields, got " + fields);
        }
        String path = in.str("Entry.path", Manifest.MAX_PATH_BYTES, Code.BAD_PATH);
        check(() -> Manifest.checkPath(path));
        long typeWire = in.uint("Entry.type", Integer.MAX_VALUE);
        Manifest.Type type = null;
        for (Manifest.Type t : Manifest.Type.values()) {
            if (t.wire() == typeWire) {
                type = t;
            }
        }
        if (type == null) {
            throw new ContentException(Code.INVALID_VALUE, "unknown entry type " + typeWire);
        }
        int mode = (int) in.uint("Entry.mode", Manifest.MAX_MODE);
        long size = in.uint("Entry.size", Long.MAX_VALUE);
        int chunkCount = in.arrayHeader("Entry.chunks", Integer.MAX_VALUE);
        Manifest.Type entryType = type;
        // Checked before the chunks are read, so a hostile count is refused before it costs anything.
        check(() -> Manifest.checkEntry(path, entryType, mode, size, chunkCount));
        List<ContentHash> chunks = new ArrayList<>(chunkCount);
        for (int i = 0; i < chunkCount; i++) {
            chunks.add(new ContentHash(in.bin("Entry.chunks[i]", ContentHash.LENGTH)));
        }
        return StrictReader.build(() -> new Manifest.Entry(path, entryType, mode, size, chunks));
    }

    private static void check(Manifest.Check check) throws ContentException {
        check.run();
    }

    private static void bin(MessagePacker p, byte[] bytes) throws IOException {
        p.packBinaryHeader(bytes.length);
        p.writePayload(bytes);
    }
}
