package dev.zerok.kernel.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * Token buckets at three levels, in time the caller passes in: one per key (a device id), one per
 * group the key acts in, and one global bucket. A request costs one token from each of the three
 * and is allowed only if all three have one; a refused request takes nothing from any of them.
 *
 * <p>Why the group level: device identities are free, so one abuser can open many devices in one
 * group and, with per-device buckets alone, drain the global bucket for every group. The group
 * bucket caps what one group can take of the global rate, so the other groups keep being served.
 *
 * <p>Keys and groups whose bucket has been idle long enough to be full again are evicted (a full
 * bucket is indistinguishable from a new one, so eviction loses nothing); each of the two tables
 * never holds more than {@code maxKeys} entries, so a flood of fresh device or group ids cannot
 * grow memory (the Rust original's limiter never evicted).
 *
 * <p>Thread-safe (synchronized): one limiter is shared by all sessions of a relay.
 *
 * @param <K> the key type; must have value equality
 */
public final class TokenBucketLimiter<K> {
    /** Retry hint when a table is full of busy entries and a new key or group cannot be tracked. */
    private static final Duration TABLE_FULL_RETRY = Duration.ofSeconds(1);

    /**
     * One level's bucket shape.
     *
     * @param perSecond sustained requests per second, > 0
     * @param burst requests allowed at once, >= 1
     */
    public record Rate(double perSecond, int burst) {
        /** @throws IllegalArgumentException if {@code perSecond <= 0} or {@code burst < 1} */
        public Rate {
            if (!(perSecond > 0) || burst < 1) {
                throw new IllegalArgumentException("a rate must be > 0 per second with a burst >= 1");
            }
        }
    }

    private final Rate perKey;
    private final Rate perGroup;
    private final int maxKeys;
    private final Bucket global;
    private final Map<K, Bucket> buckets = new HashMap<>();
    private final Map<Object, Bucket> groupBuckets = new HashMap<>();

    /**
     * @param perKey each key's (device's) rate
     * @param perGroup each group's rate, shared by all keys acting in that group
     * @param global the relay's total rate
     * @param maxKeys most keys, and separately most groups, tracked at once, >= 1; beyond it the
     *     idle entries are evicted and, if none is idle, new keys (or groups) are refused
     * @param now the limiter's start time
     * @throws IllegalArgumentException if {@code maxKeys < 1}
     */
    public TokenBucketLimiter(Rate perKey, Rate perGroup, Rate global, int maxKeys, Instant now) {
        if (maxKeys < 1) {
            throw new IllegalArgumentException("maxKeys must be >= 1");
        }
        this.perKey = perKey;
        this.perGroup = perGroup;
        this.maxKeys = maxKeys;
        this.global = new Bucket(global.burst(), global.perSecond(), now);
    }

    /**
     * A limiter whose group level is as wide as the global one, so it adds no limit of its own:
     * for callers that have no group to share out.
     *
     * @param perKeyRatePerSecond sustained requests per second per key, > 0
     * @param perKeyBurst requests a key may make at once, >= 1
     * @param globalRatePerSecond sustained requests per second in total, > 0
     * @param globalBurst requests at once in total, >= 1
     * @param maxKeys most keys tracked at once, >= 1
     * @throws IllegalArgumentException if a bound is out of range
     */
    public TokenBucketLimiter(double perKeyRatePerSecond, int perKeyBurst, double globalRatePerSecond, int globalBurst,
            int maxKeys, Instant now) {
        this(new Rate(perKeyRatePerSecond, perKeyBurst), new Rate(globalRatePerSecond, globalBurst),
                new Rate(globalRatePerSecond, globalBurst), maxKeys, now);
    }

    /** The outcome of {@link #tryAcquire}: allowed, or refused with how long to wait. */
    public record Decision(boolean allowed, Duration retryAfter) {}

    /**
     * Takes one token for {@code key} acting in {@code group} at {@code now}, from the key's,
     * the group's and the global bucket, or from none of them.
     *
     * @param group the group the request is for (a {@code GroupId}); any value with value equality
     * @param key the requester (a {@code DeviceId})
     * @return allowed, or refused with the time until every refusing bucket has a token
     */
    public synchronized Decision tryAcquire(Object group, K key, Instant now) {
        Bucket bucket = tracked(buckets, key, perKey, now);
        if (bucket == null) {
            return new Decision(false, TABLE_FULL_RETRY);
        }
        Bucket groupBucket = tracked(groupBuckets, group, perGroup, now);
        if (groupBucket == null) {
            return new Decision(false, TABLE_FULL_RETRY);
        }
        bucket.refill(now);
        groupBucket.refill(now);
        global.refill(now);
        Duration wait = Duration.ZERO;
        for (Bucket b : new Bucket[] {bucket, groupBucket, global}) {
            if (b.tokens < 1) {
                Duration untilToken = b.timeUntilToken();
                wait = untilToken.compareTo(wait) > 0 ? untilToken : wait;
            }
        }
        if (!wait.isZero()) {
            return new Decision(false, wait);
        }
        bucket.tokens -= 1;
        groupBucket.tokens -= 1;
        global.tokens -= 1;
        return new Decision(true, Duration.ZERO);
    }

    /** The bucket of {@code id} in {@code table}, created if there is room; null if the table is full. */
    private <T> Bucket tracked(Map<T, Bucket> table, T id, Rate rate, Instant now) {
        Bucket bucket = table.get(id);
        if (bucket != null) {
            return bucket;
        }
        if (table.size() >= maxKeys) {
            evictIdle(table, now);
        }
        if (table.size() >= maxKeys) {
            return null;
        }
        bucket = new Bucket(rate.burst(), rate.perSecond(), now);
        table.put(id, bucket);
        return bucket;
    }

    /**
     * Forgets every key and every group whose bucket would be full at {@code now}.
     *
     * @return how many keys and groups were evicted
     */
    public synchronized int evictIdle(Instant now) {
        return evictIdle(buckets, now) + evictIdle(groupBuckets, now);
    }

    private static int evictIdle(Map<?, Bucket> table, Instant now) {
        int evicted = 0;
        for (Iterator<Bucket> it = table.values().iterator(); it.hasNext(); ) {
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

    /** Groups currently tracked. */
    public synchronized int trackedGroups() {
        return groupBuckets.size();
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
