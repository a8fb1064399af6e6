package dev.zerok.ports.blob;

import dev.zerok.ports.id.ContentHash;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The BlobStore port: content-addressed storage of immutable byte strings. The address is the
 * SHA-256 of the bytes ({@link ContentHash}); storing the same bytes twice stores them once.
 *
 * <p>Every read verifies the hash: bytes that changed on disk (bit rot, tampering) are reported as
 * {@link BlobStoreException.Code#CORRUPT} and never returned as good, so the caller can re-fetch.
 * Writes are atomic: after a crash a blob is either wholly present or absent.
 *
 * <p>Thread-safe.
 */
public interface BlobStore extends AutoCloseable {
    /**
     * Stores {@code content}.
     *
     * @param content 0 or more bytes; not retained
     * @return the SHA-256 address of {@code content}
     * @throws BlobStoreException coded {@code IO} or {@code FULL} if it could not be stored
     *     durably; nothing partial is left behind
     */
    ContentHash put(byte[] content) throws BlobStoreException;

    /**
     * Streams {@code content} to EOF into the store without holding it in memory. The stream is
     * not closed.
     *
     * @return the SHA-256 address of what was read
     * @throws BlobStoreException coded {@code IO} (including a failing {@code content} stream) or
     *     {@code FULL}; nothing partial is left behind
     */
    ContentHash put(InputStream content) throws BlobStoreException;

    /**
     * Stores {@code content} only if it hashes to {@code expected}: how a downloaded chunk enters
     * the store.
     *
     * @throws BlobStoreException coded {@code CORRUPT} if the hash differs (nothing is stored),
     *     {@code IO} or {@code FULL}
     */
    void putVerified(ContentHash expected, byte[] content) throws BlobStoreException;

    /**
     * Stores several blobs, each only if it hashes to its address, as {@link #putVerified} does,
     * with one durability barrier for all of them instead of one each: when this returns, every
     * blob is durable. This default stores them one by one; a store with a cheaper group barrier
     * overrides it.
     *
     * @param blobs address to bytes (iteration order is the write order); empty does nothing
     * @throws BlobStoreException coded {@code CORRUPT} if any blob does not hash to its address
     *     (checked first: nothing is stored), {@code IO} or {@code FULL} (each blob is then wholly
     *     stored or absent, as after a crash)
     */
    default void putAllVerified(java.util.Map<ContentHash, byte[]> blobs) throws BlobStoreException {
        for (java.util.Map.Entry<ContentHash, byte[]> e : blobs.entrySet()) {
            putVerified(e.getKey(), e.getValue());
        }
    }

    /**
     * The whole blob, verified against its address.
     *
     * @return empty if the store has no blob at {@code hash}
     * @throws BlobStoreException coded {@code CORRUPT} if stored bytes no longer hash to
     *     {@code hash}, or {@code IO}
     */
    Optional<byte[]> get(ContentHash hash) throws BlobStoreException;

    /**
     * A stream over the blob for large content. The hash is checked as bytes are read; if it does
     * not match at end of stream, the final {@code read} throws an {@link java.io.IOException} whose
     * cause is a {@link BlobStoreException} coded {@code CORRUPT}, so a consumer never reaches EOF
     * on bad bytes.
     *
     * @return empty if absent
     * @throws BlobStoreException coded {@code IO}
     */
    Optional<InputStream> openStream(ContentHash hash) throws BlobStoreException;

    /** True if a blob is stored at {@code hash} (its bytes are not re-verified). */
    boolean has(ContentHash hash) throws BlobStoreException;

    /**
     * Removes the blob.
     *
     * @return true if it existed
     */
    boolean delete(ContentHash hash) throws BlobStoreException;

    /** Every stored address, in unsigned byte order. */
    List<ContentHash> list() throws BlobStoreException;

    /** Releases file handles. Idempotent; later calls fail with {@code CLOSED}. */
    @Override
    void close();
}
