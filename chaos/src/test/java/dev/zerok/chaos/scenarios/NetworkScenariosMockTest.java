package dev.zerok.chaos.scenarios;

import dev.zerok.chaos.mock.MockTopologyFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** E-HS, E-ENC, E-PQ and MR scenarios on the mock topology (iterations: 50 / 25); T-LOSS-02 is in TransportScenariosMockTest. */
@Tag("mock")
class NetworkScenariosMockTest {
    @AfterAll
    static void summary() {
        OnMock.printSummary();
    }

    @Test
    void E_HS_01_disconnectAfterHandshakeMessage1() {
        OnMock.run(NetworkScenarios.E_HS_01);
    }

    @Test
    void E_HS_02_disconnectAfterHandshakeMessage2() {
        OnMock.run(NetworkScenarios.E_HS_02);
    }

    @Test
    void E_HS_03_disconnectAfterHandshakeMessage3() {
        OnMock.run(NetworkScenarios.E_HS_03);
    }

    @Test
    void E_HS_04_extremeLatencyDuringHandshake() {
        OnMock.run(NetworkScenarios.E_HS_04);
    }

    @Test
    void E_HS_05_handshakeMessageReorder() {
        OnMock.run(NetworkScenarios.E_HS_05);
    }

    @Test
    void E_HS_06_concurrentHandshakeFromSameClient() {
        OnMock.run(NetworkScenarios.E_HS_06);
    }

    @Test
    void E_ENC_01_bitFlipInCiphertext() {
        OnMock.run(NetworkScenarios.E_ENC_01);
    }

    @Test
    void E_ENC_02_messageTruncation() {
        OnMock.run(NetworkScenarios.E_ENC_02);
    }

    @Test
    void E_ENC_03_messageReplay() {
        OnMock.run(NetworkScenarios.E_ENC_03);
    }

    /**
     * 1000 durable pushes per iteration cost about 9 s of CPU on 2 cores, so the README test command
     * runs 5 iterations; {@link #E_ENC_04_highVolumeEncryption_seedIterations} (nightly) runs the
     * category's 50.
     */
    @Test
    void E_ENC_04_highVolumeEncryption_noNonceReuse() {
        OnMock.run(NetworkScenarios.E_ENC_04, new MockTopologyFactory(NetworkScenarios.E_ENC_04_RELAY_SETTINGS), 5);
    }

    @Test
    @Tag("nightly")
    void E_ENC_04_highVolumeEncryption_seedIterations() {
        OnMock.run(NetworkScenarios.E_ENC_04, new MockTopologyFactory(NetworkScenarios.E_ENC_04_RELAY_SETTINGS));
    }

    @Test
    void E_ENC_05_keyRenegotiationUnderLoad() {
        OnMock.run(NetworkScenarios.E_ENC_05, new MockTopologyFactory(NetworkScenarios.E_ENC_05_RELAY_SETTINGS));
    }

    @Test
    void E_PQ_01_corruptedKemCiphertext() {
        OnMock.run(NetworkScenarios.E_PQ_01);
    }

    @Test
    void E_PQ_02_largeHandshakeOnSlowLink() {
        OnMock.run(NetworkScenarios.E_PQ_02);
    }

    @Test
    void E_PQ_03_oneHybridComponentFails() {
        OnMock.run(NetworkScenarios.E_PQ_03);
    }

    @Test
    void E_PQ_04_hybridBindingVerification() {
        OnMock.run(NetworkScenarios.E_PQ_04);
    }

    @Test
    void E_PQ_05_clockSkew() {
        OnMock.run(NetworkScenarios.E_PQ_05);
    }

    @Test
    void MR_1_primaryKilledDuringPush() {
        OnMock.run(NetworkScenarios.MR_1);
    }

    @Test
    void MR_2_secondaryKilledDuringFanOut() {
        OnMock.run(NetworkScenarios.MR_2);
    }

    @Test
    void MR_3_allRelaysKilled() {
        OnMock.run(NetworkScenarios.MR_3);
    }

    @Test
    void MR_4_relayFlapping() {
        OnMock.run(NetworkScenarios.MR_4);
    }

    @Test
    void MR_5_primaryHighLatency() {
        OnMock.run(NetworkScenarios.MR_5);
    }
}
