package dev.zerok.kernel.sync;

/**
 * A sync engine failure with a stable {@link Code}. Messages never contain ids, keys or payload
 * bytes.
 */
public final class SyncException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** A decrypted blob is not a valid {@link SyncPayload}. */
        MALFORMED_PAYLOAD(1),
        /** The ClientStateStore failed; the operation had no effect. */
        STORE_FAILED(2),
        /** The crypto adapter lacks a primitive the engine needs, or rejected a key. */
        CRYPTO_UNAVAILABLE(3),
        /** The engine has not been started ({@link SyncEngine.Input.Start}). */
        NOT_STARTED(4),
        /** The engine was asked to close; it accepts no more pushes. */
        CLOSED(5),
        /** The application's {@link Inbox} refused a blob; the page was not committed and will be pulled again. */
        INBOX_FAILED(6);

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

    /** A failure coded {@code code}; {@code message} says what happened and what to do. */
    public SyncException(Code code, String message) {
        super(message);
        this.code = code;
    }

    /** A failure coded {@code code} caused by {@code cause}. */
    public SyncException(Code code, String message, Throwable cause) {
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
