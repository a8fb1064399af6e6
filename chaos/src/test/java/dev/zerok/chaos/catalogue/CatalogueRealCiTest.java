package dev.zerok.chaos.catalogue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The CI chaos set on the real topology (seed 000 section 12.2 plus issue 11's additions), one
 * iteration each, run by {@code ./mvnw verify}: the catalogue's own scenarios on relay OS
 * processes with the UDP fault proxy on every link, each iteration followed by the runner's
 * cleanup proof and fault-evidence check. The rest of the real CI set: E-HS-01 in
 * {@code RealSmokeTest} (a cut calibrated to QUIC's bytes); {@code CollectionScenariosTest} runs
 * C-COLL-01/02 once more through cli-app's content device (chunk store, materialize).
 */
class CatalogueRealCiTest {
    @AfterAll
    static void summary() {
        CatalogueOnReal.printSummary();
    }

    @Test
    void T_LOSS_02_twentyPercentLoss_syncCompletesNoCorruption() {
        CatalogueOnReal.run("T-LOSS-02", 1);
    }

    @Test
    void S_CONC_01_simultaneousPushFromTwoClients_noLostWrites() {
        CatalogueOnReal.run("S-CONC-01", 1);
    }

    @Test
    void T_CONN_01_relayCrashMidSync_blobArrivesIntact() {
        CatalogueOnReal.run("T-CONN-01", 1);
    }

    /** Device processes (crash = SIGKILL of B's process after 3 of 10 chunks). */
    @Test
    void C_COLL_01_connectionKilledAfterThreeOfTenChunks_resumesFromTheFourth() {
        CatalogueOnReal.run("C-COLL-01", 1);
    }

    /**
     * S-BLOB-02 (250 blobs) through a relay whose device bucket (100/s, burst 20) refuses part of
     * A's pipelined pushes: B must still receive A's blobs in A's push order.
     */
    @Test
    void S_BLOB_02_underTheRelaysRateLimit_perSenderOrderHolds() {
        CatalogueOnReal.runOutsideCatalogue(dev.zerok.chaos.scenarios.BlobScenarios.sBlob02(
                dev.zerok.chaos.scenarios.BlobScenarios.S_BLOB_02_DEFAULT_COUNT, true),
                RealFactories.withRelay(dev.zerok.chaos.scenarios.BlobScenarios.S_BLOB_02_RATE_LIMITED), 1);
    }
}
