package dev.zerok.ports.crypto;

import dev.zerok.ports.entropy.Entropy;

/** A key-encapsulation mechanism (ML-KEM-768 per FIPS 203). Thread-safe. */
public interface Kem {
    /** e.g. {@code MLKEM768}. */
    String name();

    /** Encapsulation (public) key length in bytes: 1184 for ML-KEM-768. */
    int publicKeyBytes();

    /** Ciphertext length in bytes: 1088 for ML-KEM-768. */
    int ciphertextBytes();

    /** Shared-secret length in bytes: 32. */
    int sharedSecretBytes();

    /** A fresh key pair. */
    KeyPair generateKeyPair(Entropy entropy);

    /**
     * Encapsulates to {@code publicKey}.
     *
     * @throws CryptoException coded {@code INVALID_KEY} if the key has the wrong length or fails
     *     the FIPS 203 encapsulation-key check
     */
    Encapsulation encapsulate(byte[] publicKey, Entropy entropy) throws CryptoException;

    /**
     * Decapsulates. ML-KEM's implicit rejection means a corrupted ciphertext yields a different,
     * pseudo-random secret rather than an error: the handshake fails at the next AEAD check.
     *
     * @throws CryptoException coded {@code INVALID_KEY} if {@code ciphertext} has the wrong length
     */
    Secret decapsulate(Secret privateKey, byte[] ciphertext) throws CryptoException;

    /**
     * @param ciphertext {@link #ciphertextBytes()} bytes to send
     * @param sharedSecret {@link #sharedSecretBytes()} bytes to keep
     */
    record Encapsulation(byte[] ciphertext, Secret sharedSecret) {
        @Override
        public String toString() {
            return "Encapsulation[REDACTED]";
        }
    }
}
