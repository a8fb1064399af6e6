package dev.zerok.ports.crypto;

import java.util.Arrays;

/**
 * A public key and its private key. {@link #toString()} shows neither.
 *
 * @param publicKey the encoded public key (32 bytes for X25519, 1184 for ML-KEM-768)
 * @param privateKey the encoded private key (32 bytes for X25519, 2400 for ML-KEM-768)
 */
public record KeyPair(byte[] publicKey, Secret privateKey) {
    public KeyPair {
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KeyPair k && Arrays.equals(publicKey, k.publicKey) && privateKey.contentEquals(k.privateKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(publicKey);
    }

    @Override
    public String toString() {
        return "KeyPair[REDACTED]";
    }
}
