package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Dh;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import org.bouncycastle.math.ec.rfc7748.X25519;

/** X25519 (RFC 7748) from Bouncy Castle's constant-time field arithmetic. */
final class X25519Dh implements Dh {
    static final int KEY_BYTES = 32;

    @Override
    public String name() {
        return "25519";
    }

    @Override
    public int dhLen() {
        return KEY_BYTES;
    }

    @Override
    public KeyPair generateKeyPair(Entropy entropy) {
        byte[] privateKey = entropy.bytes(KEY_BYTES);
        byte[] publicKey = new byte[KEY_BYTES];
        X25519.generatePublicKey(privateKey, 0, publicKey, 0);
        return new KeyPair(publicKey, Secret.adopt(privateKey));
    }

    @Override
    public KeyPair keyPairFromPrivate(Secret privateKey) throws CryptoException {
        requireLength("private key", privateKey.length());
        byte[] publicKey = new byte[KEY_BYTES];
        X25519.generatePublicKey(privateKey.expose(), 0, publicKey, 0);
        return new KeyPair(publicKey, privateKey.copy());
    }

    @Override
    public Secret agree(Secret privateKey, byte[] publicKey) throws CryptoException {
        requireLength("private key", privateKey.length());
        requireLength("public key", publicKey.length);
        byte[] shared = new byte[KEY_BYTES];
        if (!X25519.calculateAgreement(privateKey.expose(), 0, publicKey, 0, shared, 0)) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY,
                    "X25519 agreement produced the all-zero output: the peer sent a low-order point");
        }
        return Secret.adopt(shared);
    }

    private static void requireLength(String what, int length) throws CryptoException {
        if (length != KEY_BYTES) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY,
                    "X25519 " + what + " must be " + KEY_BYTES + " bytes, got " + length);
        }
    }
}
