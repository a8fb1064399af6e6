package dev.zerok.kernel.wire;

/**
 * Bytes from the network broke the zerok wire format. The decoder throws only this type, whatever
 * the input; the {@link Code} says what was wrong, the message says where. Messages never quote
 * payload bytes.
 */
public final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Stable codes of decoding failures. */
    public enum Code {
        /** The input ended inside a frame header, a value or a message. */
        TRUNCATED(1),
        /** A frame header announced more than the configured maximum frame size. */
        OVERSIZE(2),
        /** A frame header announced an empty frame. */
        EMPTY_FRAME(3),
        /** The message type tag is not one of protocol version 1. */
        UNKNOWN_TYPE(4),
        /** A field has the wrong MessagePack type (for example {@code str} where {@code bin} is required). */
        WRONG_TYPE(5),
        /** A message or record has fewer or more fields than its type defines. */
        FIELD_COUNT(6),
        /** Bytes follow the end of the message. */
        TRAILING_BYTES(7),
        /** A value is out of range (id length, zero bound, unknown error code, invalid UTF-8). */
        INVALID_VALUE(8),
        /** The bytes are not MessagePack, or not in the one canonical form the encoder writes. */
        MALFORMED(9);

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

    public ProtocolException(Code code, String message) {
        super(message);
        this.code = code;
    }

    /** What was wrong, as a stable code. */
    public Code code() {
        return code;
    }

    @Override
    public String getMessage() {
        return code + ": " + super.getMessage();
    }
}
