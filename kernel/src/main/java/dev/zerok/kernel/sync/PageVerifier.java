package dev.zerok.kernel.sync;

import dev.zerok.kernel.content.BlobSealer;
import dev.zerok.kernel.content.SealingException;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.ContentHash;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Decides what a pulled page means, as a pure function of the page, the committed version vector
 * and what the index already holds: which blobs open, which are delivered, which are recorded
 * FAILED and why, where each sender's contiguous high-water mark moves and which sequences stay
 * held. It reads nothing and writes nothing; {@link SyncEngine} fetches the index entries first
 * ({@link SyncEngine.Local.ReadIndex}) and commits the outcome afterwards
 * ({@link SyncEngine.Local.CommitPage}). The rules are those of {@link SyncEngine}'s "Sequence
 * numbers and the version vector" and "Failures are never silent".
 */
final class PageVerifier {
    private final GroupKeys keys;
    private final BlobSealer sealer;
    private final DeviceId self;

    PageVerifier(GroupKeys keys, BlobSealer sealer, DeviceId self) {
        this.keys = keys;
        this.sealer = sealer;
        this.self = self;
    }

    /**
     * The outcome of one page, not yet committed.
     *
     * @param entries the index entries to commit, one per new blob id, in page order
     * @param vector the version vector after the page
     * @param held each examined sender's held sequences after the page (sequence to blob id)
     * @param deliveries the blobs to hand to the application, in page order
     * @param warnings what the user should know about the relay's answer; never ids
     */
    record Outcome(List<BlobIndexEntry> entries, VersionVector vector, Map<DeviceId, TreeMap<Long, BlobId>> held,
            List<DeliveredBlob> deliveries, List<String> warnings) {}

    /**
     * Examines a page in cursor order.
     *
     * @param relay the relay that served it
     * @param blobs the page's blobs (cursor order, all after the cursor asked for)
     * @param vector the committed version vector
     * @param known the committed index entries of the page's ids
     * @param held the committed held sequences of every sender of the page (sequence to blob id)
     * @throws SyncException coded {@code CRYPTO_UNAVAILABLE} if the crypto adapter failed (not the
     *     blob): nothing of the page may be committed
     */
    Outcome verify(RelayId relay, List<Message.PulledBlob> blobs, VersionVector vector, Map<BlobId, BlobIndexEntry> known,
            Map<DeviceId, TreeMap<Long, BlobId>> held) throws SyncException {
        Work work = new Work(relay, vector, known, held);
        for (Message.PulledBlob b : blobs) {
            examine(work, b);
        }
        return new Outcome(List.copyOf(work.entries.values()), work.working, work.heldCopies,
                List.copyOf(work.deliveries), List.copyOf(work.warnings));
    }

    /**
     * The blobs of a redelivery page that were RECEIVED with these very bytes, opened again for the
     * application; blobs after {@code committed} are left to the normal pull.
     *
     * @throws SealingException if a blob that opened before does not open now (a local failure)
     * @throws SyncException if its payload does not parse now (a local failure)
     */
    List<DeliveredBlob> reopen(List<Message.PulledBlob> blobs, Cursor committed, Map<BlobId, BlobIndexEntry> known)
            throws SealingException, SyncException {
        List<DeliveredBlob> again = new ArrayList<>();
        for (Message.PulledBlob b : blobs) {
            if (b.cursor().isAfter(committed)) {
                break;
            }
            BlobIndexEntry entry = known.get(b.blob());
            if (entry == null || entry.state() != BlobIndexEntry.State.RECEIVED
                    || !entry.contentHash().equals(sealer.contentHash(b.payload()))) {
                continue;
            }
            byte[] plaintext = sealer.open(keys.contentKey(), keys.groupId(), b.blob(), b.sender(), b.payload());
            try {
                SyncPayload opened = SyncPayload.decode(plaintext);
                again.add(new DeliveredBlob(b.blob(), b.sender(), opened.sequence(), opened.kind(), opened.data()));
            } finally {
                Arrays.fill(plaintext, (byte) 0);
            }
        }
        return again;
    }

    private static final class Work {
        final RelayId relay;
        VersionVector working;
        final Map<BlobId, BlobIndexEntry> known;
        final Map<DeviceId, TreeMap<Long, BlobId>> committedHeld;
        final Map<DeviceId, TreeMap<Long, BlobId>> heldCopies = new HashMap<>();
        final Map<BlobId, BlobIndexEntry> entries = new LinkedHashMap<>();
        final List<DeliveredBlob> deliveries = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();

        Work(RelayId relay, VersionVector vector, Map<BlobId, BlobIndexEntry> known,
                Map<DeviceId, TreeMap<Long, BlobId>> held) {
            this.relay = relay;
            this.working = vector;
            this.known = known;
            this.committedHeld = held;
        }

        TreeMap<Long, BlobId> held(DeviceId sender) {
            return heldCopies.computeIfAbsent(sender, s -> new TreeMap<>(committedHeld.getOrDefault(s, new TreeMap<>())));
        }

        void record(Message.PulledBlob b, long sequence, ContentHash hash, BlobIndexEntry.State state, String failure) {
            entries.put(b.blob(), new BlobIndexEntry(b.blob(), b.sender(), sequence, relay, b.cursor(), hash, state, failure));
        }
    }

    private void examine(Work work, Message.PulledBlob b) throws SyncException {
        byte[] payload = b.payload();
        ContentHash hash = sealer.contentHash(payload);
        BlobIndexEntry seen = work.entries.get(b.blob());
        BlobIndexEntry known = seen != null ? seen : work.known.get(b.blob());
        if (known != null && known.state() == BlobIndexEntry.State.RECEIVED) {
            if (!known.contentHash().equals(hash)) {
                work.warnings.add("the relay served different bytes under the id of a blob already received; the "
                        + "received copy is kept");
            }
            return; // a duplicate: through another relay, or replayed
        }
        byte[] plaintext;
        try {
            plaintext = sealer.open(keys.contentKey(), keys.groupId(), b.blob(), b.sender(), payload);
        } catch (SealingException e) {
            if (e.code() == SealingException.Code.CRYPTO_UNAVAILABLE) {
                throw new SyncException(SyncException.Code.CRYPTO_UNAVAILABLE, "a blob could not be opened: crypto unavailable", e);
            }
            work.record(b, 0, hash, BlobIndexEntry.State.FAILED, "blob did not open (" + e.code()
                    + "): altered, truncated, or moved to another group, id or sender");
            return;
        }
        SyncPayload opened;
        try {
            opened = SyncPayload.decode(plaintext);
        } catch (SyncException e) {
            work.record(b, 0, hash, BlobIndexEntry.State.FAILED, "the authenticated blob holds no valid sync payload");
            return;
        } finally {
            Arrays.fill(plaintext, (byte) 0);
        }
        long sequence = opened.sequence();
        DeviceId sender = b.sender();
        if (sender.equals(self)) {
            // This device's own blob coming back: verified and indexed, never delivered. A sequence
            // above our own counter means our state was restored from an older copy: move the
            // counter so we never seal a sequence number twice.
            if (sequence > work.working.get(sender)) {
                work.working = work.working.with(sender, sequence);
                work.warnings.add("a blob of this device carries a sequence number above its own counter: the "
                        + "device state was restored from an older copy; the counter moves past it");
            }
            work.record(b, sequence, hash, BlobIndexEntry.State.RECEIVED, "");
            return;
        }
        long mark = work.working.get(sender);
        if (sequence <= mark) {
            work.record(b, sequence, hash, BlobIndexEntry.State.FAILED, "sequence number at or below the sender's "
                    + "contiguous high-water mark on a new blob: replayed or rolled back");
            return;
        }
        TreeMap<Long, BlobId> heldForSender = work.held(sender);
        if (heldForSender.containsKey(sequence)) {
            work.record(b, sequence, hash, BlobIndexEntry.State.FAILED,
                    "sequence number already used by another blob of the same sender");
            return;
        }
        heldForSender.put(sequence, b.blob());
        work.record(b, sequence, hash, BlobIndexEntry.State.RECEIVED, "");
        work.deliveries.add(new DeliveredBlob(b.blob(), sender, sequence, opened.kind(), opened.data()));
        long advanced = mark;
        while (heldForSender.containsKey(advanced + 1)) {
            advanced++;
            heldForSender.remove(advanced);
        }
        if (advanced > mark) {
            work.working = work.working.with(sender, advanced);
        }
    }
}
