package dev.zerok.chaos.scenarios;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seed 000 section 5 (T-*) on the mock topology, 10 iterations each (Category.TRANSPORT). T-LOSS-03
 * is NOT RUN here (the mock has no burst-loss model); the rest run with the mock's QUIC-like loss
 * model, under which total loss breaks connections (adapters-transport-mock README).
 */
@Tag("mock")
class TransportScenariosMockTest {
    @AfterAll
    static void summary() {
        OnMock.printSummary();
    }

    @Test
    void T_LAT_01_fixed200msLatency_syncCompletesBlobsIntact() {
        OnMock.run(TransportScenarios.T_LAT_01);
    }

    @Test
    void T_LAT_02_highJitter_syncCompletesNoReordering() {
        OnMock.run(TransportScenarios.T_LAT_02);
    }

    @Test
    void T_LAT_03_asymmetricLatency_syncCompletesBothDirections() {
        OnMock.run(TransportScenarios.T_LAT_03);
    }

    @Test
    void T_LAT_04_satellite_handshakeCompletesBlobsTransfer() {
        OnMock.run(TransportScenarios.T_LAT_04);
    }

    @Test
    void T_LOSS_01_fivePercentLoss_syncCompletes() {
        OnMock.run(TransportScenarios.T_LOSS_01);
    }

    @Test
    void T_LOSS_02_twentyPercentLoss_syncCompletesOrFailsRetryably() {
        OnMock.run(TransportScenarios.T_LOSS_02);
    }

    @Test
    void T_LOSS_03_burstLoss_noCorruptionRecoveryAfterBurst() {
        OnMock.run(TransportScenarios.T_LOSS_03);
    }

    @Test
    void T_LOSS_04_totalLossThenRecovery_reconnectsResumesFromCheckpoint() {
        OnMock.run(TransportScenarios.T_LOSS_04);
    }

    @Test
    void T_CONN_01_relayKilledMidPush_blobArrivesIntactAfterRestart() {
        OnMock.run(TransportScenarios.T_CONN_01);
    }

    @Test
    void T_CONN_02_deviceCrashMidPush_noPartialBlobResumesExactlyOnce() {
        OnMock.run(TransportScenarios.T_CONN_02);
    }

    @Test
    void T_CONN_03_partitionOfBothDevices_bothDetectNothingCrossesResume() {
        OnMock.run(TransportScenarios.T_CONN_03);
    }

    @Test
    void T_CONN_04_tenReconnectCycles_noLeakNoCorruption() {
        OnMock.run(TransportScenarios.T_CONN_04);
    }

    @Test
    void T_CONN_05_halfOpen_relayTimesOutStaleSessionCleanReconnect() {
        OnMock.run(TransportScenarios.T_CONN_05);
    }

    @Test
    void T_BW_01_edgeNetwork_smallBlobsSyncLargeSucceedsOrFailsGracefully() {
        OnMock.run(TransportScenarios.T_BW_01);
    }

    @Test
    void T_BW_02_bandwidthDropMidTransfer_completesIntact() {
        OnMock.run(TransportScenarios.T_BW_02);
    }

    @Test
    void T_BW_03_asymmetricBandwidth_fastDeviceNotBlockedBySlowOne() {
        OnMock.run(TransportScenarios.T_BW_03);
    }
}
