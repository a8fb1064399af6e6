package dev.zerok.ports.crypto;

import dev.zerok.ports.entropy.Entropy;

/** A Diffie-Hellman function as Noise spec rev 34 section 4.1 defines it. Thread-safe. */
public interface Dh {
    /** The Noise name, e.g. {@code 25519}. */
    String name();

    /** DHLEN: length of public keys and of the agreement output, in bytes (32 for X25519). */
    int dhLen();

    /** GENERATE_KEYPAIR() with randomness from {@code entropy}. */
    KeyPair generateKeyPair(Entropy entropy);

    /**
     * The key pair whose private key is {@code privateKey} (for stored identities and test vectors).
     *
     * @throws CryptoException coded {@code INVALID_KEY} if the length is wrong
     */
    KeyPair keyPairFromPrivate(Secret privateKey) throws CryptoException;

    /**
     * DH(key_pair, public_key).
     *
     * @param publicKey {@link #dhLen()} bytes
     * @return {@link #dhLen()} shared bytes
     * @throws CryptoException coded {@code INVALID_KEY} for a wrong length or a low-order point
     *     (an all-zero X25519 output)
     */
    Secret agree(Secret privateKey, byte[] publicKey) throws CryptoException;
}
