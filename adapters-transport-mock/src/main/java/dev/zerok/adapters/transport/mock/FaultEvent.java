package dev.zerok.adapters.transport.mock;

import java.time.Instant;

/**
 * One thing the {@link MockNetwork} did to a message or connection, for chaos timelines and replay
 * checks. Carries sizes and identifiers only, never message bytes. Immutable.
 *
 * @param at virtual time of the decision
 * @param kind what happened
 * @param fromHost the sending host
 * @param toHost the receiving host
 * @param connectionId the connection's number within the network, from 1
 * @param sizeBytes the payload size concerned, 0 for control frames
 */
public record FaultEvent(Instant at, Kind kind, String fromHost, String toHost, long connectionId, int sizeBytes) {

    /** What the network did. */
    public enum Kind {
        /** A transmission attempt was lost and will be retransmitted. */
        DROP,
        /** A second copy was sent (the receiver discards it). */
        DUPLICATE,
        /** A message was held back. */
        REORDER,
        /** A bit of a message was flipped; the tampered message is delivered. */
        CORRUPT,
        /** A message was shortened; the shortened message is delivered. */
        TRUNCATE,
        /** A transmission attempt was lost to a partition and will be retransmitted. */
        HOLD,
        /** The byte limit cut the connection. */
        CUT,
        /**
         * A connection reached its idle timeout: nothing arrived for it, or a message stayed
         * unacknowledged for it (the sender gave up).
         */
        IDLE_TIMEOUT,
        /** Two consecutive messages swapped places above the transport ({@link DeliveredFaults#reorderRate()}). */
        REORDER_DELIVERED,
        /** A previously delivered message was sent again above the transport ({@link DeliveredFaults#replayRate()}). */
        REPLAY_DELIVERED
    }
}
