package dev.zerok.kernel.content;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessagePack;

/**
 * A chunk pack: several sealed chunks ({@link ChunkSealer}) in one {@code CHUNKS} sync payload,
 * so that a tree of small files travels as a few blobs instead of one blob per file (one outbox
 * row, relay row, acknowledgement and index entry per pack, not per chunk). docs/PROTOCOL.md,
 * "Chunk packs".
 *
 * <pre>
 * pack = array(1..{@value #MAX_CHUNKS}) of bin ({@value ChunkSealer#OVERHEAD_BYTES}..{@value ChunkSealer#MAX_SEALED_BYTES} bytes: one sealed chunk)
 * </pre>
 *
 * Each element is handled exactly as the data of a {@code CHUNK} payload: named by the SHA-256 of
 * its bytes and verified when opened. Decoding accepts exactly the bytes {@link #encode} produces
 * (smallest headers, no trailing bytes); every declared length and count is checked against the
 * bytes that remain before anything is allocated, and every failure is a {@link ContentException}.
 * Stateless and thread-safe.
 */
public final class ChunkPackCodec {
    /** Chunks in one pack, at most. */
    public static final int MAX_CHUNKS = 65_536;

    private ChunkPackCodec() {}

    /**
     * The encoded pack.
     *
     * @param sealedChunks 1..{@value #MAX_CHUNKS} sealed chunks, each
     *     {@value ChunkSealer#OVERHEAD_BYTES}..{@value ChunkSealer#MAX_SEALED_BYTES} bytes
     * @throws IllegalArgumentException if the count or a chunk's length is out of range
     */
    public static byte[] encode(List<byte[]> sealedChunks) {
        if (sealedChunks.isEmpty() || sealedChunks.size() > MAX_CHUNKS) {
            throw new IllegalArgumentException("a pack holds 1.." + MAX_CHUNKS + " chunks, got " + sealedChunks.size());
        }
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            p.packArrayHeader(sealedChunks.size());
            for (byte[] sealed : sealedChunks) {
                if (sealed.length < ChunkSealer.OVERHEAD_BYTES || sealed.length > ChunkSealer.MAX_SEALED_BYTES) {
                    throw new IllegalArgumentException("a sealed chunk is " + ChunkSealer.OVERHEAD_BYTES + ".."
                            + ChunkSealer.MAX_SEALED_BYTES + " bytes, got " + sealed.length);
                }
                p.packBinaryHeader(sealed.length);
                p.writePayload(sealed);
            }
            return p.toByteArray();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("in-memory packing cannot fail", e);
        }
    }

    /**
     * Encoded bytes of a pack of chunks whose sealed lengths sum to {@code sealedBytes}, at most:
     * that sum plus 5 bytes of header per chunk and for the array.
     */
    public static long encodedBytesAtMost(int chunks, long sealedBytes) {
        return sealedBytes + 5L * (chunks + 1);
    }

    /**
     * The sealed chunks of an encoded pack, in order.
     *
     * @throws ContentException coded {@code MALFORMED} (not a canonical array of bin),
     *     {@code TRUNCATED}, {@code TRAILING_BYTES}, {@code TOO_LARGE} (more than
     *     {@value #MAX_CHUNKS} chunks or one above {@value ChunkSealer#MAX_SEALED_BYTES} bytes) or
     *     {@code INVALID_VALUE} (an empty pack or a chunk shorter than
     *     {@value ChunkSealer#OVERHEAD_BYTES} bytes)
     */
    public static List<byte[]> decode(byte[] bytes) throws ContentException {
        return StrictReader.readAll(bytes, "chunk pack", in -> {
            int count = in.arrayHeader("pack", MAX_CHUNKS);
            if (count == 0) {
                throw new ContentException(ContentException.Code.INVALID_VALUE, "a chunk pack holds no chunk");
            }
            List<byte[]> chunks = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                chunks.add(in.bin("pack[" + i + "]", ChunkSealer.OVERHEAD_BYTES, ChunkSealer.MAX_SEALED_BYTES));
            }
            return chunks;
        }, ChunkPackCodec::encode);
    }
}
