package dev.zerok.ports.crypto;

/**
 * A memory-hard password hash (Argon2id version 0x13 per RFC 9106). The caller fixes every
 * parameter: an adapter never picks them from local RAM, because two devices must derive the
 * same key. Thread-safe.
 */
public interface PasswordHash {
    /** e.g. {@code Argon2id}. */
    String name();

    /**
     * Derives {@code outputBytes} bytes from {@code password} and {@code salt}.
     *
     * @param password the password bytes (UTF-8 for text); not modified, not kept
     * @param salt at least 8 bytes (RFC 9106 section 3.1), random per group
     * @param memoryKib memory cost in KiB, at least {@code 8 * parallelism}
     * @param iterations time cost, at least 1
     * @param parallelism lanes, 1 to 255
     * @param outputBytes 4 to 1024
     * @return a secret the caller owns and must destroy
     * @throws CryptoException coded {@code INVALID_KEY} if a parameter is out of range
     */
    Secret derive(byte[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int outputBytes)
            throws CryptoException;
}
