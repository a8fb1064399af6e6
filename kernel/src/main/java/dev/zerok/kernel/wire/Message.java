package dev.zerok.kernel.wire;

import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The messages of zerok protocol version 1, exchanged inside an established Noise session. Each
 * is a record; {@link MessageCodec} turns them into bytes and back, and docs/PROTOCOL.md draws
 * their layout.
 *
 * <p>Constructors check every bound the decoder checks, so a message that exists is a message
 * that can be encoded and decoded back to an equal value. They throw
 * {@link IllegalArgumentException} on a bad argument (a programming error); the decoder reports
 * the same conditions as {@link ProtocolException}. No {@code toString} prints ids or payload
 * bytes: messages may end up in logs.
 */
public sealed interface Message {
    /** The protocol version this codec speaks. */
    int PROTOCOL_VERSION = 1;

    /** The message's type and wire tag. */
    MessageType type();

    /**
     * Device to relay, first message after the Noise handshake: who the device is, which group it
     * syncs and the proof that it is a member (docs/SECURITY.md, "Group membership").
     *
     * @param protocolVersion 1 to 65535; this codec speaks {@value #PROTOCOL_VERSION}
     * @param device the device id, checked by the relay against the Noise static key
     * @param group the group to sync
     * @param membershipProof 1 to {@value #MAX_PROOF_BYTES} bytes, opaque to the wire layer
     */
    record Hello(int protocolVersion, DeviceId device, GroupId group, byte[] membershipProof) implements Message {
        /** Upper bound of {@link #membershipProof()} in bytes. */
        public static final int MAX_PROOF_BYTES = 4096;

        public Hello {
            WireChecks.range("protocolVersion", protocolVersion, 1, 65_535);
            Objects.requireNonNull(device, "device");
            Objects.requireNonNull(group, "group");
            membershipProof = WireChecks.bytes("membershipProof", membershipProof, 1, MAX_PROOF_BYTES);
        }

        @Override
        public byte[] membershipProof() {
            return membershipProof.clone();
        }

        @Override
        public MessageType type() {
            return MessageType.HELLO;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Hello h && protocolVersion == h.protocolVersion && device.equals(h.device)
                    && group.equals(h.group) && Arrays.equals(membershipProof, h.membershipProof);
        }

        @Override
        public int hashCode() {
            return Objects.hash(protocolVersion, device, group, Arrays.hashCode(membershipProof));
        }

        @Override
        public String toString() {
            return "Hello[v" + protocolVersion + "]";
        }
    }

    /**
     * Relay to device: the Hello was accepted. States the relay's limits so the device never sends
     * what would be refused, and where the group's log is still complete.
     *
     * <p>{@code oldestCursor} is the lowest cursor from which the relay still holds every blob it
     * ever assigned a cursor in the group: one more than the highest cursor whose blob expired
     * (purged or not yet purged; expiry as of the session's start), or 1 if no blob of the group
     * ever expired. It is never 0 and at most {@code head + 1}; it equals {@code head + 1} when
     * every blob of the group has expired (and is 1 for an empty group). A device whose pull cursor
     * for this relay is {@code c} missed blobs that expired unseen exactly when
     * {@code oldestCursor > c + 1} (unsigned): the blobs with cursors in {@code (c, oldestCursor)}
     * include at least one that expired before the device pulled it. Blobs expire out of cursor
     * order (TTLs differ per push), which is why the rule uses the highest expired cursor and not
     * the lowest retained one. Blobs withheld for failing their integrity check do not count as
     * expired.
     *
     * @param protocolVersion the version the relay speaks on this session
     * @param head the group's highest cursor when the session started
     * @param oldestCursor the start of the group's complete retained log, 1 to {@code head + 1}
     *     (when {@code head} is 2^64-1: 1 to 2^64-1)
     * @param maxFrameBytes the largest frame the relay accepts, 1 to 2^32-1
     * @param maxTtlSeconds the TTL cap; longer requested TTLs are lowered to it
     */
    record Welcome(int protocolVersion, Cursor head, Cursor oldestCursor, long maxFrameBytes, long maxTtlSeconds)
            implements Message {
        public Welcome {
            WireChecks.range("protocolVersion", protocolVersion, 1, 65_535);
            Objects.requireNonNull(head, "head");
            Objects.requireNonNull(oldestCursor, "oldestCursor");
            if (oldestCursor.equals(Cursor.ZERO)) {
                throw new IllegalArgumentException("oldestCursor must be at least 1, got 0");
            }
            if (head.value() != -1L && oldestCursor.isAfter(head.next())) {
                throw new IllegalArgumentException("oldestCursor must be at most head + 1 ("
                        + head.next().toUnsignedString() + "), got " + oldestCursor.toUnsignedString());
            }
            WireChecks.range("maxFrameBytes", maxFrameBytes, 1, WireChecks.UINT32_MAX);
            WireChecks.range("maxTtlSeconds", maxTtlSeconds, 1, WireChecks.UINT32_MAX);
        }

        @Override
        public MessageType type() {
            return MessageType.WELCOME;
        }
    }

    /**
     * Device to relay: store one sealed blob in the session's group.
     *
     * @param blob the sender-chosen id; pushing the same id again is idempotent
     * @param ttlSeconds requested time to live, 1 to 2^32-1 seconds (capped by the relay)
     * @param payload the sealed blob, 1 byte or more (bounded by the frame size)
     */
    record Push(BlobId blob, long ttlSeconds, byte[] payload) implements Message {
        public Push {
            Objects.requireNonNull(blob, "blob");
            WireChecks.range("ttlSeconds", ttlSeconds, 1, WireChecks.UINT32_MAX);
            payload = WireChecks.bytes("payload", payload, 1, Integer.MAX_VALUE);
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** The payload length in bytes, without copying. */
        public int payloadBytes() {
            return payload.length;
        }

        @Override
        public MessageType type() {
            return MessageType.PUSH;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Push p && blob.equals(p.blob) && ttlSeconds == p.ttlSeconds
                    && Arrays.equals(payload, p.payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(blob, ttlSeconds, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "Push[REDACTED]";
        }
    }

    /**
     * Relay to device: the blob is durably stored under {@code cursor}. This cursor tells the
     * device its push landed; it is never used as the device's pull cursor.
     *
     * @param blob the id from the Push
     * @param cursor where the relay stored it (the first cursor, for a repeated push)
     */
    record PushAck(BlobId blob, Cursor cursor) implements Message {
        public PushAck {
            Objects.requireNonNull(blob, "blob");
            Objects.requireNonNull(cursor, "cursor");
        }

        @Override
        public MessageType type() {
            return MessageType.PUSH_ACK;
        }

        @Override
        public String toString() {
            return "PushAck[" + cursor + "]";
        }
    }

    /**
     * Device to relay: send the group's blobs with a cursor strictly after {@code after}.
     *
     * @param after the device's pull cursor for this relay
     * @param maxBlobs 1 to 2^32-1 blobs per page
     * @param maxBytes 1 to 2^32-1 payload bytes per page (the first blob is sent even if larger)
     */
    record Pull(Cursor after, long maxBlobs, long maxBytes) implements Message {
        public Pull {
            Objects.requireNonNull(after, "after");
            WireChecks.range("maxBlobs", maxBlobs, 1, WireChecks.UINT32_MAX);
            WireChecks.range("maxBytes", maxBytes, 1, WireChecks.UINT32_MAX);
        }

        @Override
        public MessageType type() {
            return MessageType.PULL;
        }
    }

    /**
     * Relay to device: one page of a pull.
     *
     * @param blobs in strictly increasing cursor order, each after the Pull's {@code after}
     * @param hasMore true if more blobs exist after the last one; the device pulls again
     */
    record PullResponse(List<PulledBlob> blobs, boolean hasMore) implements Message {
        public PullResponse {
            blobs = List.copyOf(blobs);
            for (int i = 1; i < blobs.size(); i++) {
                if (!blobs.get(i).cursor().isAfter(blobs.get(i - 1).cursor())) {
                    throw new IllegalArgumentException("pull response cursors must strictly increase");
                }
            }
        }

        @Override
        public MessageType type() {
            return MessageType.PULL_RESPONSE;
        }

        @Override
        public String toString() {
            return "PullResponse[" + blobs.size() + " blobs, hasMore=" + hasMore + "]";
        }
    }

    /**
     * One blob of a {@link PullResponse}.
     *
     * @param cursor its position in the group's log
     * @param blob the sender's blob id
     * @param sender the device that pushed it, as authenticated by the relay
     * @param payload the sealed bytes, 1 byte or more
     */
    record PulledBlob(Cursor cursor, BlobId blob, DeviceId sender, byte[] payload) {
        public PulledBlob {
            Objects.requireNonNull(cursor, "cursor");
            Objects.requireNonNull(blob, "blob");
            Objects.requireNonNull(sender, "sender");
            payload = WireChecks.bytes("payload", payload, 1, Integer.MAX_VALUE);
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        /** The payload length in bytes, without copying. */
        public int payloadBytes() {
            return payload.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PulledBlob p && cursor.equals(p.cursor) && blob.equals(p.blob)
                    && sender.equals(p.sender) && Arrays.equals(payload, p.payload);
        }

        @Override
        public int hashCode() {
            return Objects.hash(cursor, blob, sender, Arrays.hashCode(payload));
        }

        @Override
        public String toString() {
            return "PulledBlob[" + cursor + "]";
        }
    }

    /**
     * Relay to device: the group's log grew to {@code head}; pull if your cursor is behind. Carries
     * no sender or blob id, so a notified device learns nothing but the new head.
     *
     * @param head the group's highest cursor
     */
    record Notify(Cursor head) implements Message {
        public Notify {
            Objects.requireNonNull(head, "head");
        }

        @Override
        public MessageType type() {
            return MessageType.NOTIFY;
        }
    }

    /** Either side: orderly end of the session; the sender closes after it. */
    record Bye() implements Message {
        @Override
        public MessageType type() {
            return MessageType.BYE;
        }
    }

    /**
     * Relay to device: a request was refused or the session is ending for a reason the device can
     * act on.
     *
     * @param code what went wrong
     * @param detail human-readable, 0 to {@value #MAX_DETAIL_BYTES} UTF-8 bytes, never containing ids,
     *     sizes or payload bytes
     * @param retryAfterMillis how long the device should wait before retrying, 0 to 2^32-1 ms
     */
    record Error(ErrorCode code, String detail, long retryAfterMillis) implements Message {
        /** Upper bound of {@link #detail()} in UTF-8 bytes. */
        public static final int MAX_DETAIL_BYTES = 512;

        public Error {
            Objects.requireNonNull(code, "code");
            WireChecks.utf8("detail", detail, MAX_DETAIL_BYTES);
            WireChecks.range("retryAfterMillis", retryAfterMillis, 0, WireChecks.UINT32_MAX);
        }

        /** The relay's retry hint; empty when it gave none (wire value 0). */
        public Optional<Duration> retryAfter() {
            return retryAfterMillis == 0 ? Optional.empty() : Optional.of(Duration.ofMillis(retryAfterMillis));
        }

        @Override
        public MessageType type() {
            return MessageType.ERROR;
        }
    }
}
