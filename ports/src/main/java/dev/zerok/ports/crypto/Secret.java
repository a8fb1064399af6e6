package dev.zerok.ports.crypto;

import java.security.MessageDigest;
import java.util.Arrays;

/**
 * Secret bytes (a private key, a shared secret, a symmetric key) that can be wiped.
 * {@link #toString()} prints {@code [REDACTED]}; the bytes never reach logs or exceptions.
 *
 * <p>Not thread-safe with respect to {@link #destroy()}: the owner destroys it when no other
 * thread uses it.
 */
public final class Secret implements AutoCloseable {
    private final byte[] bytes;
    private boolean destroyed;

    private Secret(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps {@code bytes} without copying; the caller must not keep using the array. */
    public static Secret adopt(byte[] bytes) {
        return new Secret(bytes);
    }

    /** Copies {@code bytes}. */
    public static Secret copyOf(byte[] bytes) {
        return new Secret(bytes.clone());
    }

    /** Length in bytes. */
    public int length() {
        return bytes.length;
    }

    /**
     * The bytes themselves, not a copy: read them, do not keep or change them.
     *
     * @throws IllegalStateException after {@link #destroy()}
     */
    public byte[] expose() {
        if (destroyed) {
            throw new IllegalStateException("secret was already destroyed");
        }
        return bytes;
    }

    /** A copy that the caller owns (and must wipe). */
    public Secret copy() {
        return copyOf(expose());
    }

    /** Constant-time equality of the bytes. */
    public boolean contentEquals(Secret other) {
        return MessageDigest.isEqual(expose(), other.expose());
    }

    /** Overwrites the bytes with zeros. Idempotent. */
    public void destroy() {
        Arrays.fill(bytes, (byte) 0);
        destroyed = true;
    }

    /** True once destroyed. */
    public boolean isDestroyed() {
        return destroyed;
    }

    @Override
    public void close() {
        destroy();
    }

    @Override
    public String toString() {
        return "[REDACTED]";
    }
}
