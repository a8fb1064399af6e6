package dev.zerok.kernel.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.relay.TokenBucketLimiter.Rate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenBucketLimiterTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String G = "group";

    @Test
    void burst_isAllowed_thenRefusedWithTheTimeToTheNextToken() {
        var limiter = new TokenBucketLimiter<String>(2, 3, 100, 100, 10, T0);

        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryAcquire(G, "a", T0).allowed()).isTrue();
        }
        var refused = limiter.tryAcquire(G, "a", T0);

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(500));
        assertThat(limiter.tryAcquire(G, "a", T0.plusMillis(500)).allowed()).isTrue();
    }

    @Test
    void keys_haveSeparateBuckets_butShareTheGlobalOne() {
        var limiter = new TokenBucketLimiter<String>(1, 1, 1, 2, 10, T0);

        assertThat(limiter.tryAcquire(G, "a", T0).allowed()).isTrue();
        assertThat(limiter.tryAcquire(G, "a", T0).allowed()).isFalse();
        assertThat(limiter.tryAcquire("other", "b", T0).allowed()).isTrue();
        assertThat(limiter.tryAcquire("third", "c", T0).allowed()).as("global burst of 2 used up").isFalse();
    }

    @Test
    void idleKeys_areEvicted_andTheKeyCountIsBounded() {
        var limiter = new TokenBucketLimiter<Integer>(1, 1, 1e6, 1_000_000, 3, T0);
        for (int k = 0; k < 3; k++) {
            limiter.tryAcquire(G, k, T0);
        }

        assertThat(limiter.tryAcquire(G, 99, T0).allowed()).as("no idle key to evict yet").isFalse();
        assertThat(limiter.trackedKeys()).isEqualTo(3);
        assertThat(limiter.tryAcquire(G, 99, T0.plusSeconds(1)).allowed()).isTrue();
        assertThat(limiter.trackedKeys()).isEqualTo(1);
        assertThat(limiter.evictIdle(T0.plusSeconds(5))).as("key 99 and the group").isEqualTo(2);
    }

    /**
     * One abuser floods from 100 device identities in group A, each within its own device rate,
     * together ten times the global rate; the three devices of group B are served every time.
     * Without the group level, A's devices drain the global bucket and B is refused.
     */
    @Test
    void flood_hundredDevicesOfOneGroup_otherGroupStillAdmitted() {
        var limiter = new TokenBucketLimiter<String>(new Rate(10, 20), new Rate(100, 200), new Rate(500, 1000),
                10_000, T0);
        int refusedA = 0;
        int admittedA = 0;
        for (int step = 0; step <= 100; step++) {
            Instant now = T0.plusMillis(step * 100L);
            for (int d = 0; d < 100; d++) {
                for (int attempt = 0; attempt < 5; attempt++) {
                    if (limiter.tryAcquire("A", "a" + d, now).allowed()) {
                        admittedA++;
                    } else {
                        refusedA++;
                    }
                }
            }
            for (int d = 0; d < 3; d++) {
                assertThat(limiter.tryAcquire("B", "b" + d, now).allowed())
                        .as("device b%d of group B at step %d", d, step).isTrue();
            }
        }
        assertThat(refusedA).as("the flood was throttled").isPositive();
        // Group A gets its burst plus its rate over the 10 s, not the global rate.
        assertThat(admittedA).isLessThanOrEqualTo(200 + 100 * 10);
    }

    @Test
    void refusalByTheGroup_takesNoTokenFromTheDeviceOrGlobalBucket() {
        var limiter = new TokenBucketLimiter<String>(new Rate(1, 1), new Rate(1, 1), new Rate(1, 2), 10, T0);

        assertThat(limiter.tryAcquire("g", "a", T0).allowed()).isTrue();
        var refused = limiter.tryAcquire("g", "b", T0);
        assertThat(refused.allowed()).as("group g's only token is gone").isFalse();
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1));

        assertThat(limiter.tryAcquire("h", "b", T0).allowed())
                .as("b's device token and the global token were not spent on the refusal").isTrue();
    }

    @Test
    void refusalByTheDevice_takesNoTokenFromTheGroup() {
        var limiter = new TokenBucketLimiter<String>(new Rate(1, 1), new Rate(1, 2), new Rate(100, 100), 10, T0);

        assertThat(limiter.tryAcquire("g", "a", T0).allowed()).isTrue();
        assertThat(limiter.tryAcquire("g", "a", T0).allowed()).isFalse();
        assertThat(limiter.tryAcquire("g", "b", T0).allowed()).as("the group's second token is left").isTrue();
    }

    @Test
    void idleGroups_areEvicted_andTheGroupCountIsBounded() {
        var limiter = new TokenBucketLimiter<String>(new Rate(1e6, 1_000_000), new Rate(1, 1),
                new Rate(1e6, 1_000_000), 2, T0);
        assertThat(limiter.tryAcquire("g1", "a", T0).allowed()).isTrue();
        assertThat(limiter.tryAcquire("g2", "a", T0).allowed()).isTrue();

        var full = limiter.tryAcquire("g3", "a", T0);
        assertThat(full.allowed()).as("both groups busy, none to evict").isFalse();
        assertThat(limiter.trackedGroups()).isEqualTo(2);
        assertThat(limiter.tryAcquire("g3", "a", T0.plusSeconds(1)).allowed()).isTrue();
        assertThat(limiter.trackedGroups()).isEqualTo(1);
    }
}
