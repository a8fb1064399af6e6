package dev.zerok.ports.testkit;

import dev.zerok.ports.entropy.Entropy;
import java.util.SplittableRandom;

/**
 * Deterministic {@link Entropy} for tests and simulation only: the same seed gives the same bytes.
 * Never use it for real keys. Thread-safe (synchronized).
 */
public final class SeededEntropy implements Entropy {
    private final SplittableRandom random;
    private final long seed;

    public SeededEntropy(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    /** The seed this source was created with. */
    public long seed() {
        return seed;
    }

    @Override
    public synchronized void nextBytes(byte[] out) {
        random.nextBytes(out);
    }

    @Override
    public String toString() {
        return "SeededEntropy[seed=" + seed + "]";
    }
}
