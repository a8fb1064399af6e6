package dev.zerok.adapters.crypto;

import dev.zerok.ports.entropy.Entropy;
import java.security.SecureRandom;

/** The production {@link Entropy}: a JDK DRBG {@link SecureRandom}. Thread-safe (SecureRandom is). */
final class DrbgEntropy implements Entropy {
    private final SecureRandom random;

    DrbgEntropy(SecureRandom random) {
        this.random = random;
    }

    @Override
    public void nextBytes(byte[] out) {
        random.nextBytes(out);
    }

    @Override
    public String toString() {
        return "DrbgEntropy[" + random.getAlgorithm() + "]";
    }
}
