package dev.zerok.chaos.sim;

import dev.zerok.ports.entropy.Entropy;
import java.util.SplittableRandom;

/**
 * Deterministic {@link Entropy} for the chaos simulator only: the same seed gives the same bytes,
 * so a mock run replays from its seed. Never use it for real keys: it is not cryptographically
 * secure. (The ports test-jar has the same class for tests; chaos main code cannot depend on it.)
 * Thread-safe (synchronized).
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

    /** A seed for a child source, drawn from this one (so children depend only on this seed and the call order). */
    public synchronized long childSeed() {
        return random.nextLong();
    }

    @Override
    public String toString() {
        return "SeededEntropy[seed=" + seed + "]";
    }
}
