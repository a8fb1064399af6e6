package dev.zerok.chaos.scenarios;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The folder model's records under the catalogue's faults on the mock topology, in virtual time. */
@Tag("mock")
class FolderModelScenariosMockTest {
    @AfterAll
    static void summary() {
        OnMock.printSummary();
    }

    @Test
    void F_MODEL_01_threeDevicesEditDeleteRenameUnder20PercentLoss() {
        OnMock.run(FolderModelScenarios.F_MODEL_01);
    }

    @Test
    void F_MODEL_02_threeDevicesEditDeleteRenameUnderAsymmetricChaos() {
        OnMock.run(FolderModelScenarios.F_MODEL_02);
    }
}
