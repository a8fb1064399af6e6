package dev.zerok.ports.blob;

/** A BlobStore failure with a stable {@link Code}. Messages never contain blob bytes or hashes. */
public final class BlobStoreException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes. */
    public enum Code {
        /** Stored or offered bytes do not hash to their address. Re-fetch the blob. */
        CORRUPT(1),
        /** The underlying storage failed (permissions, I/O error). */
        IO(2),
        /** The storage is full. Free space, then retry. */
        FULL(3),
        /** The store was closed. */
        CLOSED(4);

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

    public BlobStoreException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public BlobStoreException(Code code, String message, Throwable cause) {
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
