package dev.zerok.ports.crypto;

/** An AEAD cipher (Noise spec rev 34 section 4.2 and RFC 5116). Thread-safe. */
public interface Aead {
    /** e.g. {@code ChaChaPoly} or {@code XChaChaPoly}. */
    String name();

    /** Key length: 32 bytes. */
    int keyBytes();

    /** Nonce length: 12 bytes for ChaChaPoly, 24 for XChaChaPoly. */
    int nonceBytes();

    /** Tag length: 16 bytes. */
    int tagBytes();

    /**
     * Encrypts and authenticates.
     *
     * @return {@code plaintext.length + tagBytes()} bytes: ciphertext then tag
     * @throws CryptoException coded {@code INVALID_KEY} for a wrong key or nonce length
     */
    byte[] seal(Secret key, byte[] nonce, byte[] associatedData, byte[] plaintext) throws CryptoException;

    /**
     * Verifies and decrypts.
     *
     * @throws CryptoException coded {@code AUTHENTICATION_FAILED} if the tag does not verify (no
     *     plaintext is released), {@code INVALID_KEY} for wrong lengths
     */
    byte[] open(Secret key, byte[] nonce, byte[] associatedData, byte[] ciphertext) throws CryptoException;
}
