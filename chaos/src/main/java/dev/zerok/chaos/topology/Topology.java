package dev.zerok.chaos.topology;

import dev.zerok.chaos.report.Timeline;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * Where a chaos scenario runs: relays, devices, the faults that can be injected between them and
 * the observations that can be made. A scenario is written once against this interface and runs on
 * every implementation: {@code mock} (one JVM, one thread, virtual time, seeded: a run replays
 * from its seed) and {@code real} (relay OS processes, in-process devices over QUIC on loopback,
 * the UDP fault proxy on every device-relay link).
 *
 * <p>Every operation that changes the world records an {@code inject} entry in {@link #timeline()};
 * implementations record what they observe (status changes, deliveries, failures) as
 * {@code observe} entries. An operation whose {@link Capability} the topology lacks throws
 * {@link NotRunException}, so a scenario that reaches it is reported NOT RUN, never passed.
 *
 * <p>Not thread-safe: one scenario thread calls everything. One topology serves one scenario
 * iteration; {@link #close()} releases every process, socket and temporary file.
 */
public interface Topology extends AutoCloseable {
    /** {@code mock}, {@code real} or {@code docker}: the name in reports. */
    String kind();

    /** The seed this run derives every random decision from (on a non-deterministic topology: its fault seeds). */
    long seed();

    /** What this topology can inject and observe. */
    Set<Capability> capabilities();

    /** The record of this run. */
    Timeline timeline();

    /** The topology's current time (virtual on the mock). */
    Instant now();

    // ------------------------------------------------------------------ members

    /** A new sync group (a fresh group secret). */
    Group newGroup();

    /** Starts a new relay with a fresh identity and an empty store; devices added later may use it. */
    Relay addRelay();

    /**
     * Starts a new device of {@code group} syncing with {@code relays} (preference order), with fresh
     * identity and empty stores.
     */
    Device addDevice(Group group, List<Relay> relays);

    /**
     * As {@link #addDevice(Group, List)}, with the device's clock offset from the topology's by
     * {@code clockOffset} (positive: ahead).
     *
     * @throws NotRunException without {@link Capability#CLOCK_SKEW}
     */
    Device addDevice(Group group, List<Relay> relays, Duration clockOffset);

    /** Every relay added, in order. */
    List<Relay> relays();

    /** Every device added, in order. */
    List<Device> devices();

    // ------------------------------------------------------------------ faults

    /**
     * Installs {@code faults} on the link between {@code device} and {@code relay}, replacing what
     * was there for that direction; {@link LinkFaults#NONE} heals it. Applies live.
     *
     * @throws NotRunException if a fault in {@code faults} needs a capability this topology lacks
     */
    void setFaults(Device device, Relay relay, LinkDirection direction, LinkFaults faults);

    /** Cuts every link of {@code device} (both directions) until {@link #heal}. */
    default void partition(Device device) {
        for (Relay r : device.relays()) {
            setFaults(device, r, LinkDirection.BOTH, LinkFaults.NONE.withPartitioned(true));
        }
    }

    /** Removes every fault from every link of {@code device}. */
    default void heal(Device device) {
        for (Relay r : device.relays()) {
            setFaults(device, r, LinkDirection.BOTH, LinkFaults.NONE);
        }
    }

    /** Kills {@code relay} abruptly: no drain, no goodbye (kill -9 on real). Its store stays. */
    void killRelay(Relay relay);

    /** Stops {@code relay} gracefully (drain, UNAVAILABLE to sessions, close the store). */
    void stopRelay(Relay relay);

    /** Starts a killed or stopped relay again with the same identity, endpoint and store. */
    void restartRelay(Relay relay);

    /**
     * Freezes {@code relay} without telling anyone (SIGSTOP on real): its sockets stay open, nothing
     * is answered until {@link #resumeRelay}. Peers see silence, as with a suspended host.
     *
     * @throws NotRunException without {@link Capability#PAUSE_RELAY}
     */
    default void pauseRelay(Relay relay) {
        throw new NotRunException("the " + kind() + " topology cannot pause a relay");
    }

    /**
     * Lets a paused relay run on (SIGCONT on real).
     *
     * @throws NotRunException without {@link Capability#PAUSE_RELAY}
     */
    default void resumeRelay(Relay relay) {
        throw new NotRunException("the " + kind() + " topology cannot pause a relay");
    }

    /**
     * Crashes {@code device}: every connection drops at once, no flush, no goodbye; its stores stay
     * as last committed.
     */
    void crashDevice(Device device);

    /** Reopens a crashed (or gracefully closed) device from the same stores and identity. */
    void restartDevice(Device device);

    /**
     * Freezes {@code device} without telling anyone (SIGSTOP of its process on real; a laptop lid
     * closed): its connections stay open and silent until {@link #resumeDevice}.
     *
     * @throws NotRunException without {@link Capability#PAUSE_DEVICE}
     */
    default void pauseDevice(Device device) {
        throw new NotRunException("the " + kind() + " topology cannot pause a device");
    }

    /**
     * Lets a paused device run on (SIGCONT on real).
     *
     * @throws NotRunException without {@link Capability#PAUSE_DEVICE}
     */
    default void resumeDevice(Device device) {
        throw new NotRunException("the " + kind() + " topology cannot pause a device");
    }

    /**
     * Makes the filesystem under {@code relay}'s store full ({@code full}) or gives the space back:
     * writes fail with "no space left" until then (a size-limited tmpfs filled with ballast on real).
     *
     * @throws NotRunException without {@link Capability#DISK_FULL}
     */
    default void setRelayDiskFull(Relay relay, boolean full) {
        throw new NotRunException("the " + kind() + " topology cannot fill a relay's disk");
    }

    /**
     * As {@link #setRelayDiskFull}, for the filesystem under {@code device}'s stores.
     *
     * @throws NotRunException without {@link Capability#DISK_FULL}
     */
    default void setDeviceDiskFull(Device device, boolean full) {
        throw new NotRunException("the " + kind() + " topology cannot fill a device's disk");
    }

    /**
     * Flips bits inside every blob payload stored by {@code relay} (bit rot at rest).
     *
     * @return how many stored blobs were altered
     * @throws NotRunException without {@link Capability#TAMPER_RELAY_STORE}
     */
    int corruptStoredBlobs(Relay relay);

    /**
     * Deletes the blob stored at {@code cursor} from {@code relay}'s store, its row and its payload,
     * as an operator's hand or a failing disk would, while the relay runs; the store's counters
     * stay as they were, so the relay finds a cursor with nothing behind it (C-COLL-02). Recorded
     * as an {@code inject delete-stored-blob} entry with {@code altered=1} if a blob was there.
     *
     * @param cursor the relay's cursor of the blob, 1 for the first stored in a fresh store
     * @return whether a blob was stored at {@code cursor}
     * @throws NotRunException without {@link Capability#TAMPER_RELAY_STORE}
     */
    default boolean deleteStoredBlob(Relay relay, long cursor) {
        throw new NotRunException("the " + kind() + " topology cannot delete a blob from a relay's store");
    }

    // ------------------------------------------------------------------ time

    /** Lets {@code duration} of topology time pass (virtual on the mock, real on real). */
    void runFor(Duration duration);

    /**
     * Lets time pass until {@code condition} holds or {@code timeout} of topology time has passed.
     *
     * @return whether the condition held
     */
    boolean await(BooleanSupplier condition, Duration timeout);

    /**
     * Waits until every running device is SYNCED and, within each group, every running device's
     * version vector is equal and every blob pushed by a member was received by every other member.
     *
     * @return whether that happened within {@code timeout} of topology time
     */
    boolean awaitConvergence(Duration timeout);

    // ------------------------------------------------------------------ observations

    /**
     * The files {@code relay} keeps on disk (database, write-ahead log, identity), for the
     * no-plaintext check.
     *
     * @throws NotRunException without {@link Capability#RELAY_STORAGE_FILES}
     */
    List<Path> relayStorageFiles(Relay relay);

    /**
     * Every address a relay of this topology may have seen a device connect from (on the real
     * topology each device's own socket and each fault proxy's socket towards the relay; on the mock
     * each device's host, any port), for the no-metadata check. Default: none known.
     */
    default List<ClientAddress> clientAddresses() {
        return List.of();
    }

    /**
     * Every log line written by {@code relay} so far, at TRACE level. On the mock all relays share one
     * JVM's loggers, so this is every relay's lines.
     *
     * @throws NotRunException without {@link Capability#RELAY_LOGS}
     */
    List<String> relayLogLines(Relay relay);

    /**
     * Every message that crossed a device-relay link so far, as carried by the transport (Noise
     * ciphertext), in either direction.
     *
     * @throws NotRunException without {@link Capability#CAPTURE_FRAMES}
     */
    List<byte[]> capturedFrames();

    /**
     * What {@code relay} holds right now, read from outside the relay (its process on real).
     *
     * @throws NotRunException without {@link Capability#RELAY_RESOURCES}
     */
    default RelayResources relayResources(Relay relay) {
        throw new NotRunException("the " + kind() + " topology cannot observe a relay's resources");
    }

    /**
     * What {@code relay} stored and served since it was added (across restarts), counted at the relay:
     * the observation for "no duplicate, no re-pull, efficient catch-up".
     *
     * @throws NotRunException without {@link Capability#RELAY_COUNTERS}
     */
    default RelayCounters relayCounters(Relay relay) {
        throw new NotRunException("the " + kind() + " topology cannot count what a relay served");
    }

    // ------------------------------------------------------------------ encryption faults (seed 000 section 6)

    /**
     * Faults above the transport on the link between {@code device} and {@code relay}: a message
     * swaps places with the next one ({@code reorderRate}) or a previous message is sent again
     * after one ({@code replayRate}); what they produce reaches Noise. Replaces the previous ones.
     *
     * @param reorderRate probability in [0, 1] per message
     * @param replayRate probability in [0, 1] per message
     * @throws NotRunException without {@link Capability#REORDER_DELIVERED} (a reorder rate above 0)
     *     or {@link Capability#REPLAY_DELIVERED} (a replay rate above 0)
     */
    default void setDeliveredFaults(Device device, Relay relay, LinkDirection direction, double reorderRate,
            double replayRate) {
        throw new NotRunException("the " + kind() + " topology cannot reorder or replay messages above the transport");
    }

    /**
     * Opens a second connection to {@code relay} with {@code device}'s identity, starting now: if the
     * device is connecting at this instant, the two handshakes race.
     *
     * @throws NotRunException without {@link Capability#DUPLICATE_IDENTITY}
     */
    default DuplicateConnection openDuplicateIdentity(Device device, Relay relay) {
        throw new NotRunException("the " + kind() + " topology cannot open a second connection with a device's identity");
    }

    /**
     * Adds and starts a device whose KeyExchange port breaks one hybrid handshake component ({@code fault}).
     *
     * @throws NotRunException without {@link Capability#FAULTY_KEY_EXCHANGE}
     */
    default Device addDevice(Group group, List<Relay> relaysInOrder, KeyExchangeFault fault) {
        throw new NotRunException("the " + kind() + " topology cannot break a device's key exchange");
    }

    /**
     * What {@code device}'s Noise sessions did so far.
     *
     * @throws NotRunException without {@link Capability#CHANNEL_COUNTERS}
     */
    default ChannelCounters channelCounters(Device device) {
        throw new NotRunException("the " + kind() + " topology cannot count a device's Noise messages");
    }

    /**
     * The end-of-scenario audit. Fails if a relay logged something no scenario may provoke unless
     * it says so (ERROR records, IllegalStateException/IllegalArgumentException; the real topology
     * lets a scenario declare a provoked line), if a relay log line carries metadata of the scenario
     * (invariant 5, {@code assertions.RelayLogLeaks}), and on the real topology if a fault proxy
     * forwarded plaintext of a pushed blob or a group key (invariant 3 on the wire). The chaos
     * runner calls it after a passing scenario body. Default: nothing to audit (a topology without
     * relay logs).
     *
     * @throws AssertionError naming the offending lines or the leak
     */
    default void verifyRelayLogs() {}

    /** Stops every member and deletes the temporary stores. Idempotent. */
    @Override
    void close();
}
