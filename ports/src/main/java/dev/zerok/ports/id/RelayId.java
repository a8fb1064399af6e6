package dev.zerok.ports.id;

import java.util.Arrays;

/**
 * a relay's identity: its 32-byte static X25519 public key, the value clients pin.
 *
 * <p>Shape: exactly {@value #LENGTH} bytes, compared as unsigned bytes. Immutable and thread-safe:
 * the constructor and {@link #bytes()} copy. {@link #toString()} never prints the bytes (ids are
 * metadata the relay must not log, see docs/SECURITY.md); use {@link #hex()} where showing the id is
 * intended, such as the CLI's own output.
 *
 * @param value the {@value #LENGTH} id bytes
 */
public record RelayId(byte[] value) implements Comparable<RelayId> {
    /** Length of the id in bytes. */
    public static final int LENGTH = 32;

    /**
     * @throws IllegalArgumentException if {@code value} is null or not {@value #LENGTH} bytes long
     */
    public RelayId {
        value = IdBytes.copyOf("RelayId", value, LENGTH);
    }

    /**
     * Parses {@value #LENGTH} bytes written as lower- or upper-case hex.
     *
     * @throws IllegalArgumentException if the text is not exactly {@code 2 * LENGTH} hex digits
     */
    public static RelayId fromHex(String hex) {
        return new RelayId(IdBytes.fromHex("RelayId", hex, LENGTH));
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
        return other instanceof RelayId that && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public int compareTo(RelayId other) {
        return IdBytes.compare(value, other.value);
    }

    /** Always {@code RelayId[REDACTED]}: ids never reach logs by accident. */
    @Override
    public String toString() {
        return "RelayId[REDACTED]";
    }
}
