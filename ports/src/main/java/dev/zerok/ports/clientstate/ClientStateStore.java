package dev.zerok.ports.clientstate;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.util.List;
import java.util.Optional;

/**
 * A device's durable sync state: the outbox (sealed blobs not yet acknowledged by every relay),
 * the pull cursor per relay, the version vector and the index of received blobs.
 *
 * <p>Every method is one transaction; when it returns, its effect survives a crash. Outbox
 * entries survive restarts ("stranded commits" are sent on the next connection). Thread-safe.
 */
public interface ClientStateStore extends AutoCloseable {
    /**
     * Adds a sealed blob to the outbox for each relay in {@code relays}.
     *
     * @throws ClientStateException coded {@code IO}; an entry already queued under the same blob id
     *     is left as it was
     */
    void enqueue(OutboxEntry entry, List<RelayId> relays) throws ClientStateException;

    /**
     * Adds a blob this device sealed to the outbox, as {@link #enqueue(OutboxEntry, List)} does,
     * and in the same transaction stores {@code versionVector} as the committed version vector:
     * {@link #enqueueAll} of one entry.
     *
     * @throws ClientStateException coded {@code IO}; if an entry is already queued under the same
     *     blob id, nothing is written (neither the entry nor the vector) and it returns normally
     */
    default void enqueue(OutboxEntry entry, List<RelayId> relays, VersionVector versionVector)
            throws ClientStateException {
        enqueueAll(List.of(entry), relays, versionVector);
    }

    /**
     * Adds blobs this device sealed to the outbox for each relay in {@code relays}, in list order
     * (they are pushed in that order), and stores {@code versionVector} as the committed version
     * vector, all in <b>one transaction</b>: when this returns, every entry and the vector survive a
     * crash; when it throws, nothing was written. The sync engine seals a batch of pushes with
     * consecutive sender sequence numbers and queues them with one commit, so the sequence numbers
     * sealed into the blobs (the device's own entry of the vector) are durable exactly when the
     * blobs are: after a crash the device never seals the same sequence number twice.
     *
     * @param entries one or more entries with distinct blob ids
     * @param relays one or more relays
     * <p>If any entry is already queued under its blob id, nothing is written (no entry, not the
     * vector) and it returns normally, as a repeated single enqueue does.
     *
     * @throws ClientStateException coded {@code IO}; nothing was written
     * @throws IllegalArgumentException if {@code entries} or {@code relays} is empty, or two
     *     entries share a blob id
     */
    void enqueueAll(List<OutboxEntry> entries, List<RelayId> relays, VersionVector versionVector)
            throws ClientStateException;

    /** Outbox entries not yet acknowledged by {@code relay}, oldest first, at most {@code max}. */
    List<OutboxEntry> pending(RelayId relay, int max) throws ClientStateException;

    /**
     * As {@link #pending(RelayId, int)}, skipping the entries in {@code excluding} (the pushes
     * already in flight), so a sender reads only payloads it will send. This default over-fetches
     * and filters; stores should skip in the query.
     *
     * @param max at most this many entries are returned, 1 or more
     */
    default List<OutboxEntry> pending(RelayId relay, int max, java.util.Set<dev.zerok.ports.id.BlobId> excluding)
            throws ClientStateException {
        return pending(relay, max + excluding.size()).stream().filter(e -> !excluding.contains(e.blob())).limit(max)
                .toList();
    }

    /**
     * Records that {@code relay} acknowledged {@code blob}; the entry leaves the outbox once every
     * relay it was queued for has acknowledged it. The push-ack cursor is stored for diagnostics
     * only and never becomes the pull cursor. {@link #acknowledgeAll} of one.
     */
    default void acknowledge(RelayId relay, BlobId blob, Cursor pushAckCursor) throws ClientStateException {
        acknowledgeAll(List.of(new Acknowledgement(relay, blob, pushAckCursor)));
    }

    /**
     * Records several acknowledgements, in list order, in <b>one transaction</b>, each as
     * {@link #acknowledge} does; an acknowledgement of a blob or relay not in the outbox changes
     * nothing (a repeated ack). When it throws, nothing was recorded and the blobs are pushed again
     * (relays answer a repeated push as a duplicate).
     *
     * @param acknowledgements zero or more; an empty list writes nothing
     * @throws ClientStateException coded {@code IO}
     */
    void acknowledgeAll(List<Acknowledgement> acknowledgements) throws ClientStateException;

    /** The pull cursor for {@code relay}; {@link Cursor#ZERO} if never pulled. */
    Cursor pullCursor(RelayId relay) throws ClientStateException;

    /** The version vector as last committed; empty for a new device. */
    VersionVector versionVector() throws ClientStateException;

    /**
     * Commits the outcome of one pulled page atomically: the index entries of the blobs it
     * contained (received or failed), the new version vector and the new pull cursor for
     * {@code relay}. Callers never move the cursor past a blob without recording it here.
     *
     * @param newPullCursor must not be before the stored cursor
     * @throws ClientStateException coded {@code CURSOR_REGRESSION} if it is, {@code IO} otherwise
     */
    void commitPulled(RelayId relay, Cursor newPullCursor, List<BlobIndexEntry> entries, VersionVector versionVector)
            throws ClientStateException;

    /** The index entry of {@code blob}, if it was ever received or failed. */
    Optional<BlobIndexEntry> blob(BlobId blob) throws ClientStateException;

    /**
     * The index entries of those of {@code blobs} that were ever received or failed, in one read:
     * {@link #blob} for many ids (a pulled page asks for all of its ids at once).
     *
     * @param blobs zero or more ids
     * @return id to entry, only for the ids that have one
     * @throws ClientStateException coded {@code IO}
     */
    default java.util.Map<BlobId, BlobIndexEntry> blobs(java.util.Collection<BlobId> blobs) throws ClientStateException {
        java.util.Map<BlobId, BlobIndexEntry> found = new java.util.HashMap<>();
        for (BlobId blob : blobs) {
            Optional<BlobIndexEntry> entry = blob(blob);
            if (entry.isPresent()) {
                found.put(blob, entry.get());
            }
        }
        return found;
    }

    /**
     * The {@link BlobIndexEntry.State#RECEIVED} index entries from {@code sender} whose sequence
     * number is above {@code afterSequence}, by ascending sequence number. The sync engine asks
     * for those above the sender's version-vector entry: the blobs received out of order that
     * wait for a gap to fill before the vector may count them.
     */
    List<BlobIndexEntry> received(DeviceId sender, long afterSequence) throws ClientStateException;

    /** Every index entry in state {@link BlobIndexEntry.State#FAILED}, oldest first. */
    List<BlobIndexEntry> failures() throws ClientStateException;

    /** Idempotent. */
    @Override
    void close();
}
