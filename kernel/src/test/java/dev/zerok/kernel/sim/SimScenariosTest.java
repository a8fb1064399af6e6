package dev.zerok.kernel.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.relay.RelayLimits;
import dev.zerok.kernel.sync.DeliveredBlob;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.id.Cursor;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Cases of {@code SyncScenariosTest} (which runs against the hand-written {@code FakeRelay})
 * carried over to the pair simulator, where the relay side is the real {@code RelaySession}
 * behind a real {@code SecureChannel}.
 */
class SimScenariosTest {
    private static List<String> texts(SimDevice d) {
        return d.delivered().stream().map(b -> new String(b.data(), StandardCharsets.UTF_8)).toList();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** SyncScenariosTest.push_online_deliveredToTheOtherDeviceAndVectorsByteIdentical. */
    @Test
    void push_online_deliveredToTheOtherDeviceAndVectorsByteIdentical() throws Exception {
        Sim sim = new Sim(3);
        SimRelay r = sim.relay(RelayLimits.DEFAULTS);
        SimDevice a = sim.device(List.of(r));
        SimDevice b = sim.device(List.of(r));
        sim.start(a);
        sim.start(b);

        a.push(utf8("one"));
        a.push(utf8("two"));
        sim.runFor(Duration.ZERO);
        b.push(utf8("three"));
        sim.runFor(Duration.ofSeconds(1));

        assertThat(texts(b)).containsExactly("one", "two");
        assertThat(texts(a)).containsExactly("three");
        assertThat(a.engine().versionVector()).isEqualTo(b.engine().versionVector());
        assertThat(a.engine().versionVector().get(a.id())).isEqualTo(2);
        assertThat(a.engine().versionVector().get(b.id())).isEqualTo(1);
        assertThat(a.store().versionVector()).isEqualTo(b.store().versionVector());
        assertThat(a.engine().status().kind()).isEqualTo(SyncStatus.Kind.SYNCED);
        assertThat(b.engine().status().kind()).isEqualTo(SyncStatus.Kind.SYNCED);
        assertThat(b.delivered().get(0).sequence()).isEqualTo(1);
        assertThat(b.delivered().get(0).sender()).isEqualTo(a.id());
        assertThat(r.log(sim.group())).extracting(s -> s.sender()).containsExactly(a.id(), a.id(), b.id());
    }

    /**
     * SyncScenariosTest.pull_manyPages_loopsUntilHasMoreIsFalse: there the fake relay cut pages at
     * two blobs; here the relay's own {@link RelayLimits#maxPullBlobs()} does.
     */
    @Test
    void pull_manyPages_loopsUntilHasMoreIsFalse() throws Exception {
        RelayLimits twoPerPage = new RelayLimits(RelayLimits.DEFAULTS.maxFrameBytes(), RelayLimits.DEFAULTS.maxTtl(), 2,
                RelayLimits.DEFAULTS.maxPullBytes(), RelayLimits.DEFAULTS.helloTimeout(), RelayLimits.DEFAULTS.frameTimeout(),
                RelayLimits.DEFAULTS.maxQueuedRequests());
        Sim sim = new Sim(4);
        SimRelay r = sim.relay(twoPerPage);
        SimDevice a = sim.device(List.of(r));
        sim.start(a);
        for (int i = 1; i <= 7; i++) {
            a.push(utf8("m" + i));
        }
        sim.runFor(Duration.ZERO);

        SimDevice b = sim.device(List.of(r));
        sim.start(b);

        assertThat(texts(b)).containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7");
        assertThat(b.sent().stream().filter(m -> m instanceof Message.Pull)).hasSize(4);
        assertThat(b.engine().pullCursor(r.id())).isEqualTo(new Cursor(7));
        assertThat(b.store().pullCursor(r.id())).isEqualTo(new Cursor(7));
        assertThat(b.engine().versionVector().get(a.id())).isEqualTo(7);
        assertThat(b.engine().status().kind()).isEqualTo(SyncStatus.Kind.SYNCED);
        assertThat(b.delivered()).extracting(DeliveredBlob::sender).containsOnly(a.id());
    }
}
