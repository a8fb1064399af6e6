package dev.zerok.ports.id;

import java.util.Arrays;

/**
 * a sync group's identity: the SHA-256 of the group's 32-byte membership public key (see docs/SECURITY.md), so knowing the id alone does not grant membership.
 *
 * <p>Shape: exactly {@value #LENGTH} bytes, compared as unsigned bytes. Immutable and thread-safe:
 * the constructor and {@link #bytes()} copy. {@link #toString()} never prints the bytes (ids are
 * metadata the relay must not log, see docs/SECURITY.md); use {@link #hex()} where showing the id is
 * intended, such as the CLI's own output.
 *
 * @param value the {@value #LENGTH} id bytes
 */
public record GroupId(byte[] value) implements Comparable<GroupId> {
    /** Length of the id in bytes. */
    public static final int LENGTH = 32;

    /**
     * @throws IllegalArgumentException if {@code value} is null or not {@value #LENGTH} bytes long
     */
    public GroupId {
        value = IdBytes.copyOf("GroupId", value, LENGTH);
    }

    /**
     * Parses {@value #LENGTH} bytes written as lower- or upper-case hex.
     *
     * @throws IllegalArgumentException if the text is not exactly {@code 2 * LENGTH} hex digits
     */
    public static GroupId fromHex(String hex) {
        return new GroupId(IdBytes.fromHex("GroupId", hex, LENGTH));
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
        return other instanceof GroupId that && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public int compareTo(GroupId other) {
        return IdBytes.compare(value, other.value);
    }

    /** Always {@code GroupId[REDACTED]}: ids never reach logs by accident. */
    @Override
    public String toString() {
        return "GroupId[REDACTED]";
    }
}
