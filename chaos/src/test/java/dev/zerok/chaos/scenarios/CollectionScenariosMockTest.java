package dev.zerok.chaos.scenarios;

import dev.zerok.chaos.mock.MockTopologyFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seed 000 C-COLL (section 8.2) scenarios on the mock topology. Each iteration moves 10 MiB of
 * chunks through the real SQLite stores and crypto (measured on 2 shared cores under load: 10
 * iterations of C-COLL-01 in 9.2 s, of C-COLL-02 in 6.5 s, JVM warm-up included), so CI runs 10
 * of each and the nightly the content category's 25 (docs/CHAOS.md).
 */
@Tag("mock")
class CollectionScenariosMockTest {
    /** C-COLL-01's iterations in CI. */
    static final int C_COLL_01_CI_ITERATIONS = 10;
    /** C-COLL-02's iterations in CI. */
    static final int C_COLL_02_CI_ITERATIONS = 10;

    @AfterAll
    static void summary() {
        OnMock.printSummary();
    }

    @Test
    void C_COLL_01_connectionKilledAfterThreeOfTenChunks_incompleteKnown_resumesFromTheFourth() {
        OnMock.run(CollectionScenarios.C_COLL_01, new MockTopologyFactory(), C_COLL_01_CI_ITERATIONS);
    }

    @Test
    void C_COLL_02_chunkDeletedAtTheRelayDuringPull_missingOneOfTen_noStall() {
        OnMock.run(CollectionScenarios.C_COLL_02, new MockTopologyFactory(), C_COLL_02_CI_ITERATIONS);
    }

    @Test
    @Tag("nightly")
    void C_COLL_01_contentIterations() {
        OnMock.run(CollectionScenarios.C_COLL_01);
    }

    @Test
    @Tag("nightly")
    void C_COLL_02_contentIterations() {
        OnMock.run(CollectionScenarios.C_COLL_02);
    }
}
