package dev.zerok.relayapp;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay-wide memory budget for frames being received and processed, so that a small heap
 * degrades (connections wait, pushes slow down) instead of running out of memory. A connection
 * reserves a frame's cost as soon as its header announces the length; when the budget is spent it
 * stops reading and waits in line, and is woken in arrival order as reservations are released.
 * A reservation always succeeds when nothing else is reserved, so one frame larger than the whole
 * budget still makes progress. Thread-safe.
 */
final class InboundBudget {
    /**
     * What a frame costs while it is reassembled, decoded and stored, as a multiple of its length:
     * the reassembled body, the decoded payload and its defensive copy, the store's binding.
     */
    static final int COST_PER_FRAME_BYTE = 4;

    private final long limitBytes;
    private final ArrayDeque<RelayConnection> waiting = new ArrayDeque<>();
    private long usedBytes;

    /** @param limitBytes the budget in bytes (heap the relay may spend on inbound frames), at least 1 */
    InboundBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("an inbound budget must be at least 1 byte, got " + limitBytes);
        }
        this.limitBytes = limitBytes;
    }

    /**
     * Reserves {@code bytes} for {@code connection}, or queues it to be woken
     * ({@link RelayConnection#budgetAvailable()}) once a release may make room.
     *
     * @return true if reserved
     */
    synchronized boolean tryReserve(RelayConnection connection, long bytes) {
        if (usedBytes == 0 || usedBytes + bytes <= limitBytes) {
            usedBytes += bytes;
            waiting.remove(connection);
            return true;
        }
        if (!waiting.contains(connection)) {
            waiting.add(connection);
        }
        return false;
    }

    /** Gives back a reservation and wakes the waiting connections so they try again. */
    void release(long bytes) {
        if (bytes <= 0) {
            return;
        }
        List<RelayConnection> wake;
        synchronized (this) {
            usedBytes -= bytes;
            wake = new ArrayList<>(waiting);
        }
        wake.forEach(RelayConnection::budgetAvailable);
    }

    /** Forgets a closed connection that was waiting. */
    synchronized void forget(RelayConnection connection) {
        waiting.remove(connection);
    }

    /** Bytes reserved now. */
    synchronized long usedBytes() {
        return usedBytes;
    }
}
