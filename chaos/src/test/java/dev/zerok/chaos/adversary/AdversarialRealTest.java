package dev.zerok.chaos.adversary;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Seed 000 section 9 against a relay OS process, one iteration each (the nightly profile runs
 * {@link AdversarialRealNightlyTest}: ten). Each failure names the seed; figures go to
 * {@code target/chaos-results/<run>/figures/<ID>.md}.
 */
class AdversarialRealTest {
    /** Iterations per scenario: one here; 0 means the category's count (seed 000 section 11.3). */
    int iterations() {
        return 1;
    }

    @AfterAll
    static void summary() {
        OnReal.printSummary();
    }

    @Test
    void A_RES_01_thousandHalfOpenHandshakes_sessionsBackToBaselineAndLegitDevicesConnect() {
        OnReal.run(AdversarialScenarios.A_RES_01, iterations());
    }

    @Test
    void A_RES_02_oversizedFrameHeadersBeforeAndAfterHello_boundedMemoryClosedInBand() {
        OnReal.run(AdversarialScenarios.A_RES_02, iterations());
    }

    @Test
    void A_RES_02_poisonBlobJustUnderTheFrameLimit_refusedInBandOrPullable() {
        OnReal.run(AdversarialScenarios.A_RES_02_POISON, iterations());
    }

    @Test
    void A_RES_03_slowlorisOverQuic_relayTimesOutStreamsConnectionsAndFrames() {
        OnReal.run(AdversarialScenarios.A_RES_03, iterations());
    }

    @Test
    void A_RES_04_storageFlood_quotaExceededInBandOtherGroupsAccepted() {
        OnReal.run(AdversarialScenarios.A_RES_04, iterations());
    }

    @Test
    void A_RES_05_fiftyHandshakesWhileUrandomDrained_allCompleteInTime() {
        OnReal.run(AdversarialScenarios.A_RES_05, iterations());
    }

    @Test
    void A_RES_05_entropySource_relayNeverReadsDevRandom() {
        OnReal.run(AdversarialScenarios.A_RES_05_ENTROPY, iterations());
    }

    @Test
    void A_PROTO_01_relayFlipsBitsInStoredBlobs_devicesDetectAndReject() {
        OnReal.run(AdversarialScenarios.A_PROTO_01, iterations());
    }

    @Test
    void A_PROTO_02_replayOfCapturedMessages_rejectedNoStateRollback() {
        OnReal.run(AdversarialScenarios.A_PROTO_02, iterations());
    }

    @Test
    void E_HS_06_twoSimultaneousSessionsOfOneIdentity_exactlyOneStays_noLeak() {
        OnReal.run(AdversarialScenarios.E_HS_06, iterations());
    }

    @Test
    void A_PROTO_03_stolenStaticKey_newestSessionWinsOlderClosedInBand() {
        OnReal.run(AdversarialScenarios.A_PROTO_03, iterations());
    }

    @Test
    void A_PROTO_04_relayNeverSeesPlaintext_logsDbWalFramesClean() {
        OnReal.run(AdversarialScenarios.A_PROTO_04, iterations());
    }

    @Test
    void A_PROTO_05_injectedGarbage_rejectedNoCrashNoErrorLines() {
        OnReal.run(AdversarialScenarios.A_PROTO_05, iterations());
    }
}
