package dev.zerok.adapters.transport.mock;

/**
 * Counters of one direction of one link of a {@link MockNetwork}, since the network was created:
 * what was sent and what was injected. A snapshot; immutable.
 *
 * @param messagesSent messages (payload frames) handed to the link
 * @param bytesSent payload bytes handed to the link
 * @param attempts transmission attempts that reached the far end's link (delivered or lost),
 *     counting each retransmission of a lost message and each duplicate copy
 * @param dropped attempts lost to {@code dropRate} (each retransmitted unless a duplicate copy
 *     or given up)
 * @param duplicated messages sent twice
 * @param reordered messages held back by the reorder fault
 * @param corrupted messages delivered with one bit flipped
 * @param truncated messages delivered shortened
 * @param heldByPartition attempts lost because the direction was partitioned (each retransmitted
 *     like a drop)
 * @param cuts connections cut by the byte limit
 */
public record LinkStats(
        long messagesSent,
        long bytesSent,
        long attempts,
        long dropped,
        long duplicated,
        long reordered,
        long corrupted,
        long truncated,
        long heldByPartition,
        long cuts) {

    /** All zero. */
    public static final LinkStats ZERO = new LinkStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
}
