package dev.zerok.client;

import dev.zerok.kernel.content.ChunkPackCodec;
import dev.zerok.ports.id.ContentHash;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;

/**
 * Gathers small sealed chunks into packs (docs/PROTOCOL.md, "Chunk packs"): a chunk of at most
 * {@link #PACK_CHUNK_MAX_BYTES} sealed bytes waits here until the pack would exceed the pack limit,
 * then the full pack is handed out to be pushed as one {@code CHUNKS} blob. A larger chunk, or one
 * that alone would not fit the limit, is {@link #alone} and travels as a {@code CHUNK} blob.
 * Not thread-safe (one per scan or republish).
 */
final class ChunkPacker {
    /** A sealed chunk of at most this many bytes travels in a pack. */
    static final int PACK_CHUNK_MAX_BYTES = 256 * 1024;

    private final int packBytes;
    private final SequencedMap<ContentHash, byte[]> chunks = new LinkedHashMap<>();
    private long sealedBytes;

    /** @param packBytes encoded bytes of one pack, at most (a blob's data limit or less) */
    ChunkPacker(int packBytes) {
        this.packBytes = packBytes;
    }

    /** True if a chunk of {@code sealedLength} bytes must travel alone, as a {@code CHUNK} blob. */
    boolean alone(int sealedLength) {
        return sealedLength > PACK_CHUNK_MAX_BYTES || ChunkPackCodec.encodedBytesAtMost(1, sealedLength) > packBytes;
    }

    /** True if {@code address} waits in the current pack. */
    boolean contains(ContentHash address) {
        return chunks.containsKey(address);
    }

    /**
     * Adds a chunk that is not {@link #alone}.
     *
     * @return the pack that was full before this chunk (push it), if any; the chunk starts the next
     */
    Optional<Map<ContentHash, byte[]>> add(ContentHash address, byte[] sealed) {
        Optional<Map<ContentHash, byte[]>> full = Optional.empty();
        if (!chunks.isEmpty() && ChunkPackCodec.encodedBytesAtMost(chunks.size() + 1, sealedBytes + sealed.length) > packBytes) {
            full = drain();
        }
        chunks.put(address, sealed);
        sealedBytes += sealed.length;
        return full;
    }

    /** The chunks gathered so far, in order, if any; the packer is empty afterwards. */
    Optional<Map<ContentHash, byte[]>> drain() {
        if (chunks.isEmpty()) {
            return Optional.empty();
        }
        Map<ContentHash, byte[]> pack = new LinkedHashMap<>(chunks);
        chunks.clear();
        sealedBytes = 0;
        return Optional.of(pack);
    }

    /** The {@code CHUNKS} payload data of a pack. */
    static byte[] encode(Map<ContentHash, byte[]> pack) {
        return ChunkPackCodec.encode(java.util.List.copyOf(pack.values()));
    }
}
