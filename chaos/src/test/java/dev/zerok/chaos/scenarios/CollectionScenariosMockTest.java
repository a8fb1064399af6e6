package dev.zerok.chaos.scenarios;

import dev.zerok.chaos.mock.MockTopologyFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Seed 000 C-COLL (section 8.2) scenarios on the mock topology. */
@Tag("mock")
class CollectionScenariosMockTest {
    @AfterAll
    static void summary() {
        OnMock.printSummary();
    }

    @Test
    void C_COLL_01_connectionKilledAfterThreeOfTenChunks_incompleteKnown_resumesFromTheFourth() {
        OnMock.run(CollectionScenarios.C_COLL_01, new MockTopologyFactory(), ITERATIONS);
    }

    @Test
    void C_COLL_02_chunkDeletedAtTheRelayDuringPull_missingOneOfTen_noStall() {
        OnMock.run(CollectionScenarios.C_COLL_02, new MockTopologyFactory(), ITERATIONS);
    }

    static final int ITERATIONS = 0;
}
