package dev.zerok.kernel.noise;

import dev.zerok.ports.crypto.Aead;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Secret;

/**
 * Noise spec rev 34 section 5.1: a key {@code k} (or none) and a 64-bit nonce {@code n}.
 *
 * <p>Nonce rules: {@code n} starts at 0 and increases by one per successful encryption or
 * decryption; it never wraps and is never reused. The value 2^64-1 is reserved (section 5.1), so
 * after 2^64-1 messages every call fails with {@code NONCE_EXHAUSTED}. A failed decryption does
 * not advance {@code n}. The 12-byte ChaChaPoly nonce is 4 zero bytes then {@code n}
 * little-endian (section 12.3).
 *
 * <p>Not thread-safe: one connection's driver owns it.
 */
public final class CipherState {
    /** 2^64-1 as an unsigned long: reserved, never used as a nonce. */
    static final long MAX_NONCE = -1L;
    private static final int TAG_BYTES = 16;

    private final Aead aead;
    private Secret key;
    private long nonce;

    /** An empty CipherState (no key): encryption passes plaintext through, as the spec says. */
    CipherState(Aead aead) {
        this.aead = aead;
    }

    /** InitializeKey(k): takes ownership of {@code newKey} (32 bytes) and resets the nonce to 0. */
    void initializeKey(Secret newKey) {
        destroy();
        key = newKey;
        nonce = 0;
    }

    /** HasKey(). */
    public boolean hasKey() {
        return key != null;
    }

    /** The next nonce to be used, as an unsigned 64-bit value. */
    public long nonce() {
        return nonce;
    }

    /** SetNonce(n), for tests that start near the end of the nonce space. */
    void setNonce(long n) {
        nonce = n;
    }

    /**
     * EncryptWithAd(ad, plaintext).
     *
     * @return {@code plaintext.length + 16} bytes, or a copy of the plaintext if there is no key
     * @throws NoiseException coded {@code NONCE_EXHAUSTED} when {@code n} reached 2^64-1
     */
    public byte[] encryptWithAd(byte[] associatedData, byte[] plaintext) throws NoiseException {
        if (key == null) {
            return plaintext.clone();
        }
        checkNonce();
        try {
            byte[] out = aead.seal(key, nonceBytes(nonce), associatedData, plaintext);
            nonce++;
            return out;
        } catch (CryptoException e) {
            throw new NoiseException(NoiseException.Code.INVALID_STATE, "encryption failed in the crypto adapter", e);
        }
    }

    /**
     * DecryptWithAd(ad, ciphertext).
     *
     * @throws NoiseException coded {@code DECRYPT_FAILED} if the tag does not verify (the nonce is
     *     not advanced), {@code NONCE_EXHAUSTED} when {@code n} reached 2^64-1
     */
    public byte[] decryptWithAd(byte[] associatedData, byte[] ciphertext) throws NoiseException {
        if (key == null) {
            return ciphertext.clone();
        }
        checkNonce();
        if (ciphertext.length < TAG_BYTES) {
            throw new NoiseException(NoiseException.Code.DECRYPT_FAILED,
                    "ciphertext of " + ciphertext.length + " bytes is shorter than the 16-byte tag");
        }
        try {
            byte[] out = aead.open(key, nonceBytes(nonce), associatedData, ciphertext);
            nonce++;
            return out;
        } catch (CryptoException e) {
            throw new NoiseException(NoiseException.Code.DECRYPT_FAILED,
                    "message " + Long.toUnsignedString(nonce) + " did not authenticate: altered, replayed, reordered"
                            + " or sent under another key");
        }
    }

    /**
     * Rekey() (section 11.3): {@code k = ENCRYPT(k, 2^64-1, empty, 32 zero bytes)[0..32)}. The
     * nonce is kept. Both peers must rekey at the same message position.
     *
     * @throws NoiseException coded {@code INVALID_STATE} if there is no key
     */
    public void rekey() throws NoiseException {
        if (key == null) {
            throw new NoiseException(NoiseException.Code.INVALID_STATE, "rekey on a CipherState without a key");
        }
        try {
            byte[] sealed = aead.seal(key, nonceBytes(MAX_NONCE), new byte[0], new byte[32]);
            byte[] newKey = java.util.Arrays.copyOf(sealed, 32);
            java.util.Arrays.fill(sealed, (byte) 0);
            key.destroy();
            key = Secret.adopt(newKey);
        } catch (CryptoException e) {
            throw new NoiseException(NoiseException.Code.INVALID_STATE, "rekey failed in the crypto adapter", e);
        }
    }

    /** Wipes the key; further use behaves as an empty CipherState is never allowed by callers. */
    void destroy() {
        if (key != null) {
            key.destroy();
            key = null;
        }
    }

    private void checkNonce() throws NoiseException {
        if (nonce == MAX_NONCE) {
            throw new NoiseException(NoiseException.Code.NONCE_EXHAUSTED,
                    "the 64-bit nonce space is used up; open a new session");
        }
    }

    static byte[] nonceBytes(long n) {
        byte[] out = new byte[12];
        for (int i = 0; i < 8; i++) {
            out[4 + i] = (byte) (n >>> (8 * i));
        }
        return out;
    }

    @Override
    public String toString() {
        return "CipherState[key=" + (key == null ? "none" : "[REDACTED]") + ", n=" + Long.toUnsignedString(nonce) + "]";
    }
}
