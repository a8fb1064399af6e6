package dev.zerok.adapters.crypto;

import dev.zerok.ports.crypto.Aead;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Dh;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.Kem;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.PasswordHash;
import dev.zerok.ports.crypto.Signer;

/**
 * The {@link KeyExchange} of this adapter: Bouncy Castle for X25519, ML-KEM-768, BLAKE2s, Ed25519
 * and Argon2id; the JDK for ChaCha20-Poly1305 (and so XChaCha20-Poly1305) and SHA-256, where its
 * intrinsics are measurably faster. Stateless and thread-safe.
 */
final class CryptoPrimitives implements KeyExchange {
    private final X25519Dh x25519 = new X25519Dh();
    private final MlKem768 mlKem768 = new MlKem768();
    private final JdkChaChaPoly chaChaPoly = new JdkChaChaPoly();
    private final XChaChaPoly xChaChaPoly = new XChaChaPoly(chaChaPoly);
    private final JdkSha256 sha256 = new JdkSha256();
    private final BcBlake2s blake2s = new BcBlake2s();
    private final BcEd25519 ed25519 = new BcEd25519();
    private final BcArgon2id argon2id = new BcArgon2id();

    @Override
    public Dh dh(String noiseName) throws CryptoException {
        if ("25519".equals(noiseName)) {
            return x25519;
        }
        throw unsupported("DH", noiseName, "25519");
    }

    @Override
    public Kem kem(String name) throws CryptoException {
        if ("MLKEM768".equals(name)) {
            return mlKem768;
        }
        throw unsupported("KEM", name, "MLKEM768");
    }

    @Override
    public Aead aead(String noiseName) throws CryptoException {
        return switch (noiseName) {
            case "ChaChaPoly" -> chaChaPoly;
            case "XChaChaPoly" -> xChaChaPoly;
            default -> throw unsupported("AEAD", noiseName, "ChaChaPoly, XChaChaPoly");
        };
    }

    @Override
    public Hash hash(String noiseName) throws CryptoException {
        return switch (noiseName) {
            case "SHA256" -> sha256;
            case "BLAKE2s" -> blake2s;
            default -> throw unsupported("hash", noiseName, "SHA256, BLAKE2s");
        };
    }

    @Override
    public Signer signer(String name) throws CryptoException {
        if ("Ed25519".equals(name)) {
            return ed25519;
        }
        throw unsupported("signer", name, "Ed25519");
    }

    @Override
    public PasswordHash passwordHash(String name) throws CryptoException {
        if ("Argon2id".equals(name)) {
            return argon2id;
        }
        throw unsupported("password hash", name, "Argon2id");
    }

    private static CryptoException unsupported(String kind, String name, String known) {
        return new CryptoException(CryptoException.Code.UNSUPPORTED,
                "no " + kind + " named '" + name + "' in the bouncycastle adapter; supported: " + known);
    }
}
