package dev.zerok.chaos.scenarios;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Seed 000 S-BLOB (section 7) and C-STOR (section 8.1) scenarios on the mock topology (25 iterations
 * each, except S-BLOB-01's 100 MB: fewer in CI, 25 nightly).
 */
@Tag("mock")
class BlobScenariosMockTest {
    @AfterAll
    static void summary() {
        OnMock.printSummary();
    }

    /** The seed's 100 MB through the content layer; CI runs {@link #S_BLOB_01_CI_ITERATIONS} iterations (time in docs/CHAOS.md). */
    @Test
    void S_BLOB_01_hundredMegabytesThroughTheContentLayerUnderLatencyAndLoss() {
        OnMock.run(BlobScenarios.S_BLOB_01, new dev.zerok.chaos.mock.MockTopologyFactory(), S_BLOB_01_CI_ITERATIONS);
    }

    /** The seed's 100 MB at the sync category's 25 iterations: nightly. */
    @Test
    @Tag("nightly")
    void S_BLOB_01_hundredMegabytes_seedIterations() {
        OnMock.run(BlobScenarios.S_BLOB_01);
    }

    static final int S_BLOB_01_CI_ITERATIONS = 1;

    /** 250 blobs: 1,000 took about 15 s per iteration on the mock, so the seed's 10,000 run nightly (below). */
    @Test
    void S_BLOB_02_250SmallBlobsRapidFire() {
        OnMock.run(BlobScenarios.S_BLOB_02);
    }

    /**
     * 250 blobs through a relay whose device bucket (100/s, burst 20) refuses part of the pipelined
     * pushes with RATE_LIMITED: the pushes behind a refused one must not overtake it, so B still
     * receives A's blobs in A's push order.
     */
    @Test
    void S_BLOB_02_250SmallBlobsRapidFire_underTheRelaysRateLimit() {
        OnMock.run(BlobScenarios.sBlob02(BlobScenarios.S_BLOB_02_DEFAULT_COUNT, true), new dev.zerok.chaos.mock.MockTopologyFactory(BlobScenarios.S_BLOB_02_RATE_LIMITED), 5);
    }

    /** The seed's count, 25 iterations: estimated at about an hour on the mock (not measured). */
    @Test
    @Tag("nightly")
    void S_BLOB_02_tenThousandSmallBlobsRapidFire() {
        OnMock.run(BlobScenarios.S_BLOB_02_SEED);
    }

    @Test
    void S_BLOB_03_identicalBlobFromTwoClients() {
        OnMock.run(BlobScenarios.S_BLOB_03);
    }

    @Test
    void S_BLOB_04_emptyBlob() {
        OnMock.run(BlobScenarios.S_BLOB_04);
    }

    /** The relay store's disk-full switch (writes fail as SQLite does with SQLITE_FULL). */
    @Test
    void C_STOR_01_relayDiskFullDuringWrite() {
        OnMock.run(BlobScenarios.C_STOR_01);
    }

    /** The device state store's disk-full switch. */
    @Test
    void C_STOR_02_clientDiskFullDuringPull() {
        OnMock.run(BlobScenarios.C_STOR_02);
    }

    @Test
    void C_STOR_03_bitRotAtTheRelay() {
        OnMock.run(BlobScenarios.C_STOR_03);
    }

    @Test
    void C_STOR_04_relayRestartWithColdCache() {
        OnMock.run(BlobScenarios.C_STOR_04);
    }
}
