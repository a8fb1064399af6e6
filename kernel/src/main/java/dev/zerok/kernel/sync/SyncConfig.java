package dev.zerok.kernel.sync;

import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.RelayId;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * What a device's sync engine is configured with.
 *
 * @param device this device's id (SHA-256 of its static key; the sender of its blobs)
 * @param relays the relays in preference order, 1 or more, no duplicates (their ids are their
 *     pinned static keys)
 * @param connectTimeout the handshake's step timeout, about one round trip's budget: the attempt
 *     fails if a step does not arrive within it of the previous one (Connect -> transport
 *     connected: {@link #TRANSPORT_CONNECT_ROUND_TRIPS} times it, a QUIC handshake with Retry
 *     takes two round trips; transport connected -> handshake message 2; message 3 and Hello ->
 *     Welcome), and in any case {@link #HANDSHAKE_CAP_FACTOR} times it after Connect. Progress,
 *     not a whole-handshake budget, so that a 5 s one-way delay (10 s round trip) still connects.
 * @param responseTimeout how long the oldest outstanding request (Push or Pull) may wait for its
 *     answer, counted from its send or from the relay's last message, whichever is later (the
 *     relay answers in order, so a request queued behind others waits for theirs first), before
 *     the session is considered dead
 * @param pullMaxBlobs blobs asked for per pull page, 1 to 2^32-1
 * @param pullMaxBytes payload bytes asked for per pull page, 1 to 2^32-1
 * @param maxPushesInFlight pushes sent to one relay without waiting for their PushAck, 1 or more
 * @param pushTtl the time to live requested for pushed blobs (relays cap it), 1 s to 2^32-1 s
 * @param keepAlive how long a connected session may hear nothing from its relay while nothing is
 *     outstanding before the engine asks for a page at its cursor: the answer keeps the transport
 *     path alive (it must be below the transport's idle timeout, QUIC's 30 s by default, or an
 *     idle device loses its connection and reconnects every idle timeout) and recovers a lost
 *     Notify
 */
public record SyncConfig(
        DeviceId device,
        List<RelayId> relays,
        Duration connectTimeout,
        Duration responseTimeout,
        long pullMaxBlobs,
        long pullMaxBytes,
        int maxPushesInFlight,
        Duration pushTtl,
        Duration keepAlive) {

    /** The transport connect step may take this many step timeouts (QUIC with Retry: two round trips). */
    public static final int TRANSPORT_CONNECT_ROUND_TRIPS = 2;

    /** A connection attempt fails this many step timeouts after Connect, however it progresses. */
    public static final int HANDSHAKE_CAP_FACTOR = 4;

    /**
     * The engine's defaults: 15 s per handshake step (60 s in all), 30 s per response, pages of
     * 1,000 blobs / 4 MiB (a relay's default page is at most 1,000 blobs and 1 MiB), 64 pushes in
     * flight (and at most {@link SyncEngine#PUSH_WINDOW_BYTES}), 7 days TTL, a keep-alive page
     * after 15 s of silence (half QUIC's default 30 s idle timeout).
     */
    public static SyncConfig defaults(DeviceId device, List<RelayId> relays) {
        return new SyncConfig(device, relays, Duration.ofSeconds(15), Duration.ofSeconds(30), 1_000, 4L * 1024 * 1024, 64,
                Duration.ofDays(7), Duration.ofSeconds(15));
    }

    /** This configuration with {@code keepAlive} instead (see the record's {@code keepAlive}). */
    public SyncConfig withKeepAlive(Duration keepAlive) {
        return new SyncConfig(device, relays, connectTimeout, responseTimeout, pullMaxBlobs, pullMaxBytes,
                maxPushesInFlight, pushTtl, keepAlive);
    }

    /** @throws IllegalArgumentException for an empty or repeating relay list or an out-of-range value */
    public SyncConfig {
        Objects.requireNonNull(device, "device");
        relays = List.copyOf(relays);
        if (relays.isEmpty()) {
            throw new IllegalArgumentException("a sync engine needs at least one relay");
        }
        if (new HashSet<>(relays).size() != relays.size()) {
            throw new IllegalArgumentException("a relay is listed twice");
        }
        positive("connectTimeout", connectTimeout);
        positive("responseTimeout", responseTimeout);
        positive("keepAlive", keepAlive);
        if (pullMaxBlobs < 1 || pullMaxBlobs > 0xFFFF_FFFFL || pullMaxBytes < 1 || pullMaxBytes > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("pull page bounds must be within 1 .. 2^32-1");
        }
        if (maxPushesInFlight < 1) {
            throw new IllegalArgumentException("maxPushesInFlight must be at least 1");
        }
        if (pushTtl.toSeconds() < 1 || pushTtl.toSeconds() > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("pushTtl must be within 1 s .. 2^32-1 s");
        }
    }

    private static void positive(String name, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
    }
}
