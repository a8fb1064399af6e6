package dev.zerok.kernel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenBucketLimiterTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void burst_isAllowed_thenRefusedWithTheTimeToTheNextToken() {
        var limiter = new TokenBucketLimiter<String>(2, 3, 100, 100, 10, T0);

        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire("a", T0).allowed()).isTrue();
        }
        var refused = limiter.tryAcquire("a", T0);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(500));
        assertThat(limiter.tryAcquire("a", T0.plusMillis(500)).allowed()).isTrue();
    }

    @Test
    void keys_haveSeparateBuckets_butShareTheGlobalOne() {
        var limiter = new TokenBucketLimiter<String>(1, 1, 1, 2, 10, T0);

        assertThat(limiter.tryAcquire("a", T0).allowed()).isTrue();
        assertThat(limiter.tryAcquire("a", T0).allowed()).isFalse();
        assertThat(limiter.tryAcquire("b", T0).allowed()).isTrue();
        assertThat(limiter.tryAcquire("c", T0).allowed()).as("global burst of 2 used up").isFalse();
    }

    @Test
    void idleKeys_areEvicted_andTheKeyCountIsBounded() {
        var limiter = new TokenBucketLimiter<Integer>(1, 1, 1e6, 1_000_000, 3, T0);
        for (int k = 0; k < 3; k++) {
            limiter.tryAcquire(k, T0);
        }

        assertThat(limiter.tryAcquire(99, T0).allowed()).as("no idle key to evict yet").isFalse();
        assertThat(limiter.trackedKeys()).isEqualTo(3);
        assertThat(limiter.tryAcquire(99, T0.plusSeconds(1)).allowed()).isTrue();
        assertThat(limiter.trackedKeys()).isEqualTo(1);
        assertThat(limiter.evictIdle(T0.plusSeconds(5))).isEqualTo(1);
    }
}
