package dev.zerok.ports.relaystore;

/** A RelayStore failure with a stable {@link Code}. Messages never contain ids or payload bytes. */
public final class RelayStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** The group's quota would be exceeded; nothing was stored. */
        QUOTA_EXCEEDED(1),
        /** The database is busy or failing; the operation had no effect. Retry later. */
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
        CAPACITY_EXCEEDED(5),
        /**
         * The filesystem under the store is full (SQLite's {@code SQLITE_FULL}, the OS's ENOSPC);
         * nothing was stored, no partial row is left. Reads still work. Retry after the operator has
         * freed space; the relay tells devices so and logs it.
         */
        STORAGE_FULL(6);

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
    private final long storedBytes;
    private final long quotaBytes;

    public RelayStoreException(Code code, String message) {
        this(code, message, null);
    }

    public RelayStoreException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.storedBytes = -1;
        this.quotaBytes = -1;
    }

    private RelayStoreException(String message, long storedBytes, long quotaBytes) {
        super(message);
        this.code = Code.QUOTA_EXCEEDED;
        this.storedBytes = storedBytes;
        this.quotaBytes = quotaBytes;
    }

    /**
     * A {@link Code#QUOTA_EXCEEDED} failure that carries the figures, so the relay can tell the
     * device how full the group is.
     *
     * @param storedBytes payload bytes charged to the group's quota before the refused append, {@code >= 0}
     * @param quotaBytes the group's quota in bytes, {@code >= 0}
     */
    public static RelayStoreException quotaExceeded(String message, long storedBytes, long quotaBytes) {
        if (storedBytes < 0 || quotaBytes < 0) {
            throw new IllegalArgumentException("storedBytes and quotaBytes must be >= 0");
        }
        return new RelayStoreException(message, storedBytes, quotaBytes);
    }

    /** For {@link #quotaExceeded}: bytes charged to the group before the refused append; else empty. */
    public java.util.OptionalLong storedBytes() {
        return storedBytes < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(storedBytes);
    }

    /** For {@link #quotaExceeded}: the group's quota in bytes; else empty. */
    public java.util.OptionalLong quotaBytes() {
        return quotaBytes < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(quotaBytes);
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
