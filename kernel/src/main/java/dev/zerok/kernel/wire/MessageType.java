package dev.zerok.kernel.wire;

import java.util.Optional;

/**
 * The message types of protocol version 1 and their stable type tags (the first element of every
 * encoded message, see docs/PROTOCOL.md). A tag is never reused for another meaning.
 */
public enum MessageType {
    HELLO(1),
    WELCOME(2),
    PUSH(3),
    PUSH_ACK(4),
    PULL(5),
    PULL_RESPONSE(6),
    NOTIFY(7),
    BYE(8),
    ERROR(9);

    private final int tag;

    MessageType(int tag) {
        this.tag = tag;
    }

    /** The tag written on the wire, 1 to 127 (a positive fixint). */
    public int tag() {
        return tag;
    }

    /** The type with {@code tag}, if protocol version 1 defines one. */
    public static Optional<MessageType> fromTag(long tag) {
        for (MessageType type : values()) {
            if (type.tag == tag) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
