package dev.zerok.kernel.sync;

import dev.zerok.ports.entropy.Entropy;
import java.time.Duration;

/**
 * The reconnect schedule of a relay connection: exponential backoff starting at
 * {@link #BASE} and doubling up to {@link #CAP}, plus a uniformly random jitter in
 * {@code [0, }{@link #MAX_JITTER}{@code ]} so that devices cut off together do not come back
 * together (issue 4, item 1):
 *
 * <pre>
 *   consecutive failures   1    2    3    4    5     6    7 ...
 *   base delay (s)         1    2    4    8    16    30   30 ...
 *   actual delay           base + jitter, jitter uniform in [0 ms, 5000 ms]
 * </pre>
 *
 * Stateless and thread-safe; the jitter comes from the Entropy port, never from a random source
 * of the kernel's own.
 */
public final class Backoff {
    /** Delay after the first failure. */
    public static final Duration BASE = Duration.ofSeconds(1);
    /** Largest base delay. */
    public static final Duration CAP = Duration.ofSeconds(30);
    /** Largest jitter added to the base delay (inclusive). */
    public static final Duration MAX_JITTER = Duration.ofSeconds(5);

    private Backoff() {}

    /**
     * The base delay after {@code consecutiveFailures} failures: 1, 2, 4, 8, 16, then 30 s.
     *
     * @throws IllegalArgumentException if {@code consecutiveFailures < 1}
     */
    public static Duration baseDelay(int consecutiveFailures) {
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("backoff starts after the first failure");
        }
        if (consecutiveFailures > 5) {
            return CAP; // 2^5 s = 32 s already exceeds the cap; avoids shifting past 63 bits
        }
        Duration doubled = BASE.multipliedBy(1L << (consecutiveFailures - 1));
        return doubled.compareTo(CAP) > 0 ? CAP : doubled;
    }

    /**
     * The delay before the next attempt: {@link #baseDelay} plus {@code jitter}.
     *
     * @param jitter between 0 and {@link #MAX_JITTER} inclusive
     * @throws IllegalArgumentException if the jitter is out of range or {@code consecutiveFailures < 1}
     */
    public static Duration delay(int consecutiveFailures, Duration jitter) {
        if (jitter.isNegative() || jitter.compareTo(MAX_JITTER) > 0) {
            throw new IllegalArgumentException("jitter must be within [0, " + MAX_JITTER.toMillis() + " ms]");
        }
        return baseDelay(consecutiveFailures).plus(jitter);
    }

    /** A jitter drawn uniformly from {@code [0, 5000] ms} (millisecond resolution). */
    public static Duration jitter(Entropy entropy) {
        return Duration.ofMillis(entropy.nextLong(MAX_JITTER.toMillis() + 1));
    }
}
