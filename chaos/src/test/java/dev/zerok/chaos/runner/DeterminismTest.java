package dev.zerok.chaos.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.mock.MockTopologyFactory;
import dev.zerok.chaos.scenarios.SyncScenarios;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A mock run is determined by its seed: the property that makes a printed seed replay a failure. */
@Tag("mock")
class DeterminismTest {
    private final MockTopologyFactory mock = new MockTopologyFactory();

    @Test
    void sameSeed_twoRuns_byteIdenticalTimelines() {
        // S-CONV-03 draws from every seeded source: link loss and delay, the scenario's choices, blob ids, backoff jitter.
        String first = ChaosRunner.timelineOf(SyncScenarios.S_CONV_03, mock, 1234);
        String second = ChaosRunner.timelineOf(SyncScenarios.S_CONV_03, mock, 1234);

        assertThat(first).contains("\"what\":\"fault\"", "\"what\":\"deliver\"", "\"what\":\"converged\"");
        assertThat(second).isEqualTo(first);
    }

    /**
     * Five devices on one relay: Notify fans out to four connections per push, so the relay's
     * fan-out order (and the entropy draws that follow it) must not depend on identity hashes.
     */
    @Test
    void sameSeed_fiveDevices_twoRunsAndAnotherJvm_byteIdenticalTimelines() throws Exception {
        String first = ChaosRunner.timelineOf(SyncScenarios.S_CONC_03, mock, 77);
        String second = ChaosRunner.timelineOf(SyncScenarios.S_CONC_03, mock, 77);
        assertThat(first).contains("\"what\":\"deliver\"");
        assertThat(second).isEqualTo(first);

        // The printed seed replays in a fresh JVM (other identity hashes, other class-loading order).
        java.nio.file.Path out = java.nio.file.Files.createTempFile("timeline", ".jsonl");
        try {
            Process replay = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    TimelineReplay.class.getName(), "S-CONC-03", "77", out.toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(replay.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).as("replay finished").isTrue();
            assertThat(replay.exitValue()).isZero();
            assertThat(java.nio.file.Files.readString(out)).isEqualTo(first);
        } finally {
            java.nio.file.Files.deleteIfExists(out);
        }
    }

    @Test
    void differentSeeds_timelinesDiffer() {
        String first = ChaosRunner.timelineOf(SyncScenarios.S_CONV_03, mock, 1234);
        String other = ChaosRunner.timelineOf(SyncScenarios.S_CONV_03, mock, 1235);

        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void iterationSeed_dependsOnBaseIdAndIteration() {
        long s = ChaosRunner.iterationSeed(1, "S-CONC-01", 0);
        assertThat(ChaosRunner.iterationSeed(1, "S-CONC-01", 0)).isEqualTo(s);
        assertThat(ChaosRunner.iterationSeed(1, "S-CONC-01", 1)).isNotEqualTo(s);
        assertThat(ChaosRunner.iterationSeed(1, "S-CONC-02", 0)).isNotEqualTo(s);
        assertThat(ChaosRunner.iterationSeed(2, "S-CONC-01", 0)).isNotEqualTo(s);
    }
}
