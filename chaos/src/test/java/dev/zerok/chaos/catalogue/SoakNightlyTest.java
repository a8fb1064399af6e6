package dev.zerok.chaos.catalogue;

import dev.zerok.chaos.scenarios.SoakScenarios;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seed 000 section 13.2's memory threshold on the real topology: {@link SoakScenarios#MEMORY}
 * (BASE-MEM), once, for {@code -Dzerok.chaos.soak} (default {@code PT1H}).
 *
 * <p>{@code ./mvnw -pl chaos -am verify -Pnightly -Dsurefire.failIfNoSpecifiedTests=false
 * -Dtest=SoakNightlyTest [-Dzerok.chaos.soak=PT10M]}
 */
@Tag("nightly")
class SoakNightlyTest {
    @AfterAll
    static void summary() {
        CatalogueOnReal.printSummary();
    }

    @Test
    void BASE_MEM_relayMemorySteadyOverASoakUnderLoss() {
        CatalogueOnReal.runOutsideCatalogue(SoakScenarios.MEMORY, 1);
    }
}
