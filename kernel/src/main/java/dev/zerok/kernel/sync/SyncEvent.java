package dev.zerok.kernel.sync;

import dev.zerok.ports.clientstate.BlobIndexEntry;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.RelayId;
import java.util.List;

/**
 * What the engine reports to its {@link SyncListener}s. No event's {@code toString} prints an id
 * (the id records print {@code [REDACTED]}), so events may be logged as they are.
 */
public sealed interface SyncEvent {
    /** The sync status changed from the previous one. */
    record StatusChanged(SyncStatus status) implements SyncEvent {}

    /** {@code relay} acknowledged a pushed blob; the push-ack cursor is diagnostic only. */
    record Acknowledged(RelayId relay, BlobId blob, Cursor pushAckCursor) implements SyncEvent {}

    /**
     * A pulled blob failed to open, did not parse, or carried a sequence number that signals a
     * replay or rollback. It was recorded (state FAILED) in the same commit that moved the cursor
     * past it, and it was not given to the application.
     */
    record BlobFailed(BlobIndexEntry entry) implements SyncEvent {}

    /**
     * Something about one relay the user should know but that does not stop sync: a session
     * failed while others carry on (MR-2), a push was refused for quota or size, a relay's head is
     * behind this device's cursor.
     *
     * @param warning what happened and what the engine does about it; never ids or sizes
     */
    record RelayWarning(RelayId relay, String warning) implements SyncEvent {}

    /**
     * Blobs expired at {@code relay} before this device pulled them: the relay's log is complete
     * only from {@code oldestRetained} on (its Welcome's {@code oldestCursor}), and this device's
     * pull cursor for it, {@code after}, is below {@code oldestRetained - 1}. At least one blob
     * with a cursor in {@code (after, oldestRetained)} is gone for good from this relay; which
     * ones, and whether another relay delivered them, the engine cannot tell (the relay keeps
     * nothing of an expired blob). A brand-new device ({@code after} = {@link Cursor#ZERO})
     * joining a relay whose old blobs expired gets it too.
     *
     * <p>What to do: the device must recover the current state from its peers (a snapshot or a
     * re-send of what they hold) instead of relying on this relay's log; sync itself carries on
     * normally and pulls the retained blobs after {@code after}. Reported once per Welcome, on
     * every session to the relay until the device's committed cursor for it has passed
     * {@code oldestRetained - 1} (pulling a retained blob beyond the gap does that; when every
     * blob expired and none follows, each new session reports it again).
     *
     * @param relay the relay whose blobs expired
     * @param after this device's committed pull cursor for {@code relay} at the Welcome
     * @param oldestRetained the relay's {@code Welcome.oldestCursor}; after {@code after + 1}
     */
    record MissedExpired(RelayId relay, Cursor after, Cursor oldestRetained) implements SyncEvent {}

    /**
     * Every configured relay failed at least once and none is connected (MR-3). The engine keeps
     * retrying each relay on its backoff schedule; pushes stay in the persistent outbox.
     *
     * @param causes the last failure of each relay, in preference order
     */
    record AllRelaysFailed(List<String> causes) implements SyncEvent {
        public AllRelaysFailed {
            causes = List.copyOf(causes);
        }
    }

    /**
     * The close requested by {@link SyncEngine.Input.CloseRequested} finished.
     *
     * @param flushed true if every outbox entry was acknowledged by every relay before closing;
     *     false if the deadline came first or a relay was unreachable (the entries stay in the
     *     outbox and are pushed on the next start)
     */
    record Closed(boolean flushed) implements SyncEvent {}
}
