package dev.zerok.kernel.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Token buckets keyed by an arbitrary key (a device id), plus one global bucket, in time the caller
 * passes in. A request costs one token from its key's bucket and one from the global bucket; it is
 * allowed only if both have one.
 *
 * <p>Keys whose bucket has been idle long enough to be full again are evicted (a full bucket is
 * indistinguishable from a new one, so eviction loses nothing); the map never holds more than
 * {@code maxKeys} entries, so a flood of fresh device ids cannot grow memory (the Rust original's
 * limiter never evicted).
 *
 * <p>Thread-safe (synchronized): one limiter is shared by all sessions of a relay.
 *
 * @param <K> the key type; must have value equality
 */
public final class TokenBucketLimiter<K> {
    private final double perKeyCapacity;
    private final double perKeyRatePerSecond;
    private final int maxKeys;
    private final Bucket global;
    private final Map<K, Bucket> buckets = new HashMap<>();

    /**
     * @param perKeyRatePerSecond sustained requests per second per key, > 0
     * @param perKeyBurst requests a key may make at once, >= 1
     * @param globalRatePerSecond sustained requests per second in total, > 0
     * @param globalBurst requests at once in total, >= 1
     * @param maxKeys most keys tracked at once, >= 1; beyond it the oldest idle keys are evicted
     *     and, if none is idle, new keys are refused
     */
    public TokenBucketLimiter(double perKeyRatePerSecond, int perKeyBurst, double globalRatePerSecond, int globalBurst,
            int maxKeys, Instant now) {
        if (perKeyRatePerSecond <= 0 || globalRatePerSecond <= 0 || perKeyBurst < 1 || globalBurst < 1 || maxKeys < 1) {
            throw new IllegalArgumentException("rates must be > 0, bursts and maxKeys >= 1");
        }
        this.perKeyCapacity = perKeyBurst;
        this.perKeyRatePerSecond = perKeyRatePerSecond;
        this.maxKeys = maxKeys;
        this.global = new Bucket(globalBurst, globalRatePerSecond, now);
    }

    /** The outcome of {@link #tryAcquire}: allowed, or refused with how long to wait. */
    public record Decision(boolean allowed, Duration retryAfter) {}

    /**
     * Takes one token for {@code key} at {@code now}.
     *
     * @return allowed, or refused with the time until a token will be available
     */
    public synchronized Decision tryAcquire(K key, Instant now) {
        Bucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                evictIdle(now);
            }
            if (buckets.size() >= maxKeys) {
                return new Decision(false, Duration.ofSeconds(1));
            }
            bucket = new Bucket(perKeyCapacity, perKeyRatePerSecond, now);
            buckets.put(key, bucket);
        }
        bucket.refill(now);
        global.refill(now);
        if (bucket.tokens < 1) {
            return new Decision(false, bucket.timeUntilToken());
        }
        if (global.tokens < 1) {
            return new Decision(false, global.timeUntilToken());
        }
        bucket.tokens -= 1;
        global.tokens -= 1;
        return new Decision(true, Duration.ZERO);
    }

    /**
     * Forgets every key whose bucket would be full at {@code now}.
     *
     * @return how many keys were evicted
     */
    public synchronized int evictIdle(Instant now) {
        int evicted = 0;
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            Bucket b = it.next();
            b.refill(now);
            if (b.tokens >= b.capacity) {
                it.remove();
                evicted++;
            }
        }
        return evicted;
    }

    /** Keys currently tracked. */
    public synchronized int trackedKeys() {
        return buckets.size();
    }

    private static final class Bucket {
        final double capacity;
        final double ratePerSecond;
        double tokens;
        Instant last;

        Bucket(double capacity, double ratePerSecond, Instant now) {
            this.capacity = capacity;
            this.ratePerSecond = ratePerSecond;
            this.tokens = capacity;
            this.last = now;
        }

        void refill(Instant now) {
            if (now.isAfter(last)) {
                double seconds = Duration.between(last, now).toNanos() / 1e9;
                tokens = Math.min(capacity, tokens + seconds * ratePerSecond);
                last = now;
            }
        }

        Duration timeUntilToken() {
            double missing = 1 - tokens;
            return Duration.ofNanos((long) Math.ceil(missing / ratePerSecond * 1e9));
        }
    }
}
