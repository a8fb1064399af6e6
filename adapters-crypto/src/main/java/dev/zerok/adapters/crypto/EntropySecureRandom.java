package dev.zerok.adapters.crypto;

import dev.zerok.ports.entropy.Entropy;
import java.security.SecureRandom;
import java.security.SecureRandomSpi;

/**
 * Presents an {@link Entropy} as a {@link SecureRandom}, because Bouncy Castle's key generators
 * take one. Every byte still comes from the port, so a seeded simulation stays replayable.
 */
final class EntropySecureRandom extends SecureRandom {
    private static final long serialVersionUID = 1L;

    EntropySecureRandom(Entropy entropy) {
        super(new Spi(entropy), null);
    }

    private static final class Spi extends SecureRandomSpi {
        private static final long serialVersionUID = 1L;
        private final transient Entropy entropy;

        Spi(Entropy entropy) {
            this.entropy = entropy;
        }

        @Override
        protected void engineSetSeed(byte[] seed) {
            // The port owns seeding; extra seed material from callers is deliberately ignored.
        }

        @Override
        protected void engineNextBytes(byte[] bytes) {
            entropy.nextBytes(bytes);
        }

        @Override
        protected byte[] engineGenerateSeed(int numBytes) {
            return entropy.bytes(numBytes);
        }
    }
}
