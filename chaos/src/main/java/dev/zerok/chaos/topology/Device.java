package dev.zerok.chaos.topology;

import dev.zerok.kernel.sync.SyncEvent;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import java.util.List;
import java.util.Map;

/**
 * A device of a topology: a sync client of one {@link Group} with its own durable stores, its
 * relays in preference order, and an application-side record of what it pushed and received. The
 * record survives {@link Topology#crashDevice} (it stands for the application's own storage).
 *
 * <p>Called from the scenario's thread only.
 */
public interface Device {
    /** A stable, human name for timelines ({@code device-1}); never an id. */
    String name();

    /**
     * The device id the relays see, for the no-metadata check; empty if the topology cannot tell.
     * (Added after the interface was first committed; the default keeps implementations compiling.)
     */
    default java.util.Optional<dev.zerok.ports.id.DeviceId> deviceId() {
        return java.util.Optional.empty();
    }

    Group group();

    /** The relays this device syncs with, in preference order. */
    List<Relay> relays();

    /** False between {@link Topology#crashDevice} and {@link Topology#restartDevice}. */
    boolean running();

    /**
     * Seals {@code data} and queues it in the device's persistent outbox; returns once the blob is
     * durable there (delivery follows).
     *
     * @param data application bytes, 0 bytes up to {@link #maxPayloadBytes()}
     * @return the blob id
     * @throws ChaosException if the device is not running or the engine refuses the push
     */
    BlobId push(byte[] data);

    /**
     * As {@link #push(byte[])}, with the sync payload kind the receivers' inboxes dispatch on: the
     * content layer pushes each sealed chunk as a {@code CHUNK} and the encoded manifest as a
     * {@code COLLECTION} ({@code dev.zerok.client.Device.pushPath}). The relay cannot tell kinds
     * apart (the kind is inside the sealed payload); {@link #received()} records every kind's data.
     * {@code data} may be as large as the relay's frame limit admits (a full sealed chunk,
     * {@code ChunkSealer.MAX_SEALED_BYTES}, fits the default 2 MiB frame; the relay serves a page's
     * first blob whatever the page limit), so it may exceed {@link #maxPayloadBytes()}.
     *
     * @return the blob id
     * @throws ChaosException if the device is not running or the engine refuses the push
     * @throws NotRunException if this topology's devices push {@code DATA} only (the default)
     */
    default BlobId push(dev.zerok.kernel.sync.SyncPayload.Kind kind, byte[] data) {
        if (kind == dev.zerok.kernel.sync.SyncPayload.Kind.DATA) {
            return push(data);
        }
        throw new NotRunException("this topology's devices push DATA payloads only, not " + kind);
    }

    /** The largest {@code data} {@link #push} accepts, in bytes (bounded by the relays' frame limit). */
    int maxPayloadBytes();

    /** Asks every relay for new blobs now and retries relays in backoff. */
    void syncNow();

    /** The latest status. */
    SyncStatus status();

    /** The version vector as last committed. */
    VersionVector versionVector();

    /** The pull cursor for {@code relay} as last committed. */
    Cursor pullCursor(Relay relay);

    /** Every blob this device pushed, in push order, with the bytes it pushed. */
    Map<BlobId, byte[]> pushed();

    /**
     * Every blob delivered to this device's application, first delivery wins, in delivery order.
     * Redeliveries (at-least-once) are counted by {@link #deliveries()}.
     */
    Map<BlobId, byte[]> received();

    /** How many times the inbox was called (including redeliveries of the same blob id). */
    long deliveries();

    /** Every sync event the device reported, in order (status changes, acks, failures, warnings). */
    List<SyncEvent> events();
}
