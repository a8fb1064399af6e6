package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.sync.SyncStatus;
import org.junit.jupiter.api.Test;

/** The exit code of {@code zerok status} for each status (end-to-end runs: ZerokEndToEndTest). */
class StatusCommandTest {
    private static DeviceSession.Wait waited(DeviceSession.Wait.Outcome outcome, SyncStatus.Kind kind) {
        return new DeviceSession.Wait(outcome, SyncStatus.of(kind), "");
    }

    @Test
    void exitCode_eachStatus_distinct() {
        assertThat(StatusCommand.exitCode(waited(DeviceSession.Wait.Outcome.SYNCED, SyncStatus.Kind.SYNCED))).isZero();
        assertThat(StatusCommand.exitCode(waited(DeviceSession.Wait.Outcome.TIMED_OUT, SyncStatus.Kind.PENDING))).isEqualTo(3);
        assertThat(StatusCommand.exitCode(waited(DeviceSession.Wait.Outcome.TIMED_OUT, SyncStatus.Kind.CONNECTED))).isEqualTo(3);
        assertThat(StatusCommand.exitCode(waited(DeviceSession.Wait.Outcome.TIMED_OUT, SyncStatus.Kind.OFFLINE))).isEqualTo(4);
        assertThat(StatusCommand.exitCode(waited(DeviceSession.Wait.Outcome.NO_RELAY, SyncStatus.Kind.FAILED))).isEqualTo(7);
        assertThat(StatusCommand.exitCode(waited(DeviceSession.Wait.Outcome.QUOTA_FULL, SyncStatus.Kind.CONNECTED))).isEqualTo(6);
    }
}
