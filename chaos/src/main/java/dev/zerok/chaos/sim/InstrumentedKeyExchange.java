package dev.zerok.chaos.sim;

import dev.zerok.chaos.topology.KeyExchangeFault;
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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Set;

/**
 * A device's KeyExchange port in the chaos topologies (mock and real in-process devices): the real
 * primitives, optionally with one hybrid handshake component broken ({@link KeyExchangeFault}, seed
 * 000 E-PQ-03), and the transport AEAD (Noise's ChaChaPoly) watched: every seal's (key, nonce) pair
 * is remembered, as a SHA-256 of both (never the key itself), to count reuses (E-ENC-04). Each time
 * the broken component acts, {@code onFault} is told (the fault event of the run's timeline).
 * Thread-safe: the counters and the set of pairs are guarded by this object.
 */
public final class InstrumentedKeyExchange implements KeyExchange {
    private static final String TRANSPORT_AEAD = "ChaChaPoly";

    private final KeyExchange real;
    private final Optional<KeyExchangeFault> fault;
    private final java.util.function.Consumer<KeyExchangeFault> onFault;
    private final Set<String> keyNonces = new HashSet<>();
    private long seals;
    private long reuses;

    /**
     * @param real the primitives
     * @param fault the component to break, if any
     * @param onFault told each time the broken component acted (on the calling thread)
     */
    public InstrumentedKeyExchange(KeyExchange real, Optional<KeyExchangeFault> fault,
            java.util.function.Consumer<KeyExchangeFault> onFault) {
        this.real = real;
        this.fault = fault;
        this.onFault = onFault;
    }

    /** Seals the transport AEAD performed. */
    public synchronized long seals() {
        return seals;
    }

    /** Seals under a (key, nonce) pair used before. */
    public synchronized long keyNonceReuses() {
        return reuses;
    }

    /** Whether {@code f} is the broken component; if so it is about to act, and that is reported. */
    private boolean is(KeyExchangeFault f) {
        if (fault.isPresent() && fault.get() == f) {
            onFault.accept(f);
            return true;
        }
        return false;
    }

    private synchronized void recordSeal(String keyNonce) {
        seals++;
        if (!keyNonces.add(keyNonce)) {
            reuses++;
        }
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
                if (is(KeyExchangeFault.X25519_THROWS)) {
                    throw new CryptoException(CryptoException.Code.INVALID_KEY, "injected X25519 failure (chaos E-PQ-03)");
                }
                Secret shared = dh.agree(privateKey, publicKey);
                if (is(KeyExchangeFault.X25519_GARBAGE)) {
                    shared.destroy();
                    return Secret.adopt(new byte[32]);
                }
                return shared;
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
                if (is(KeyExchangeFault.ML_KEM_THROWS)) {
                    throw new CryptoException(CryptoException.Code.INVALID_KEY, "injected ML-KEM failure (chaos E-PQ-03)");
                }
                return kem.encapsulate(publicKey, entropy);
            }

            @Override
            public Secret decapsulate(Secret privateKey, byte[] ciphertext) throws CryptoException {
                if (is(KeyExchangeFault.ML_KEM_THROWS)) {
                    throw new CryptoException(CryptoException.Code.INVALID_KEY, "injected ML-KEM failure (chaos E-PQ-03)");
                }
                Secret shared = kem.decapsulate(privateKey, ciphertext);
                if (is(KeyExchangeFault.ML_KEM_GARBAGE)) {
                    shared.destroy();
                    return Secret.adopt(new byte[kem.sharedSecretBytes()]);
                }
                return shared;
            }
        };
    }

    @Override
    public Aead aead(String noiseName) throws CryptoException {
        Aead aead = real.aead(noiseName);
        if (!TRANSPORT_AEAD.equals(noiseName)) {
            return aead;
        }
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
                recordSeal(fingerprint(key, nonce));
                return aead.seal(key, nonce, associatedData, plaintext);
            }

            @Override
            public byte[] open(Secret key, byte[] nonce, byte[] associatedData, byte[] ciphertext) throws CryptoException {
                return aead.open(key, nonce, associatedData, ciphertext);
            }
        };
    }

    /** SHA-256 of key and nonce: identifies the pair without keeping the key. */
    private static String fingerprint(Secret key, byte[] nonce) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(key.expose());
            sha.update(nonce);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
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
