package dev.zerok.chaos.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.chaos.topology.Relay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The global real-topology rule: undeclared ERROR / IllegalStateException / IllegalArgumentException relay log lines fail the scenario. */
class RelayLogAuditTest {
    @TempDir Path dir;

    @Test
    void alarmingLogLine_matchesErrorRecordsAndTheTwoExceptions_only() {
        assertThat(RealTopology.ALARMING_LOG_LINE.matcher("01:49:28.130 ERROR d.z.r.SerialExecutor - connection task failed")
                .find()).isTrue();
        assertThat(RealTopology.ALARMING_LOG_LINE.matcher("\tat x.Y(Y.java:1) java.lang.IllegalStateException").find()).isTrue();
        assertThat(RealTopology.ALARMING_LOG_LINE.matcher("Caused by: java.lang.IllegalArgumentException: a").find()).isTrue();
        assertThat(RealTopology.ALARMING_LOG_LINE.matcher("01:49:28.130 WARN  d.z.r.RelayServer - refusing a connection")
                .find()).isFalse();
        assertThat(RealTopology.ALARMING_LOG_LINE.matcher("01:49:28.130 DEBUG d.z.r.RelayConnection - refusing with "
                + "BAD_REQUEST (NO_ERRORS)").find()).isFalse();
    }

    @Test
    void verifyRelayLogs_failsOnAnUndeclaredErrorLine_passesOnceDeclared() throws Exception {
        try (RealTopology t = (RealTopology) RealTopologyTest.FAST.open(9, dir.resolve("run"))) {
            Relay relay = t.addRelay();
            assertThat(t.unexpectedRelayLogLines()).isEmpty();
            Files.writeString(t.relayLogFile(relay), "01:00:00.000 ERROR d.z.r.Fake - provoked on purpose\n",
                    StandardOpenOption.APPEND);
            assertThat(t.unexpectedRelayLogLines()).singleElement().asString().contains("provoked on purpose");

            t.expectRelayLog("Fake - provoked on purpose", "this test wrote it");
            assertThat(t.unexpectedRelayLogLines()).isEmpty();
            t.verifyRelayLogs();
        }
    }

    @Test
    void close_auditsTheLogs_whenTheScenarioDidNot() throws Exception {
        RealTopology t = (RealTopology) RealTopologyTest.FAST.open(10, dir.resolve("run"));
        Relay relay = t.addRelay();
        Files.writeString(t.relayLogFile(relay), "java.lang.IllegalStateException: provoked\n", StandardOpenOption.APPEND);
        assertThatThrownBy(t::close).isInstanceOf(AssertionError.class).hasMessageContaining("provoked");
        assertThat(dir.resolve("run")).doesNotExist();
    }
}
