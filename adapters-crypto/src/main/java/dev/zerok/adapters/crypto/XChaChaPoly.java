package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.Aead;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Secret;
import java.util.Arrays;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha-03 section 2.3): HChaCha20 turns the key and the
 * first 16 nonce bytes into a subkey, then the JDK's ChaCha20-Poly1305 runs with the nonce
 * {@code 00 00 00 00 || nonce[16..24)}. Built this way rather than on Bouncy Castle's
 * XChaCha20Poly1305 to keep the JDK's intrinsic speed; XChaChaPolyTest proves both agree.
 * Thread-safe.
 */
final class XChaChaPoly implements Aead {
    static final int NONCE_BYTES = 24;
    private final JdkChaChaPoly chaChaPoly;

    XChaChaPoly(JdkChaChaPoly chaChaPoly) {
        this.chaChaPoly = chaChaPoly;
    }

    @Override
    public String name() {
        return "XChaChaPoly";
    }

    @Override
    public int keyBytes() {
        return JdkChaChaPoly.KEY_BYTES;
    }

    @Override
    public int nonceBytes() {
        return NONCE_BYTES;
    }

    @Override
    public int tagBytes() {
        return JdkChaChaPoly.TAG_BYTES;
    }

    @Override
    public byte[] seal(Secret key, byte[] nonce, byte[] associatedData, byte[] plaintext) throws CryptoException {
        checkLengths(key, nonce);
        byte[] subkey = HChaCha20.subkey(key.expose(), nonce);
        try {
            return chaChaPoly.seal(subkey, shortNonce(nonce), associatedData, plaintext);
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    @Override
    public byte[] open(Secret key, byte[] nonce, byte[] associatedData, byte[] ciphertext) throws CryptoException {
        checkLengths(key, nonce);
        byte[] subkey = HChaCha20.subkey(key.expose(), nonce);
        try {
            return chaChaPoly.open(subkey, shortNonce(nonce), associatedData, ciphertext);
        } finally {
            Arrays.fill(subkey, (byte) 0);
        }
    }

    private static byte[] shortNonce(byte[] nonce) {
        byte[] out = new byte[JdkChaChaPoly.NONCE_BYTES];
        System.arraycopy(nonce, 16, out, 4, 8);
        return out;
    }

    private static void checkLengths(Secret key, byte[] nonce) throws CryptoException {
        if (key.length() != JdkChaChaPoly.KEY_BYTES || nonce.length != NONCE_BYTES) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY, "XChaCha20-Poly1305 needs a 32-byte key and a"
                    + " 24-byte nonce, got " + key.length() + " and " + nonce.length);
        }
    }
}
