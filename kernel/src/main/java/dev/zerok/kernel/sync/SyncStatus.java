package dev.zerok.kernel.sync;

import java.util.Objects;
import java.util.Optional;

/**
 * The device's sync status as the application shows it (issue 4, item 1).
 *
 * <pre>
 *   OFFLINE    no relay session is established (not started, connecting, closed)
 *   CONNECTED  at least one relay session is up and has nothing outstanding, but not every
 *              configured relay is reachable (fan-out incomplete: their outbox entries wait)
 *   PENDING    a connected relay has work outstanding: pushes not yet acknowledged or a pull
 *              not yet caught up with the relay's head
 *   SYNCED     every configured relay is connected, every outbox entry is acknowledged by
 *              every relay and every relay's pull cursor reached its head
 *   FAILED     every relay failed (AllRelaysFailed; the engine keeps retrying with backoff), or
 *              the local state store or inbox failed; {@link #reason()} says which
 * </pre>
 *
 * Blob failures (a blob that does not open) are not a status: they are reported as
 * {@link SyncEvent.BlobFailed} and kept in the store's failure list.
 *
 * @param kind the status
 * @param reason for FAILED and CONNECTED, what is wrong (never ids or keys, never blank); absent otherwise
 */
public record SyncStatus(Kind kind, Optional<String> reason) {
    /** The five statuses. */
    public enum Kind { OFFLINE, CONNECTED, PENDING, SYNCED, FAILED }

    /** The status before {@link SyncEngine.Input.Start}. */
    public static final SyncStatus OFFLINE = of(Kind.OFFLINE);

    /** @throws IllegalArgumentException if {@code reason} is present but blank */
    public SyncStatus {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        if (reason.filter(String::isBlank).isPresent()) {
            throw new IllegalArgumentException("a status reason is absent or says something");
        }
    }

    /** A status without a reason. */
    public static SyncStatus of(Kind kind) {
        return new SyncStatus(kind, Optional.empty());
    }

    /** A status with a reason. @throws IllegalArgumentException if {@code reason} is blank */
    public static SyncStatus of(Kind kind, String reason) {
        return new SyncStatus(kind, Optional.of(reason));
    }
}
