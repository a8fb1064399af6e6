package dev.zerok.chaos.adversary;

import org.junit.jupiter.api.Tag;

/**
 * The adversarial catalogue with its seed-000 iteration count (10 each), nightly only: the same
 * tests as {@link AdversarialRealTest} (one iteration each, every build). Each failure names the
 * seed; figures go to {@code target/chaos-results/<run>/figures/<ID>.md}.
 */
@Tag("nightly")
class AdversarialRealNightlyTest extends AdversarialRealTest {
    /** 0: the category's count, seed 000 section 11.3 (adversarial: 10). */
    @Override
    int iterations() {
        return 0;
    }
}
