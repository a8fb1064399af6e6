package dev.zerok.kernel.wire;

import java.util.Optional;

/**
 * Stable codes of the in-band {@link Message.Error} message, so a client can act on a refusal
 * instead of seeing a dropped stream (a mistake of the Rust original). Numbers never change meaning.
 */
public enum ErrorCode {
    /** Too many requests from this device or in total; wait {@code retryAfterMillis}, then retry. */
    RATE_LIMITED(1),
    /** The group's storage quota is full; nothing was stored. Wait for TTL expiry or ask the operator. */
    QUOTA_EXCEEDED(2),
    /** The message or blob is larger than the relay accepts ({@link Message.Welcome#maxFrameBytes()}). */
    TOO_LARGE(3),
    /** The membership proof does not match the group id: the device is not a member. */
    UNKNOWN_GROUP(4),
    /** The request is malformed or not allowed in the session's state. Do not retry unchanged. */
    BAD_REQUEST(5),
    /** The relay is overloaded, draining or its storage failed; retry later, possibly on another relay. */
    UNAVAILABLE(6),
    /** The protocol version in Hello is not supported by this relay. */
    UNSUPPORTED_VERSION(7),
    /** The handshake or the identity in Hello was rejected. */
    UNAUTHORIZED(8);

    private final int value;

    ErrorCode(int value) {
        this.value = value;
    }

    /** The number written on the wire. */
    public int value() {
        return value;
    }

    /** The code numbered {@code value}, if protocol version 1 defines one. */
    public static Optional<ErrorCode> fromValue(long value) {
        for (ErrorCode code : values()) {
            if (code.value == value) {
                return Optional.of(code);
            }
        }
        return Optional.empty();
    }
}
