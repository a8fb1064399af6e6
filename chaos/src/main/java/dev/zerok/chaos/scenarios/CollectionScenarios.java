package dev.zerok.chaos.scenarios;

import static dev.zerok.chaos.scenarios.Steps.SETTLE;
import static dev.zerok.chaos.scenarios.Steps.check;
import static dev.zerok.chaos.scenarios.Steps.converge;

import dev.zerok.chaos.runner.Category;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.content.ChunkSealer;
import dev.zerok.kernel.content.SealedChunk;
import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncPayload;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.id.BlobId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seed 000 section 8.2 (C-COLL, content collection integrity) at the topology level: a collection
 * of 10 one-MiB chunks and a manifest, built and checked by {@link ContentLayer} with the product's
 * content code, pushed by A and pulled by B over a link capped at 1 MB/s down (so "after 3 of 10"
 * is a moment the scenario can catch: one chunk takes about a second).
 *
 * <p>A pushes the chunks one at a time, each acknowledged before the next, then the manifest, so
 * the relay's cursors are 1..10 for chunks 1..10 and 11 for the manifest. The product queues them
 * without waiting (Device.pushPath); the payloads are the same, only their cursors are pinned.
 */
public final class CollectionScenarios {
    /** Chunks in the seed's collection ("3 of 10 blobs"). */
    public static final int CHUNKS = 10;
    /** B's downlink while it pulls: about one 1 MiB chunk a second. */
    static final long PULL_BYTES_PER_SECOND = 1_000_000;

    private CollectionScenarios() {}

    private static Set<Capability> needs(Capability... more) {
        Set<Capability> s = new HashSet<>(SyncScenarios.OBSERVE);
        s.addAll(List.of(more));
        return s;
    }

    /** A collection of {@link #CHUNKS} full chunks, the canary in each chunk's plaintext. */
    static ContentLayer.Collection tenChunks(ContentLayer content, SplittableRandom random, Topology t) {
        byte[] file = new byte[CHUNKS * ChunkSealer.CHUNK_BYTES];
        for (int i = 0; i < CHUNKS; i++) {
            byte[] piece = Steps.payload(random, ChunkSealer.CHUNK_BYTES);
            System.arraycopy(piece, 0, file, i * ChunkSealer.CHUNK_BYTES, piece.length);
        }
        return content.build("ten.bin", t.now(), file);
    }

    /** Pushes {@code data} from {@code device} and waits until a relay acknowledged it. */
    static BlobId pushAcknowledged(Topology t, Device device, SyncPayload.Kind kind, byte[] data) {
        BlobId id = device.push(kind, data);
        check(t.await(() -> device.events().stream().anyMatch(e -> e instanceof SyncEvent.Acknowledged a
                && a.blob().equals(id)), SETTLE), device.name() + "'s " + kind + " push was not acknowledged");
        return id;
    }

    /** A's part: the chunks in cursor order 1..10, then the manifest at cursor 11; A converges alone. */
    static List<BlobId> pushCollection(Topology t, Device a, ContentLayer.Collection c) {
        List<BlobId> ids = new ArrayList<>();
        for (SealedChunk chunk : c.chunks()) {
            ids.add(pushAcknowledged(t, a, SyncPayload.Kind.CHUNK, chunk.bytes()));
        }
        ids.add(pushAcknowledged(t, a, SyncPayload.Kind.COLLECTION, c.encodedManifest()));
        converge(t, SETTLE);
        return ids;
    }

    /** How many of {@code chunkIds} {@code d} has received. */
    static long chunksReceived(Device d, List<BlobId> chunkIds) {
        return d.received().keySet().stream().filter(chunkIds::contains).count();
    }

    /**
     * C-COLL-01: B's connection is killed (B crashes: every connection drops, no goodbye) after it
     * received 3 of the 10 chunks. Asserted: before B is back it does not hold a complete collection
     * (no manifest, 7 or so chunks missing); after it is back it holds the complete collection,
     * reassembled and verified byte for byte with the product's codecs; B received A's blobs in cursor
     * order with none skipped (it resumed at the first chunk it lacked); counted at the relay, after
     * the reconnect B was served exactly the chunks it lacked and the manifest, plus at most one page:
     * the page in flight when the connection died (the engine has one pull outstanding per relay,
     * and a 1 MiB chunk fills a page, so the page the relay sent, or B received but had not
     * committed, is one chunk); what A's cursor moved over meanwhile is subtracted (A's own
     * pulls). Over the whole run {@link Steps#noRePull} with the same slack of 1,
     * the relay's rows stored once, and invariants 1-5.
     */
    public static final Scenario C_COLL_01 = new Scenario("C-COLL-01",
            "Partial collection sync: connection killed after 3 of 10 chunks", Category.CONTENT,
            needs(Capability.CRASH_DEVICE, Capability.BANDWIDTH, Capability.RELAY_COUNTERS), t -> {
                SplittableRandom random = Steps.random(t);
                ContentLayer content = ContentLayer.seeded(random);
                Relay relay = t.addRelay();
                Group group = t.newGroup();
                Device a = t.addDevice(group, List.of(relay));
                ContentLayer.Collection c = tenChunks(content, random, t);
                List<BlobId> ids = pushCollection(t, a, c);
                List<BlobId> chunkIds = ids.subList(0, CHUNKS);
                Steps.PullBaseline start = Steps.pullBaseline(t, relay);

                Device b = t.addDevice(group, List.of(relay));
                Steps.faultAllLinks(t, b, LinkDirection.DOWN, LinkFaults.NONE.withBandwidth(PULL_BYTES_PER_SECOND));
                check(t.await(() -> chunksReceived(b, chunkIds) >= 3, SETTLE), "B did not receive 3 chunks");
                t.crashDevice(b);
                long heldAtKill = chunksReceived(b, chunkIds);
                long servedAtKill = t.relayCounters(relay).blobsServed();
                // A's own pulls count at the relay too (an idle A may reconnect and pull its own blobs
                // on real), so what A's cursor moves over after the kill is not B's.
                long aCursorAtKill = a.pullCursor(relay).value();
                check(heldAtKill >= 3 && heldAtKill < CHUNKS, "B held " + heldAtKill + " of " + CHUNKS
                        + " chunks when its connection was killed; the kill must land mid-collection");
                ContentLayer.Holding partial = content.holding(b.received(), c);
                check(!partial.complete(), "B holds a complete collection with " + heldAtKill + " of " + CHUNKS
                        + " chunks: " + partial.describe());
                check(partial.missing().size() == CHUNKS - heldAtKill, "B's holding disagrees with what it received: "
                        + partial.describe());

                t.heal(b);
                t.restartDevice(b);
                converge(t, SETTLE);
                content.assertComplete(b.received(), c, "B after the reconnect");
                List<BlobId> order = b.received().keySet().stream().filter(ids::contains).toList();
                check(order.equals(ids), "B received A's blobs out of cursor order (a gap, not resumed in place)");
                long servedAfter = t.relayCounters(relay).blobsServed() - servedAtKill
                        - (a.pullCursor(relay).value() - aCursorAtKill);
                long needed = CHUNKS - heldAtKill + 1;
                t.timeline().note("content", "B held " + heldAtKill + " of " + CHUNKS + " chunks at the kill; served "
                        + servedAfter + " blob entries to B after the reconnect for " + needed + " missing; A's cursor "
                        + aCursorAtKill + " -> " + a.pullCursor(relay).value());
                check(servedAfter >= needed && servedAfter <= needed + 1, "after the reconnect the relay served "
                        + servedAfter + " blob entries; B lacked " + (CHUNKS - heldAtKill) + " chunks and the manifest ("
                        + needed + "), slack 1 for the page in flight: not resumed from chunk " + (heldAtKill + 1));
                Steps.noRePull(t, start, 1, "the page in flight when B's connection was killed");
                Steps.allInvariants(t);
            });

    /**
     * C-COLL-02: while B is pulling (2 chunks held), chunk 8's row and its payload are deleted from
     * the relay's store. Asserted: B still receives chunks 9 and 10 and the manifest; B's collection
     * is incomplete, "missing 1 of 10 chunks", chunk 8 named; nothing failed at B (no BlobFailed, B
     * runs, ends SYNCED); the group does not stall: a blob A pushes afterwards arrives at B; the relay
     * holds the 11 remaining rows; invariants 3 to 5 (B cannot converge with A: A pushed a blob that
     * no longer exists).
     */
    public static final Scenario C_COLL_02 = new Scenario("C-COLL-02",
            "Blob deletion during active sync: a chunk deleted at the relay mid-pull", Category.CONTENT,
            needs(Capability.TAMPER_RELAY_STORE, Capability.BANDWIDTH, Capability.RELAY_COUNTERS), t -> {
                SplittableRandom random = Steps.random(t);
                ContentLayer content = ContentLayer.seeded(random);
                Relay relay = t.addRelay();
                Group group = t.newGroup();
                Device a = t.addDevice(group, List.of(relay));
                ContentLayer.Collection c = tenChunks(content, random, t);
                List<BlobId> ids = pushCollection(t, a, c);
                List<BlobId> chunkIds = ids.subList(0, CHUNKS);
                int deleted = 8;

                Device b = t.addDevice(group, List.of(relay));
                Steps.faultAllLinks(t, b, LinkDirection.DOWN, LinkFaults.NONE.withBandwidth(PULL_BYTES_PER_SECOND));
                check(t.await(() -> chunksReceived(b, chunkIds) >= 2, SETTLE), "B did not start pulling");
                check(t.deleteStoredBlob(relay, deleted), "the relay held no blob at cursor " + deleted);
                check(!b.received().containsKey(chunkIds.get(deleted - 1)),
                        "B had received chunk " + deleted + " before it was deleted: the deletion was not during the pull");
                List<BlobId> survivors = new ArrayList<>(ids);
                survivors.remove(deleted - 1);
                check(t.await(() -> b.received().keySet().containsAll(survivors), SETTLE), "B stalled at the deleted chunk: "
                        + "it received " + chunksReceived(b, chunkIds) + " chunks, manifest "
                        + b.received().containsKey(ids.get(CHUNKS)));
                t.heal(b);
                ContentLayer.Holding holding = content.holding(b.received(), c);
                t.timeline().note("content", "B: " + holding.describe());
                check(holding.manifest().isPresent() && holding.missing().equals(List.of(deleted))
                        && holding.describe().contains("missing 1 of 10 chunks"), "B's collection should be missing "
                        + "exactly chunk " + deleted + ": " + holding.describe());
                byte[] later = Steps.payload(random, 256);
                BlobId laterId = a.push(later);
                check(t.await(() -> b.received().containsKey(laterId), SETTLE),
                        "a blob pushed after the deletion did not arrive: the group stalled");
                check(java.util.Arrays.equals(b.received().get(laterId), later), "the later blob arrived altered");
                check(t.await(() -> b.status().kind() == SyncStatus.Kind.SYNCED, SETTLE), "B is " + b.status());
                check(b.running(), "B stopped");
                check(Steps.count(b, SyncEvent.BlobFailed.class) == 0, "B recorded a BlobFailed for the deleted chunk "
                        + "(a relay-side deletion is not a verification failure)");
                long rows = t.relayCounters(relay).rowsStored();
                check(rows == ids.size(), "the relay holds " + rows + " rows, expected " + ids.size()
                        + " (12 pushed, 1 deleted)");
                Steps.allInvariantsIfConverged(t, false);
            });

    /** Every scenario of this class, in catalogue order. */
    public static final List<Scenario> ALL = List.of(C_COLL_01, C_COLL_02);
}
