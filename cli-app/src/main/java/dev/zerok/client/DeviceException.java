package dev.zerok.client;

import java.util.Objects;

/**
 * A device operation failed, with a stable {@link Code} the CLI maps to its exit codes. Messages
 * are one line for the user and never contain keys, ids or file contents.
 */
public final class DeviceException extends Exception {
    /** What failed. */
    public enum Code {
        /** The configuration is unusable (no relays, bad address, missing group key). */
        CONFIG,
        /** The device's state store or chunk store failed. */
        STORE,
        /** Reading or writing the user's files failed. */
        IO,
        /** A crypto primitive is unavailable or sealing failed. */
        CRYPTO,
        /** The operation did not finish within its deadline; the work continues on the next run. */
        TIMEOUT,
        /** No relay could be reached. */
        ALL_RELAYS_FAILED,
        /** A relay refused pushes because the group's storage quota there is full; they wait in the outbox. */
        QUOTA_EXCEEDED,
        /** A collection is missing chunks: it is never shown as complete. */
        INCOMPLETE,
        /** Stored or received content did not verify (bit rot, tampering); it was not used. */
        VERIFY_FAILED
    }

    private final Code code;

    public DeviceException(Code code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * With a cause. If the cause is a {@link java.nio.file.FileSystemException} and
     * {@code message} ends with its bare message (which is only the path for
     * {@code NoSuchFileException} and its kind), that ending is replaced by
     * {@link IoMessages#describe}, so {@code "cannot read d: d/x"} becomes
     * {@code "cannot read d: permission denied: d/x"}.
     */
    public DeviceException(Code code, String message, Throwable cause) {
        super(withCause(message, cause), cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    private static String withCause(String message, Throwable cause) {
        if (message != null && cause instanceof java.nio.file.FileSystemException fs && fs.getMessage() != null
                && !fs.getMessage().isEmpty() && message.endsWith(fs.getMessage())) {
            return message.substring(0, message.length() - fs.getMessage().length()) + IoMessages.describe(fs);
        }
        return message;
    }

    /** The stable failure code. */
    public Code code() {
        return code;
    }
}
