package dev.zerok.chaos.real;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.RelayCounters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code relayCounters} on the real topology: read from the relay process's /metrics and its SQLite
 * file, and summed over the relay's processes (a kill -9 and a stop do not reset them).
 */
@Tag("real")
class RealRelayCountersTest {
    @TempDir Path dir;

    @Test
    void relayCounters_countServedAndStoredAcrossKillAndStop() {
        try (RealTopology t = (RealTopology) RealTopologyTest.FAST.open(11, dir.resolve("run"))) {
            Relay relay = t.addRelay();
            Group g = t.newGroup();
            Device a = t.addDevice(g, List.of(relay));
            Device b = t.addDevice(g, List.of(relay));
            for (int i = 0; i < 3; i++) {
                a.push(("blob " + i).getBytes(StandardCharsets.UTF_8));
            }
            assertThat(t.awaitConvergence(Duration.ofSeconds(30))).isTrue();
            RelayCounters first = t.relayCounters(relay);
            assertThat(first.rowsStored()).isEqualTo(3);
            // B pulled A's 3 blobs; A need not pull its own.
            assertThat(first.blobsServed()).isBetween(3L, 6L).isEqualTo(b.pullCursor(relay).value() + a.pullCursor(relay).value());
            assertThat(first.pullRequests()).isPositive();

            t.killRelay(relay);
            assertThat(t.relayCounters(relay).blobsServed()).as("a killed relay keeps its counts").isEqualTo(first.blobsServed());
            t.restartRelay(relay);
            b.push("after the kill".getBytes(StandardCharsets.UTF_8));
            assertThat(t.awaitConvergence(Duration.ofSeconds(30))).isTrue();
            RelayCounters second = t.relayCounters(relay);
            assertThat(second.rowsStored()).isEqualTo(4);
            assertThat(second.blobsServed()).as("summed over both processes").isGreaterThan(first.blobsServed());

            t.stopRelay(relay);
            assertThat(t.relayCounters(relay)).isEqualTo(second);
        }
    }
}
