package dev.zerok.ports.id;

import java.util.Arrays;

/**
 * a blob's identity, 16 random bytes chosen by the sender before sealing (it is bound into the AEAD associated data, so it cannot be the hash of the ciphertext).
 *
 * <p>Shape: exactly {@value #LENGTH} bytes, compared as unsigned bytes. Immutable and thread-safe:
 * the constructor and {@link #bytes()} copy. {@link #toString()} never prints the bytes (ids are
 * metadata the relay must not log, see docs/SECURITY.md); use {@link #hex()} where showing the id is
 * intended, such as the CLI's own output.
 *
 * @param value the {@value #LENGTH} id bytes
 */
public record BlobId(byte[] value) implements Comparable<BlobId> {
    /** Length of the id in bytes. */
    public static final int LENGTH = 16;

    /**
     * @throws IllegalArgumentException if {@code value} is null or not {@value #LENGTH} bytes long
     */
    public BlobId {
        value = IdBytes.copyOf("BlobId", value, LENGTH);
    }

    /**
     * Parses {@value #LENGTH} bytes written as lower- or upper-case hex.
     *
     * @throws IllegalArgumentException if the text is not exactly {@code 2 * LENGTH} hex digits
     */
    public static BlobId fromHex(String hex) {
        return new BlobId(IdBytes.fromHex("BlobId", hex, LENGTH));
    }

    /** A copy of the {@value #LENGTH} id bytes. */
    public byte[] bytes() {
        return value.clone();
    }

    /** A copy of the {@value #LENGTH} id bytes (record accessor; same as {@link #bytes()}). */
    @Override
    public byte[] value() {
        return value.clone();
    }

    /** The id as {@code 2 * LENGTH} lower-case hex digits, for deliberate display only. */
    public String hex() {
        return IdBytes.hex(value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof BlobId that && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public int compareTo(BlobId other) {
        return IdBytes.compare(value, other.value);
    }

    /** Always {@code BlobId[REDACTED]}: ids never reach logs by accident. */
    @Override
    public String toString() {
        return "BlobId[REDACTED]";
    }
}
