package dev.zerok.ports.id;

import java.util.Arrays;

/**
 * a device's identity: the SHA-256 of its 32-byte static X25519 public key, so it can be checked against the Noise handshake.
 *
 * <p>Shape: exactly {@value #LENGTH} bytes, compared as unsigned bytes. Immutable and thread-safe:
 * the constructor and {@link #bytes()} copy. {@link #toString()} never prints the bytes (ids are
 * metadata the relay must not log, see docs/SECURITY.md); use {@link #hex()} where showing the id is
 * intended, such as the CLI's own output.
 *
 * @param value the {@value #LENGTH} id bytes
 */
public record DeviceId(byte[] value) implements Comparable<DeviceId> {
    /** Length of the id in bytes. */
    public static final int LENGTH = 32;

    /**
     * @throws IllegalArgumentException if {@code value} is null or not {@value #LENGTH} bytes long
     */
    public DeviceId {
        value = IdBytes.copyOf("DeviceId", value, LENGTH);
    }

    /**
     * Parses {@value #LENGTH} bytes written as lower- or upper-case hex.
     *
     * @throws IllegalArgumentException if the text is not exactly {@code 2 * LENGTH} hex digits
     */
    public static DeviceId fromHex(String hex) {
        return new DeviceId(IdBytes.fromHex("DeviceId", hex, LENGTH));
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
        return other instanceof DeviceId that && Arrays.equals(value, that.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public int compareTo(DeviceId other) {
        return IdBytes.compare(value, other.value);
    }

    /** Always {@code DeviceId[REDACTED]}: ids never reach logs by accident. */
    @Override
    public String toString() {
        return "DeviceId[REDACTED]";
    }
}
