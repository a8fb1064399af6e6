package dev.zerok.chaos.proxy;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Counters of one direction since the proxy started (or was last reset). Datagram counts are
 * whole datagrams; byte counts are UDP payload bytes.
 *
 * @param receivedDatagrams  datagrams that entered the proxy in this direction
 * @param receivedBytes      their payload bytes
 * @param forwardedDatagrams copies decided to be sent, duplicates included
 * @param forwardedBytes     their payload bytes
 * @param dropped            dropped datagrams by cause (only causes with {@link Fault#drops()});
 *                           every such cause is present, zero when none
 * @param corrupted          datagrams with one bit flipped
 * @param duplicated         datagrams sent twice
 * @param reordered          datagrams held back by the reorder extra delay
 * @param limitDataCut       whether the limit-data cut is in force
 */
public record DirectionStats(
        long receivedDatagrams,
        long receivedBytes,
        long forwardedDatagrams,
        long forwardedBytes,
        Map<Fault, Long> dropped,
        long corrupted,
        long duplicated,
        long reordered,
        boolean limitDataCut) {

    /** Copies the map (iterating in the declaration order of {@link Fault}). */
    public DirectionStats {
        EnumMap<Fault, Long> ordered = new EnumMap<>(Fault.class);
        ordered.putAll(dropped);
        dropped = Collections.unmodifiableMap(ordered);
    }

    /** Datagrams dropped for any cause. */
    public long droppedDatagrams() {
        return dropped.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Datagrams dropped for {@code cause} (0 for a non-dropping fault). */
    public long dropped(Fault cause) {
        return dropped.getOrDefault(cause, 0L);
    }
}
