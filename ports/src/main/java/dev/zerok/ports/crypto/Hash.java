package dev.zerok.ports.crypto;

/** A hash function with HMAC (Noise spec rev 34 section 4.3, RFC 2104). Thread-safe. */
public interface Hash {
    /** e.g. {@code SHA256}, {@code BLAKE2s}. */
    String name();

    /** HASHLEN in bytes (32 for SHA-256 and BLAKE2s). */
    int hashLen();

    /** BLOCKLEN in bytes (64 for SHA-256 and BLAKE2s). */
    int blockLen();

    /** HASH(parts[0] || parts[1] || ...): {@link #hashLen()} bytes. */
    byte[] digest(byte[]... parts);

    /** HMAC-HASH(key, parts[0] || parts[1] || ...): {@link #hashLen()} bytes. */
    byte[] hmac(byte[] key, byte[]... parts);
}
