package dev.zerok.ports.relaystore;

import java.util.Objects;

/**
 * What {@link RelayStore#appendAll} did with one request: stored it (or found it stored), as an
 * {@link AppendResult}, or {@link Refused refused} it.
 */
public sealed interface AppendOutcome permits AppendResult, AppendOutcome.Refused {
    /**
     * The request stored nothing.
     *
     * @param failure why, with the codes of {@link RelayStore#append}'s {@code throws}: for this
     *     request alone {@code QUOTA_EXCEEDED} (with its figures), {@code CAPACITY_EXCEEDED} or
     *     {@code UNAVAILABLE} (the group's cursor space is exhausted); for the whole call (every
     *     request of it carries the same failure) {@code UNAVAILABLE}, {@code STORAGE_FULL} or {@code CLOSED}
     */
    record Refused(RelayStoreException failure) implements AppendOutcome {
        public Refused {
            Objects.requireNonNull(failure, "failure");
        }

        /** The failure's stable code. */
        public RelayStoreException.Code code() {
            return failure.code();
        }
    }
}
