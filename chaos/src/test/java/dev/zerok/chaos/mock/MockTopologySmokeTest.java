package dev.zerok.chaos.mock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.Relay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MockTopologySmokeTest {
    @TempDir Path dir;

    @Test
    void twoDevices_pushEach_converge() {
        long t0 = System.nanoTime();
        try (MockTopology t = new MockTopology(42, dir.resolve("run"))) {
            Relay r = t.addRelay();
            Group g = t.newGroup();
            Device a = t.addDevice(g, List.of(r));
            Device b = t.addDevice(g, List.of(r));
            a.push("hello from a".getBytes());
            b.push("hello from b".getBytes());
            boolean ok = t.awaitConvergence(Duration.ofMinutes(2));
            System.out.println(t.timeline().toJsonLines());
            System.out.println("wall ms " + (System.nanoTime() - t0) / 1_000_000 + " virtual " + t.now());
            assertThat(ok).isTrue();
            assertThat(b.received()).hasSize(1);
            assertThat(a.received()).hasSize(1);
        }
    }
}
