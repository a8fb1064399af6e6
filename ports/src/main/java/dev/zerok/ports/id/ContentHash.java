package dev.zerok.ports.id;

import java.util.Arrays;

/**
 * a content address: the SHA-256 of the stored bytes (for sealed chunks, of the ciphertext). The hash choice and its measurement are recorded in docs/SECURITY.md.
 *
 * <p>Shape: exactly {@value #LENGTH} bytes, compared as unsigned bytes. Immutable and thread-safe:
 * the constructor and {@link #bytes()} copy. {@link #toString()} never prints the bytes (ids are
 * metadata the relay must not log, see docs/SECURITY.md); use {@link #hex()} where showing the id is
 * intended, such as the CLI's own output.
 *
 * @param value the {@value #LENGTH} id bytes
 */
public record ContentHash(byte[] value) implements Comparable<ContentHash> {
    /** Length of the id in bytes. */
    public static final int LENGTH = 32;

    /**
     * @throws IllegalArgumentException if {@code value} is null or not {@value #LENGTH} bytes long
     */
    public ContentHash {
        value = IdBytes.copyOf("ContentHash", value, LENGTH);
    }

    /**
     * Parses {@value #LENGTH} bytes written as lower- or upper-case hex.
     *
     * @throws IllegalArgumentException if the text is not exactly {@code 2 * LENGTH} hex digits
     */
    public static ContentHash fromHex(String hex) {
        return new ContentHash(IdBytes.fromHex("ContentHash", hex, LENGTH));
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
        return other instanceof ContentHash that && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public int compareTo(ContentHash other) {
        return IdBytes.compare(value, other.value);
    }

    /** Always {@code ContentHash[REDACTED]}: ids never reach logs by accident. */
    @Override
    public String toString() {
        return "ContentHash[REDACTED]";
    }
}
