package dev.zerok.kernel.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.sync.World.Device;
import dev.zerok.kernel.sync.World.FakeRelay;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.testkit.SeededEntropy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever order two relays serve a sender's blobs in, however their pages and latencies
 * interleave, a receiver ends with the same version vector as the sender, every blob delivered
 * exactly once and no failure recorded.
 */
class ConvergencePropertiesTest {
    @Property(tries = 25)
    void anyInterleavingOfTwoRelaysPages_convergesToTheSameVersionVector(
            @ForAll @IntRange(min = 1, max = 12) int blobs,
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 4) int page1,
            @ForAll @IntRange(min = 1, max = 4) int page2,
            @ForAll @IntRange(min = 0, max = 3000) int latency1Ms,
            @ForAll @IntRange(min = 0, max = 3000) int latency2Ms,
            @ForAll boolean secondRelayFirst) throws Exception {
        World world = new World(seed);
        FakeRelay r1 = world.relay();
        FakeRelay r2 = world.relay();
        Device sender = world.device(List.of(r1, r2));
        world.start(sender);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < blobs; i++) {
            texts.add("blob-" + i);
            sender.push("blob-" + i, world.now);
        }
        world.settle();
        shuffle(r2, new SeededEntropy(seed ^ 0x5eed));
        r1.pageMaxBlobs = page1;
        r2.pageMaxBlobs = page2;
        r1.latency = Duration.ofMillis(latency1Ms);
        r2.latency = Duration.ofMillis(latency2Ms);

        Device both = world.device(secondRelayFirst ? List.of(r2, r1) : List.of(r1, r2));
        Device shuffledOnly = world.device(List.of(r2));
        world.start(both);
        world.start(shuffledOnly);
        boolean synced = world.runUntil(() -> both.engine.status().kind() == SyncStatus.Kind.SYNCED
                && shuffledOnly.engine.status().kind() == SyncStatus.Kind.SYNCED, Duration.ofSeconds(120));

        assertThat(synced).as("both receivers synced").isTrue();
        VersionVector expected = VersionVector.EMPTY.with(sender.id, blobs);
        assertThat(sender.engine.versionVector()).isEqualTo(expected);
        assertThat(both.engine.versionVector()).isEqualTo(expected);
        assertThat(shuffledOnly.engine.versionVector()).isEqualTo(expected);
        assertThat(both.store.versionVector()).isEqualTo(expected);
        assertThat(both.deliveredTexts()).containsExactlyInAnyOrderElementsOf(texts);
        assertThat(shuffledOnly.deliveredTexts()).containsExactlyInAnyOrderElementsOf(texts);
        assertThat(both.events(SyncEvent.BlobFailed.class)).isEmpty();
        assertThat(shuffledOnly.events(SyncEvent.BlobFailed.class)).isEmpty();
        assertThat(both.engine.pullCursor(r1.id)).isEqualTo(new Cursor(blobs));
        assertThat(both.engine.pullCursor(r2.id)).isEqualTo(new Cursor(blobs));
    }

    /** The relay serves the same blobs in another order (it may: only cursors order a log). */
    private static void shuffle(FakeRelay relay, SeededEntropy entropy) {
        List<Message.PulledBlob> blobs = new ArrayList<>(relay.log.values());
        for (int i = blobs.size() - 1; i > 0; i--) {
            int j = (int) entropy.nextLong(i + 1);
            Message.PulledBlob t = blobs.get(i);
            blobs.set(i, blobs.get(j));
            blobs.set(j, t);
        }
        relay.wipe();
        for (Message.PulledBlob b : blobs) {
            relay.append(b.blob(), b.sender(), b.payload());
        }
    }
}
