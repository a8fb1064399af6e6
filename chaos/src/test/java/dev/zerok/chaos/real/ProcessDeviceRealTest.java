package dev.zerok.chaos.real;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.adversary.RelayRows;
import dev.zerok.chaos.proxy.Direction;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.ports.id.BlobId;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Devices as OS processes ({@link RealTopologyFactory.Settings#withDeviceProcesses()}): SIGKILL in
 * the middle of a push (seed 000 T-CONN-02's mechanics), SIGSTOP/SIGCONT (X-PLAT-02's lid close),
 * and no process left after close. Each test starts one relay and two or three device JVMs.
 */
class ProcessDeviceRealTest {
    static final RealTopologyFactory PROCESSES = new RealTopologyFactory(RealTopologyFactory.Settings.DEFAULTS
            .withDeviceTransport("idle.timeout", "3s").withDeviceTransport("connect.timeout", "3s")
            .withDeviceProcesses());
    private static final Duration SETTLE = Duration.ofSeconds(60);

    @TempDir Path dir;

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void capabilities_withDeviceProcesses_addPauseDevice() {
        assertThat(PROCESSES.capabilities()).contains(Capability.DEVICE_PROCESSES, Capability.PAUSE_DEVICE,
                Capability.CAPTURE_FRAMES);
        assertThat(new RealTopologyFactory().capabilities()).doesNotContain(Capability.DEVICE_PROCESSES,
                Capability.PAUSE_DEVICE);
    }

    /**
     * T-CONN-02's mechanics: A pushes a 600 KiB blob over a 64 KB/s uplink; once a third of it has
     * crossed the proxy, A's process is SIGKILLed. The relay stores nothing partial (no row), B keeps
     * syncing (its own push reaches the relay), A's record of its push survives, and after a restart
     * on the same stores A resumes: the blob arrives at B exactly once, byte for byte.
     */
    @Test
    void T_CONN_02_sigkillMidPush_relayKeepsNoPartialRow_blobArrivesOnceAfterRestart() {
        try (RealTopology t = (RealTopology) PROCESSES.open(1102, dir.resolve("run"))) {
            Relay relay = t.addRelay();
            Group g = t.newGroup();
            Device a = t.addDevice(g, List.of(relay));
            Device b = t.addDevice(g, List.of(relay));
            assertThat(t.awaitConvergence(SETTLE)).isTrue();
            long pidBefore = t.devicePid(a).orElseThrow();
            byte[] groupId = t.groupId(g);

            t.setFaults(a, relay, LinkDirection.UP, LinkFaults.NONE.withBandwidth(64_000));
            byte[] big = new byte[600 * 1024];
            new SplittableRandom(1102).nextBytes(big);
            long upBefore = t.proxy(a, relay).stats().up().forwardedBytes();
            BlobId id = a.push(big);
            assertThat(t.await(() -> t.proxy(a, relay).stats().up().forwardedBytes() - upBefore > 200_000, SETTLE))
                    .as("a third of the blob crossed the proxy").isTrue();
            assertThat(a.events()).noneMatch(e -> e instanceof SyncEvent.Acknowledged ack && ack.blob().equals(id));

            t.crashDevice(a);
            assertThat(alive(pidBefore)).as("A's process ended").isFalse();
            assertThat(t.deviceExitCode(a)).as("killed by SIGKILL (128 + 9), not closed").hasValue(137);
            assertThat(a.running()).isFalse();
            assertThat(a.pushed()).containsKey(id); // the application's record survives the crash
            t.setFaults(a, relay, LinkDirection.UP, LinkFaults.NONE);

            // The relay holds no row for the half-sent blob, and B is unaffected: its push lands.
            BlobId fromB = b.push("b keeps syncing".getBytes(StandardCharsets.UTF_8));
            assertThat(t.await(() -> b.events().stream().anyMatch(e -> e instanceof SyncEvent.Acknowledged ack
                    && ack.blob().equals(fromB)), SETTLE)).isTrue();
            assertThat(RelayRows.snapshot(t.relayDatabase(relay), groupId)).filteredOn(r -> r.startsWith("blob "))
                    .hasSize(1);

            t.restartDevice(a);
            assertThat(t.devicePid(a).orElseThrow()).isNotEqualTo(pidBefore);
            assertThat(t.awaitConvergence(SETTLE)).isTrue();
            assertThat(b.received()).containsOnlyKeys(id);
            assertThat(b.received().get(id)).isEqualTo(big);
            assertThat(b.deliveries()).isEqualTo(1);
            assertThat(a.received()).containsOnlyKeys(fromB);
            assertThat(RelayRows.snapshot(t.relayDatabase(relay), groupId)).filteredOn(r -> r.startsWith("blob "))
                    .hasSize(2);
            // Frames captured inside both device processes (across A's two incarnations) reach the topology.
            assertThat(t.capturedFrames().stream().mapToLong(f -> f.length).sum()).isGreaterThan(600L * 1024);
        }
    }

    /**
     * X-PLAT-02's mechanics: SIGSTOP freezes A's process (state T in /proc, no datagram from A reaches
     * the proxy while B's blob is announced); SIGCONT lets it run on and A receives the blob.
     */
    @Test
    void pauseDevice_sigstopFreezesTheProcess_resumeSyncsAgain() throws Exception {
        try (RealTopology t = (RealTopology) PROCESSES.open(1202, dir.resolve("run"))) {
            Relay relay = t.addRelay();
            Group g = t.newGroup();
            Device a = t.addDevice(g, List.of(relay));
            Device b = t.addDevice(g, List.of(relay));
            assertThat(t.awaitConvergence(SETTLE)).isTrue();
            long pid = t.devicePid(a).orElseThrow();

            t.pauseDevice(a);
            assertThat(processState(pid)).isEqualTo("T");
            long upBefore = t.proxy(a, relay).stats().up().receivedDatagrams();
            BlobId id = b.push("while the lid is closed".getBytes(StandardCharsets.UTF_8));
            t.runFor(Duration.ofSeconds(2));
            assertThat(t.proxy(a, relay).stats().up().receivedDatagrams()).isEqualTo(upBefore);
            assertThat(a.received()).doesNotContainKey(id);

            t.resumeDevice(a);
            assertThat(processState(pid)).isNotEqualTo("T");
            assertThat(t.await(() -> a.received().containsKey(id), SETTLE)).isTrue();
            assertThat(t.awaitConvergence(SETTLE)).isTrue();
            assertThat(t.devicePid(a).orElseThrow()).isEqualTo(pid); // the same process, not a restart
        }
    }

    @Test
    void close_leavesNoDeviceProcessAndDeletesTheWorkDir() {
        Path run = dir.resolve("run");
        List<Long> pids;
        try (RealTopology t = (RealTopology) PROCESSES.open(1302, run)) {
            Relay relay = t.addRelay();
            Group g = t.newGroup();
            Device a = t.addDevice(g, List.of(relay));
            Device b = t.addDevice(g, List.of(relay));
            t.pauseDevice(b); // a stopped process must die too
            pids = List.of(t.devicePid(a).orElseThrow(), t.devicePid(b).orElseThrow(), t.relayPid(relay));
            assertThat(pids).allMatch(ProcessDeviceRealTest::alive);
        }
        assertThat(pids).noneMatch(ProcessDeviceRealTest::alive);
        assertThat(Files.exists(run)).isFalse();
    }

    /** The one-letter state of {@code pid} from {@code /proc/PID/stat} (R, S, T, ...). */
    private static String processState(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return stat.substring(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    }
}
