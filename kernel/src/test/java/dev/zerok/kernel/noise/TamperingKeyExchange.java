package dev.zerok.kernel.noise;

import dev.zerok.ports.crypto.Aead;
import dev.zerok.ports.crypto.CryptoException;
import dev.zerok.ports.crypto.Dh;
import dev.zerok.ports.crypto.Hash;
import dev.zerok.ports.crypto.Kem;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.PasswordHash;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.crypto.Signer;
import dev.zerok.ports.entropy.Entropy;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * A fake around the real primitives for scenario tests: it can make X25519 or ML-KEM fail,
 * replace their shared secrets (what an attacker who broke the other component would still
 * lack), and records every (key, nonce) pair the AEAD seals under to prove no reuse.
 */
final class TamperingKeyExchange implements KeyExchange {
    enum Fault { NONE, DH_FAILS, KEM_FAILS, REPLACE_DH_SECRET, REPLACE_KEM_SECRET }

    private final KeyExchange real;
    private final Fault fault;
    final Set<String> sealedKeyNonces = new HashSet<>();
    int nonceReuses;

    TamperingKeyExchange(KeyExchange real, Fault fault) {
        this.real = real;
        this.fault = fault;
    }

    @Override
    public Dh dh(String noiseName) throws CryptoException {
        Dh dh = real.dh(noiseName);
        return new Dh() {
            @Override
            public String name() {
                return dh.name();
            }

            @Override
            public int dhLen() {
                return dh.dhLen();
            }

            @Override
            public KeyPair generateKeyPair(Entropy entropy) {
                return dh.generateKeyPair(entropy);
            }

            @Override
            public KeyPair keyPairFromPrivate(Secret privateKey) throws CryptoException {
                return dh.keyPairFromPrivate(privateKey);
            }

            @Override
            public Secret agree(Secret privateKey, byte[] publicKey) throws CryptoException {
                return switch (fault) {
                    case DH_FAILS -> throw new CryptoException(CryptoException.Code.INVALID_KEY, "injected X25519 failure");
                    case REPLACE_DH_SECRET -> Secret.adopt(new byte[32]);
                    default -> dh.agree(privateKey, publicKey);
                };
            }
        };
    }

    @Override
    public Kem kem(String name) throws CryptoException {
        Kem kem = real.kem(name);
        return new Kem() {
            @Override
            public String name() {
                return kem.name();
            }

            @Override
            public int publicKeyBytes() {
                return kem.publicKeyBytes();
            }

            @Override
            public int ciphertextBytes() {
                return kem.ciphertextBytes();
            }

            @Override
            public int sharedSecretBytes() {
                return kem.sharedSecretBytes();
            }

            @Override
            public KeyPair generateKeyPair(Entropy entropy) {
                return kem.generateKeyPair(entropy);
            }

            @Override
            public Encapsulation encapsulate(byte[] publicKey, Entropy entropy) throws CryptoException {
                if (fault == Fault.KEM_FAILS) {
                    throw new CryptoException(CryptoException.Code.INVALID_KEY, "injected ML-KEM failure");
                }
                Encapsulation real = kem.encapsulate(publicKey, entropy);
                return fault == Fault.REPLACE_KEM_SECRET ? new Encapsulation(real.ciphertext(), Secret.adopt(new byte[32]))
                        : real;
            }

            @Override
            public Secret decapsulate(Secret privateKey, byte[] ciphertext) throws CryptoException {
                if (fault == Fault.KEM_FAILS) {
                    throw new CryptoException(CryptoException.Code.INVALID_KEY, "injected ML-KEM failure");
                }
                return fault == Fault.REPLACE_KEM_SECRET ? Secret.adopt(new byte[32])
                        : kem.decapsulate(privateKey, ciphertext);
            }
        };
    }

    @Override
    public Aead aead(String noiseName) throws CryptoException {
        Aead aead = real.aead(noiseName);
        return new Aead() {
            @Override
            public String name() {
                return aead.name();
            }

            @Override
            public int keyBytes() {
                return aead.keyBytes();
            }

            @Override
            public int nonceBytes() {
                return aead.nonceBytes();
            }

            @Override
            public int tagBytes() {
                return aead.tagBytes();
            }

            @Override
            public byte[] seal(Secret key, byte[] nonce, byte[] associatedData, byte[] plaintext) throws CryptoException {
                String pair = HexFormat.of().formatHex(key.expose()) + "/" + HexFormat.of().formatHex(nonce);
                synchronized (sealedKeyNonces) {
                    if (!sealedKeyNonces.add(pair)) {
                        nonceReuses++;
                    }
                }
                return aead.seal(key, nonce, associatedData, plaintext);
            }

            @Override
            public byte[] open(Secret key, byte[] nonce, byte[] associatedData, byte[] ciphertext) throws CryptoException {
                return aead.open(key, nonce, associatedData, ciphertext);
            }
        };
    }

    @Override
    public Hash hash(String noiseName) throws CryptoException {
        return real.hash(noiseName);
    }

    @Override
    public Signer signer(String name) throws CryptoException {
        return real.signer(name);
    }

    @Override
    public PasswordHash passwordHash(String name) throws CryptoException {
        return real.passwordHash(name);
    }
}
