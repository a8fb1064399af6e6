package dev.zerok.chaos.scenarios;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Seed 000 section 7 scenarios on the mock topology, with their iteration counts (25 each). */
@Tag("mock")
class SyncScenariosMockTest {
    @AfterAll
    static void summary() {
        OnMock.printSummary();
    }

    @Test
    void S_CONC_01_simultaneousPushFromTwoClients() {
        OnMock.run(SyncScenarios.S_CONC_01);
    }

    @Test
    void S_CONC_02_pushFromAWhileBIsPulling() {
        OnMock.run(SyncScenarios.S_CONC_02);
    }

    @Test
    void S_CONC_03_fiveClientsSyncingSimultaneously() {
        OnMock.run(SyncScenarios.S_CONC_03);
    }

    /** About 10 s of real time per iteration (3,000 SQLite transactions through the real adapters), 25 iterations. */
    @Test
    @Tag("nightly")
    void S_CONC_04_staleClientCatchesUpOn1000Versions() {
        OnMock.run(SyncScenarios.S_CONC_04);
    }

    @Test
    void S_CONV_01_convergenceAfterPartitionHeal() {
        OnMock.run(SyncScenarios.S_CONV_01);
    }

    @Test
    void S_CONV_02_convergenceAfterRelayRestart() {
        OnMock.run(SyncScenarios.S_CONV_02);
    }

    @Test
    void S_CONV_03_convergenceAfterAsymmetricChaos() {
        OnMock.run(SyncScenarios.S_CONV_03);
    }

    @Test
    void S_CONV_04_convergenceVerificationMethod() {
        OnMock.run(SyncScenarios.S_CONV_04);
    }

    @Test
    void S_SM_01_disconnectDuringPush() {
        OnMock.run(SyncScenarios.S_SM_01);
    }

    @Test
    void S_SM_02_disconnectDuringPull() {
        OnMock.run(SyncScenarios.S_SM_02);
    }

    @Test
    void S_SM_03_disconnectDuringReconciliation() {
        OnMock.run(SyncScenarios.S_SM_03);
    }

    @Test
    void S_SM_04_rapidStateTransitions() {
        OnMock.run(SyncScenarios.S_SM_04);
    }
}
