package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.crypto.Signer;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/** Ed25519 (RFC 8032, pure) from Bouncy Castle. */
final class BcEd25519 implements Signer {
    @Override
    public String name() {
        return "Ed25519";
    }

    @Override
    public int publicKeyBytes() {
        return Ed25519.PUBLIC_KEY_SIZE;
    }

    @Override
    public int seedBytes() {
        return Ed25519.SECRET_KEY_SIZE;
    }

    @Override
    public int signatureBytes() {
        return Ed25519.SIGNATURE_SIZE;
    }

    @Override
    public KeyPair keyPairFromSeed(Secret seed) throws CryptoException {
        checkSeed(seed);
        byte[] publicKey = new byte[Ed25519.PUBLIC_KEY_SIZE];
        Ed25519.generatePublicKey(seed.expose(), 0, publicKey, 0);
        return new KeyPair(publicKey, seed.copy());
    }

    @Override
    public byte[] sign(Secret seed, byte[] message) throws CryptoException {
        checkSeed(seed);
        byte[] signature = new byte[Ed25519.SIGNATURE_SIZE];
        Ed25519.sign(seed.expose(), 0, message, 0, message.length, signature, 0);
        return signature;
    }

    @Override
    public boolean verify(byte[] publicKey, byte[] message, byte[] signature) {
        if (publicKey.length != Ed25519.PUBLIC_KEY_SIZE || signature.length != Ed25519.SIGNATURE_SIZE) {
            return false;
        }
        return Ed25519.verify(signature, 0, publicKey, 0, message, 0, message.length);
    }

    private static void checkSeed(Secret seed) throws CryptoException {
        if (seed.length() != Ed25519.SECRET_KEY_SIZE) {
            throw new CryptoException(CryptoException.Code.INVALID_KEY,
                    "Ed25519 seed must be " + Ed25519.SECRET_KEY_SIZE + " bytes, got " + seed.length());
        }
    }
}
