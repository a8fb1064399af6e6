package dev.zerok.ports.relaystore;

/** A RelayStore failure with a stable {@link Code}. Messages never contain ids or payload bytes. */
public final class RelayStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** The group's quota would be exceeded; nothing was stored. */
        QUOTA_EXCEEDED(1),
        /** The database is busy, full or failing; the operation had no effect. Retry later. */
        UNAVAILABLE(2),
        /** The store was closed. */
        CLOSED(3),
        /** The database file is not a zerok store or has a newer schema than this build. */
        INCOMPATIBLE(4),
        /**
         * The relay-wide storage cap (bytes or blob count, across all groups) would be exceeded;
         * nothing was stored. Unlike {@link #QUOTA_EXCEEDED} this is not the group's doing: retry
         * later, when expired blobs have been purged, or use another relay.
         */
        CAPACITY_EXCEEDED(5);

        private final int value;

        Code(int value) {
            this.value = value;
        }

        /** The stable numeric code. */
        public int value() {
            return value;
        }
    }

    private final Code code;

    public RelayStoreException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public RelayStoreException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** What went wrong, as a stable code. */
    public Code code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }
}
