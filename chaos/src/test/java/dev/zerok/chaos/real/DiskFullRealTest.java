package dev.zerok.chaos.real;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.runner.ChaosRunner;
import dev.zerok.chaos.runner.ScenarioResult;
import dev.zerok.chaos.scenarios.BlobScenarios;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Relay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000 C-STOR-01/02 on the real topology: each relay's data directory and each device's home
 * is a 16 MiB tmpfs ({@link RealTopologyFactory.Settings#withDiskFull()}), filled with ballast.
 * One iteration each (a relay JVM and two or three devices). NOT RUN unless root on Linux.
 */
class DiskFullRealTest {
    static final RealTopologyFactory.Settings BASE = RealTopologyFactory.Settings.DEFAULTS
            .withDeviceTransport("idle.timeout", "3s").withDeviceTransport("connect.timeout", "3s")
            .withDiskFull();

    @TempDir Path dir;

    private ScenarioResult run(dev.zerok.chaos.runner.Scenario scenario, RealTopologyFactory factory) {
        Assumptions.assumeTrue(TmpfsMount.unavailableReason() == null, TmpfsMount.unavailableReason());
        ChaosRunner.Settings once = new ChaosRunner.Settings(ChaosRunner.DEFAULT_BASE_SEED,
                Long.getLong(ChaosRunner.SEED), 1, dir.resolve("results"));
        ScenarioResult result = ChaosRunner.run(scenario, factory, once);
        assertThat(result.verdict()).as(result.toString()).isEqualTo("PASSED");
        return result;
    }

    @Test
    void C_STOR_01_relayDiskFullDuringWrite_clearErrorRetryNoPartialRow() {
        run(BlobScenarios.C_STOR_01, new RealTopologyFactory(BASE));
    }

    @Test
    void C_STOR_02_clientDiskFullDuringPull_reportsRetriesRelayUnaffected() {
        run(BlobScenarios.C_STOR_02, new RealTopologyFactory(BASE));
    }

    /** C-STOR-02 with device processes: the application's received log sits on the full disk too. */
    @Test
    void C_STOR_02_onDeviceProcesses() {
        run(BlobScenarios.C_STOR_02, new RealTopologyFactory(BASE.withDeviceProcesses()));
    }

    @Test
    void close_unmountsEveryTmpfs() {
        Assumptions.assumeTrue(TmpfsMount.unavailableReason() == null, TmpfsMount.unavailableReason());
        RealTopologyFactory factory = new RealTopologyFactory(BASE);
        assertThat(factory.capabilities()).contains(Capability.DISK_FULL);
        Path run = dir.resolve("run");
        List<Path> mountPoints = new ArrayList<>();
        try (RealTopology t = (RealTopology) factory.open(1401, run)) {
            Relay relay = t.addRelay();
            Device a = t.addDevice(t.newGroup(), List.of(relay));
            mountPoints.add(t.relayDatabase(relay).getParent());
            mountPoints.add(run.resolve(a.name()).resolve("home"));
            assertThat(mountPoints).allMatch(TmpfsMount::isMounted);
            t.setRelayDiskFull(relay, true); // close must unmount a full, busy filesystem too
        }
        assertThat(mountPoints).noneMatch(TmpfsMount::isMounted);
        assertThat(Files.exists(run)).isFalse();
    }
}
