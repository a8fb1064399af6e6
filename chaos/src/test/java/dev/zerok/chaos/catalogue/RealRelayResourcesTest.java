package dev.zerok.chaos.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.real.RealTopology;
import dev.zerok.chaos.real.RealTopologyFactory;
import dev.zerok.chaos.runner.CleanupProof;
import dev.zerok.chaos.runner.ResourceWitness;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.RelayResources;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RealTopology#relayResources} reads the relay process from outside (/proc fds and VmRSS,
 * the relay's own session gauges on /metrics), and {@link RealTopology#close()} leaves nothing the
 * {@link CleanupProof} can find: no process, no bound UDP port, no directory.
 */
class RealRelayResourcesTest {
    @TempDir Path dir;

    @Test
    void relayResources_twoDevicesThenOneCrashes_sessionsFollowFdsAndRssReadFromProc() {
        Set<Long> before = CleanupProof.descendantsNow();
        // The relay ends a silent connection after 4 s, so a crashed device's session goes quickly.
        RealTopologyFactory factory = new RealTopologyFactory(RealFactories.SETTINGS
                .withRelay("transport.idle.timeout", "4s"));
        Path work = dir.resolve("t");
        ResourceWitness.Footprint footprint;
        try (RealTopology t = (RealTopology) factory.open(11, work)) {
            Relay relay = t.addRelay();
            Group g = t.newGroup();
            Device a = t.addDevice(g, List.of(relay));
            Device b = t.addDevice(g, List.of(relay));
            assertThat(t.awaitConvergence(Duration.ofSeconds(60))).isTrue();

            RelayResources two = t.relayResources(relay);
            assertThat(two.sessions()).isEqualTo(2);
            assertThat(two.openFds()).isGreaterThan(10);
            assertThat(two.rssBytes()).isGreaterThan(16L << 20);
            assertThat(t.relayPeakRssBytes(relay).orElseThrow()).isGreaterThanOrEqualTo(two.rssBytes());
            assertThat(t.relayOpenFdsAtStart(relay).orElseThrow()).isPositive();

            t.crashDevice(b);
            assertThat(t.await(() -> t.relayResources(relay).sessions() == 1, Duration.ofSeconds(30)))
                    .as("sessions after a device crashed: %s", t.relayResources(relay)).isTrue();
            assertThat(a.status().kind()).isEqualTo(dev.zerok.kernel.sync.SyncStatus.Kind.SYNCED);
            footprint = t.footprint();
            assertThat(footprint.pids()).contains(t.relayPid(relay));
            assertThat(footprint.udpPorts()).contains(t.relayPort(relay)).hasSize(3);
        }
        assertThat(CleanupProof.check(before, Optional.of(footprint), work)).isEqualTo("proven");
    }
}
