package dev.zerok.ports.entropy;

/**
 * The Entropy port: the only source of random bytes in zerok (keys, nonces, blob ids, salts,
 * jitter). Production adapters use a non-blocking DRBG {@code SecureRandom}; a seeded
 * implementation exists only in test and chaos code. Thread-safe.
 */
public interface Entropy {
    /** Fills {@code out} with random bytes. Never blocks waiting for the OS entropy pool. */
    void nextBytes(byte[] out);

    /**
     * {@code length} fresh random bytes.
     *
     * @throws IllegalArgumentException if {@code length} is negative
     */
    default byte[] bytes(int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length must be >= 0, got " + length);
        }
        byte[] out = new byte[length];
        nextBytes(out);
        return out;
    }

    /**
     * A uniformly distributed value in {@code [0, bound)}, without modulo bias.
     *
     * @throws IllegalArgumentException if {@code bound <= 0}
     */
    default long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be > 0, got " + bound);
        }
        byte[] eight = new byte[8];
        long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound);
        while (true) {
            nextBytes(eight);
            long candidate = 0;
            for (byte b : eight) {
                candidate = (candidate << 8) | (b & 0xff);
            }
            candidate &= Long.MAX_VALUE;
            if (candidate < limit) {
                return candidate % bound;
            }
        }
    }
}
