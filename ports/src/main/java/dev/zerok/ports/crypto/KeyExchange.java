package dev.zerok.ports.crypto;

/**
 * The KeyExchange port: the cryptographic primitives the kernel's Noise, membership and blob
 * sealing code is built from, looked up by their Noise names. The protocol logic (HandshakeState,
 * HKDF, nonce rules) lives in the kernel; an adapter only supplies primitives.
 *
 * <p>Names an adapter must supply: DH {@code 25519} (RFC 7748); KEM {@code MLKEM768} (FIPS 203);
 * AEAD {@code ChaChaPoly} (RFC 8439, 12-byte nonce) and {@code XChaChaPoly}
 * (draft-irtf-cfrg-xchacha-03, 24-byte nonce); hash {@code SHA256} (FIPS 180-4) and {@code BLAKE2s}
 * (RFC 7693); signer {@code Ed25519} (RFC 8032); password hash {@code Argon2id} (RFC 9106).
 * Thread-safe; every primitive object is thread-safe too.
 */
public interface KeyExchange {
    /**
     * @throws CryptoException coded {@link CryptoException.Code#UNSUPPORTED} for an unknown name
     */
    Dh dh(String noiseName) throws CryptoException;

    /**
     * @throws CryptoException coded {@link CryptoException.Code#UNSUPPORTED} for an unknown name
     */
    Kem kem(String name) throws CryptoException;

    /**
     * @throws CryptoException coded {@link CryptoException.Code#UNSUPPORTED} for an unknown name
     */
    Aead aead(String noiseName) throws CryptoException;

    /**
     * @throws CryptoException coded {@link CryptoException.Code#UNSUPPORTED} for an unknown name
     */
    Hash hash(String noiseName) throws CryptoException;

    /**
     * @throws CryptoException coded {@link CryptoException.Code#UNSUPPORTED} for an unknown name
     */
    Signer signer(String name) throws CryptoException;

    /**
     * @throws CryptoException coded {@link CryptoException.Code#UNSUPPORTED} for an unknown name
     */
    PasswordHash passwordHash(String name) throws CryptoException;
}
