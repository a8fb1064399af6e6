package dev.zerok.chaos.real;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.chaos.proxy.Direction;
import dev.zerok.chaos.proxy.FaultProfile;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.RelayId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real topology's own mechanics: relay processes keep port and identity over kill -9 and
 * restart, the fault proxy partitions and heals a device, relay logs are captured, faults map onto
 * proxy profiles. Each test starts its own relay process (about 1-2 s on 2 cores).
 */
class RealTopologyTest {
    /** Devices notice a silent link within seconds instead of QUIC's production 30 s. */
    static final RealTopologyFactory FAST = new RealTopologyFactory(
            RealTopologyFactory.Settings.DEFAULTS.withDeviceTransport("idle.timeout", "3s")
                    .withDeviceTransport("connect.timeout", "3s"));

    @TempDir Path dir;

    @Test
    void killRelay_thenRestart_keepsPortIdentityAndData() {
        try (RealTopology t = (RealTopology) FAST.open(7, dir.resolve("run"))) {
            Relay relay = t.addRelay();
            Group g = t.newGroup();
            Device a = t.addDevice(g, List.of(relay));
            int port = t.relayPort(relay);
            RelayId id = t.relayId(relay);
            long pid = t.relayPid(relay);
            a.push("before the kill".getBytes(StandardCharsets.UTF_8));
            assertThat(t.awaitConvergence(Duration.ofSeconds(20))).isTrue();

            t.killRelay(relay);
            assertThat(relay.running()).isFalse();
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            t.restartRelay(relay);

            assertThat(relay.running()).isTrue();
            assertThat(t.relayPid(relay)).isNotEqualTo(pid);
            assertThat(t.relayPort(relay)).isEqualTo(port);
            assertThat(t.relayId(relay)).isEqualTo(id);
            // A second device sees the blob stored before the kill: same store, same identity.
            Device b = t.addDevice(g, List.of(relay));
            assertThat(t.awaitConvergence(Duration.ofSeconds(20))).isTrue();
            assertThat(b.received().values()).extracting(v -> new String(v, StandardCharsets.UTF_8))
                    .containsExactly("before the kill");
            assertThat(t.timeline().toJsonLines()).contains("\"kill-relay\"", "\"restart-relay\"", "start=2");
        }
    }

    @Test
    void relayLogLines_captureTheProcessOutputAtTrace() {
        try (RealTopology t = (RealTopology) FAST.open(8, dir.resolve("run"))) {
            Relay relay = t.addRelay();
            Device a = t.addDevice(t.newGroup(), List.of(relay));
            a.push(new byte[100]);
            assertThat(t.awaitConvergence(Duration.ofSeconds(20))).isTrue();

            List<String> lines = t.relayLogLines(relay);
            assertThat(lines).anyMatch(l -> l.contains("listening on quic://127.0.0.1:" + t.relayPort(relay)));
            // DEBUG records appear only because the relay runs at TRACE (its default is INFO).
            assertThat(lines).anyMatch(l -> l.contains("DEBUG") && l.contains("accepted"));
            assertThat(t.relayStorageFiles(relay)).extracting(p -> p.getFileName().toString())
                    .contains("relay.db", "relay.key");
        }
    }

    @Test
    void partition_takesTheDeviceOffline_healBringsItBack() {
        try (RealTopology t = (RealTopology) FAST.open(9, dir.resolve("run"))) {
            Relay relay = t.addRelay();
            Group g = t.newGroup();
            Device a = t.addDevice(g, List.of(relay));
            Device b = t.addDevice(g, List.of(relay));
            assertThat(t.await(() -> a.status().kind() == SyncStatus.Kind.SYNCED, Duration.ofSeconds(20))).isTrue();

            t.partition(a);
            BlobId during = a.push("pushed while cut off".getBytes(StandardCharsets.UTF_8));
            // With its only relay unreachable the engine reports FAILED ("all relays failed") or OFFLINE.
            assertThat(t.await(() -> a.status().kind() == SyncStatus.Kind.OFFLINE
                    || a.status().kind() == SyncStatus.Kind.FAILED, Duration.ofSeconds(20)))
                    .as("device-1 notices the partition").isTrue();
            assertThat(b.received()).doesNotContainKey(during);
            assertThat(t.proxy(a, relay).stats().up().droppedDatagrams()).isPositive();

            t.heal(a);
            a.syncNow();
            assertThat(t.awaitConvergence(Duration.ofSeconds(30))).as(t.timeline().toJsonLines()).isTrue();
            assertThat(b.received()).containsKey(during);
        }
    }

    /** Nightly: about 16 s, and the default run keeps the real topology under 90 s. */
    @Test
    @Tag("nightly")
    void pauseRelay_silencesIt_resumeLetsItAnswer() {
        try (RealTopology t = (RealTopology) FAST.open(10, dir.resolve("run"))) {
            Relay relay = t.addRelay();
            Group g = t.newGroup();
            Device a = t.addDevice(g, List.of(relay));
            Device b = t.addDevice(g, List.of(relay));
            assertThat(t.awaitConvergence(Duration.ofSeconds(20))).isTrue();

            t.pauseRelay(relay);
            BlobId during = a.push("pushed while the relay is frozen".getBytes(StandardCharsets.UTF_8));
            assertThat(t.await(() -> b.received().containsKey(during), Duration.ofSeconds(2))).isFalse();

            t.resumeRelay(relay);
            assertThat(t.awaitConvergence(Duration.ofSeconds(30))).as(t.timeline().toJsonLines()).isTrue();
            assertThat(b.received()).containsKey(during);
        }
    }

    @Test
    void toProfile_mapsEveryFaultTheProxyHas() {
        LinkFaults f = LinkFaults.NONE.withDelay(Duration.ofMillis(200), Duration.ofMillis(50)).withLoss(0.2)
                .withDuplicate(0.1).withReorder(0.3).withCorrupt(0.01).withLimitBytes(4000).withBandwidth(7000)
                .withPartitioned(true);

        FaultProfile p = RealTopology.toProfile(f);

        assertThat(p.latencyMean()).isEqualTo(Duration.ofMillis(200));
        assertThat(p.jitterStddev()).isEqualTo(Duration.ofMillis(50));
        assertThat(p.lossProbability()).isEqualTo(0.2);
        assertThat(p.duplicateProbability()).isEqualTo(0.1);
        assertThat(p.reorderProbability()).isEqualTo(0.3);
        assertThat(p.corruptProbability()).isEqualTo(0.01);
        assertThat(p.limitDataBytes()).hasValue(4000);
        assertThat(p.bandwidthBytesPerSecond()).hasValue(7000);
        assertThat(p.partitioned()).isTrue();
        assertThat(RealTopology.toProfile(LinkFaults.NONE)).isEqualTo(FaultProfile.NONE);
    }

    @Test
    void toProfile_burstLoss_keepsTheMeanRateAndBurstLength() {
        FaultProfile p = RealTopology.toProfile(LinkFaults.NONE.withBurstLoss(0.1, 4));

        assertThat(p.lossProbability()).isZero();
        double g = p.burstLoss().goodToBadProbability();
        double b = p.burstLoss().badToGoodProbability();
        assertThat(1 / b).isEqualTo(4.0);
        assertThat(g / (g + b)).isCloseTo(0.1, org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void toProfile_truncation_isNotRun() {
        assertThatThrownBy(() -> RealTopology.toProfile(LinkFaults.NONE.withTruncate(0.1)))
                .isInstanceOf(NotRunException.class).hasMessageContaining("truncate");
    }

    @Test
    void setFaults_appliesPerDirectionLive() {
        try (RealTopology t = (RealTopology) FAST.open(11, dir.resolve("run"))) {
            Relay relay = t.addRelay();
            Device a = t.addDevice(t.newGroup(), List.of(relay));

            t.setFaults(a, relay, LinkDirection.DOWN, LinkFaults.NONE.withLoss(0.5));

            assertThat(t.proxy(a, relay).profile(Direction.DOWN).lossProbability()).isEqualTo(0.5);
            assertThat(t.proxy(a, relay).profile(Direction.UP)).isEqualTo(FaultProfile.NONE);
            assertThat(t.timeline().toJsonLines()).contains("device-1<-relay-1 loss=0.5");
        }
    }
}
