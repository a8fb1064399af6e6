package dev.zerok.kernel.content;

import dev.zerok.ports.id.ContentHash;
import java.util.Arrays;
import java.util.Objects;

/**
 * One sealed chunk and its content address, as {@link ChunkSealer#seal} produces it: what the
 * client stores in its BlobStore under {@code address} and pushes as a {@code CHUNK} sync payload.
 *
 * <p>The record does not check that {@code address} is the SHA-256 of {@code bytes} (it holds no
 * hash function); {@link ChunkSealer#open} does. Immutable and thread-safe: the byte array is
 * copied in and out. Equality is by address and bytes. {@link #toString()} prints only the length,
 * never bytes or the address.
 *
 * @param address SHA-256 of {@code bytes}, 32 bytes
 * @param bytes the sealed chunk: {@link ChunkSealer#OVERHEAD_BYTES} to
 *     {@link ChunkSealer#CHUNK_BYTES} + {@link ChunkSealer#OVERHEAD_BYTES} bytes (layout in
 *     {@link ChunkSealer})
 */
public record SealedChunk(ContentHash address, byte[] bytes) {
    /**
     * @throws NullPointerException if either argument is null
     */
    public SealedChunk {
        Objects.requireNonNull(address, "address");
        bytes = bytes.clone();
    }

    /** A copy of the sealed bytes. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The sealed length in bytes (plaintext length + {@link ChunkSealer#OVERHEAD_BYTES}), without copying. */
    public int sizeBytes() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SealedChunk c && address.equals(c.address) && Arrays.equals(bytes, c.bytes);
    }

    @Override
    public int hashCode() {
        return address.hashCode();
    }

    @Override
    public String toString() {
        return "SealedChunk[" + bytes.length + " bytes]";
    }
}
