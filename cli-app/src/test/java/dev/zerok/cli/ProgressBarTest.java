package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.client.SyncClient;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    private static final long MIB = 1024 * 1024;

    @Test
    void line_knownTotal_showsPercentRateAndEta() {
        String line = ProgressBar.line("uploading", 12 * MIB, 30 * MIB, Duration.ofSeconds(6));

        assertThat(line).isEqualTo("uploading [############..................]  40%  12.0 MiB / 30.0 MiB  2.0 MiB/s  ETA 0:09");
    }

    @Test
    void line_unknownTotal_showsBytesAndRateOnly() {
        assertThat(ProgressBar.line("downloading", 3 * MIB, 0, Duration.ofSeconds(2))).isEqualTo("downloading 3.0 MiB  1.5 MiB/s");
    }

    @Test
    void line_tooEarlyOrNothingMoved_rateAndEtaUnknown() {
        assertThat(ProgressBar.line("up", 0, 10 * MIB, Duration.ofSeconds(5))).endsWith("0 B / 10.0 MiB  --/s  ETA --");
        assertThat(ProgressBar.line("up", MIB, 10 * MIB, Duration.ofMillis(100))).endsWith("--/s  ETA --");
    }

    @Test
    void line_done_saysDone_andLongEtaInHours() {
        assertThat(ProgressBar.line("up", 10 * MIB, 10 * MIB, Duration.ofSeconds(5))).contains("100%").endsWith("2.0 MiB/s  done");
        assertThat(ProgressBar.line("up", MIB, 4000 * MIB, Duration.ofSeconds(1))).endsWith("1.0 MiB/s  ETA 1:06:39");
    }

    @Test
    void downloaded_estimatesTotalFromAnnouncedBlobs() {
        assertThat(NetworkProgress.downloaded(new SyncClient.Traffic(0, 0, 0, 0, 10))).containsExactly(0, 0);
        assertThat(NetworkProgress.downloaded(new SyncClient.Traffic(0, 0, 4 * MIB, 4, 10))).containsExactly(4 * MIB, 10 * MIB);
        assertThat(NetworkProgress.downloaded(new SyncClient.Traffic(0, 0, 6 * MIB, 6, 3))).containsExactly(6 * MIB, 6 * MIB);
    }
}
