package dev.zerok.chaos.runner;

/**
 * Scenario categories and their iteration counts: seed 000 section 11.3 ("Transport 10, Encryption
 * 50, Sync protocol 25, Adversarial 10, Cross-platform 5"). Content storage (C-*) and multi-relay
 * (MR-*) are not in that table; both exercise sync state, so they use the sync protocol's 25.
 */
public enum Category {
    TRANSPORT(10),
    ENCRYPTION(50),
    SYNC(25),
    CONTENT(25),
    MULTI_RELAY(25),
    ADVERSARIAL(10),
    CROSS_PLATFORM(5);

    private final int iterations;

    Category(int iterations) {
        this.iterations = iterations;
    }

    /** Iterations per scenario of this category (every one must pass). */
    public int iterations() {
        return iterations;
    }
}
