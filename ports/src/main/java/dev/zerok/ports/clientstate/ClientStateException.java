package dev.zerok.ports.clientstate;

/** A ClientStateStore failure with a stable {@link Code}. */
public final class ClientStateException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** The storage failed; the transaction had no effect. */
        IO(1),
        /** A pull cursor would move backwards; nothing was written. */
        CURSOR_REGRESSION(2),
        /** The store was closed. */
        CLOSED(3),
        /** The state file belongs to a newer build or is not a zerok state store. */
        INCOMPATIBLE(4),
        /**
         * The filesystem under the store is full (SQLite's {@code SQLITE_FULL}, the OS's ENOSPC);
         * the transaction had no effect. Retry after space is freed.
         */
        STORAGE_FULL(5);

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

    public ClientStateException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public ClientStateException(Code code, String message, Throwable cause) {
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
