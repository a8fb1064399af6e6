package dev.zerok.ports.transport;

/**
 * A Transport failure with a stable {@link Code}. Messages name the operation and what to do;
 * they never contain message bytes or keys.
 */
public final class TransportException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable failure codes; the numeric value never changes meaning. */
    public enum Code {
        /** Nobody listens at the endpoint, or the peer refused the connection. Retry later. */
        REFUSED(1),
        /** Connect, read or idle timeout expired. Retry with backoff. */
        TIMEOUT(2),
        /** The connection broke (peer vanished, stream reset). Reconnect. */
        RESET(3),
        /** The peer violated the transport protocol (wrong ALPN, bad framing). Do not retry blindly. */
        PROTOCOL(4),
        /** A message is empty or larger than {@link Transport#MAX_MESSAGE_BYTES}, or a peer's frame header announced one. */
        TOO_LARGE(5),
        /** The channel, server or transport was already closed locally. */
        CLOSED(6),
        /** The local address could not be bound (in use, not local, no permission). */
        ADDRESS_IN_USE(7);

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

    public TransportException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public TransportException(Code code, String message, Throwable cause) {
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
