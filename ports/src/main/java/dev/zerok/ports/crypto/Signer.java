package dev.zerok.ports.crypto;

/**
 * A signature scheme (Ed25519 per RFC 8032, pure mode, no context). The kernel's group
 * membership proof is built from it. Thread-safe.
 */
public interface Signer {
    /** e.g. {@code Ed25519}. */
    String name();

    /** Public key length in bytes: 32 for Ed25519. */
    int publicKeyBytes();

    /** Seed (private key) length in bytes: 32 for Ed25519. */
    int seedBytes();

    /** Signature length in bytes: 64 for Ed25519. */
    int signatureBytes();

    /**
     * The key pair whose private key is the {@link #seedBytes()}-byte {@code seed} (RFC 8032
     * section 5.1.5). Deterministic: the same seed always gives the same pair, which is what lets
     * every device derive the group signing key from the group secret.
     *
     * @return a pair whose {@code privateKey} is a copy of the seed
     * @throws CryptoException coded {@code INVALID_KEY} if the seed has the wrong length
     */
    KeyPair keyPairFromSeed(Secret seed) throws CryptoException;

    /**
     * Signs {@code message}; deterministic (RFC 8032 section 5.1.6).
     *
     * @param seed the {@link #seedBytes()}-byte private key
     * @return {@link #signatureBytes()} bytes
     * @throws CryptoException coded {@code INVALID_KEY} if the seed has the wrong length
     */
    byte[] sign(Secret seed, byte[] message) throws CryptoException;

    /**
     * Verifies a signature (RFC 8032 section 5.1.7, with the canonical-encoding checks).
     *
     * @return true only if {@code signature} is a valid signature of {@code message} under
     *     {@code publicKey}; false for any wrong length, non-canonical encoding or mismatch
     */
    boolean verify(byte[] publicKey, byte[] message, byte[] signature);
}
