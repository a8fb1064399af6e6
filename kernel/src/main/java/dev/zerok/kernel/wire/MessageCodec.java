package dev.zerok.kernel.wire;

import dev.zerok.kernel.wire.ProtocolException.Code;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.id.DeviceId;
import dev.zerok.ports.id.GroupId;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.CharacterCodingException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.msgpack.core.MessageBufferPacker;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageInsufficientBufferException;
import org.msgpack.core.MessagePack;
import org.msgpack.core.MessagePackException;
import org.msgpack.core.MessagePacker;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Encodes {@link Message}s as MessagePack and decodes them strictly (docs/PROTOCOL.md has the
 * byte diagrams).
 *
 * <p>Every message is one MessagePack array: {@code [tag, field1, field2, ...]}. Byte strings are
 * always {@code bin}, integers always unsigned and in their smallest encoding, text {@code str}
 * (UTF-8). Cursors are {@code uint64}.
 *
 * <p>Decoding accepts exactly the bytes {@link #encode} produces and nothing else: an unknown tag,
 * a missing or extra field, a wrong MessagePack type, an out-of-range value, invalid UTF-8, a
 * non-minimal encoding, or trailing bytes is a {@link ProtocolException}. Every declared length is
 * checked against the bytes that remain before anything is allocated, so a 5-byte header cannot
 * make the decoder reserve gigabytes (msgpack-core's {@code unpackValue} would). No other
 * exception escapes {@link #decode}.
 *
 * <p>Stateless and thread-safe.
 */
public final class MessageCodec {
    /**
     * The most bytes one {@link Message.PulledBlob} adds to a {@link Message.PullResponse} besides
     * its payload: array header, the largest cursor (uint64), blob id, sender id and a bin32 payload
     * header. Computed from the encoder itself, so it cannot drift from it.
     */
    public static final int PULLED_BLOB_OVERHEAD_BYTES;

    /**
     * The most bytes a {@link Message.PullResponse} has besides its entries: outer array, tag, an
     * array32 header for the entry list and {@code has_more}.
     */
    public static final int PULL_RESPONSE_OVERHEAD_BYTES;

    static {
        byte[] sample = new byte[1 << 16]; // bin32 territory: the largest bin header
        Message.PulledBlob entry = new Message.PulledBlob(new Cursor(-1L), new BlobId(new byte[BlobId.LENGTH]),
                new DeviceId(new byte[DeviceId.LENGTH]), sample);
        int empty = encode(new Message.PullResponse(List.of(), true)).length;
        int one = encode(new Message.PullResponse(List.of(entry), true)).length;
        PULLED_BLOB_OVERHEAD_BYTES = one - empty - sample.length;
        PULL_RESPONSE_OVERHEAD_BYTES = empty + 4; // fixarray (1 byte) can grow to array32 (5 bytes)
    }

    private MessageCodec() {}

    /**
     * The largest sealed blob payload a relay with frame limit {@code maxFrameBytes} can both accept
     * in a {@link Message.Push} and serve back alone in a {@link Message.PullResponse} (the larger
     * of the two envelopes). A relay must refuse bigger pushes with {@code TOO_LARGE}: acknowledging
     * one would wedge every puller of the group at its cursor.
     *
     * @param maxFrameBytes a frame limit in bytes, as announced in {@link Message.Welcome}
     * @return payload bytes, at most {@code maxFrameBytes}; below 1 if the frame limit is too small for any blob
     */
    public static long maxBlobPayloadBytes(long maxFrameBytes) {
        return maxFrameBytes - PULL_RESPONSE_OVERHEAD_BYTES - PULLED_BLOB_OVERHEAD_BYTES;
    }

    /** The frame bytes one entry of a PullResponse takes at most: its payload plus {@link #PULLED_BLOB_OVERHEAD_BYTES}. */
    public static long pulledBlobFrameBytes(Message.PulledBlob blob) {
        return (long) blob.payloadBytes() + PULLED_BLOB_OVERHEAD_BYTES;
    }

    /**
     * The MessagePack encoding of {@code message}.
     *
     * @return a fresh array holding one MessagePack array value
     */
    public static byte[] encode(Message message) {
        try (MessageBufferPacker p = MessagePack.newDefaultBufferPacker()) {
            switch (message) {
                case Message.Hello h -> {
                    header(p, h, 4);
                    p.packInt(h.protocolVersion());
                    bin(p, h.device().value());
                    bin(p, h.group().value());
                    bin(p, h.membershipProof());
                }
                case Message.Welcome w -> {
                    header(p, w, 5);
                    p.packInt(w.protocolVersion());
                    uint64(p, w.head());
                    uint64(p, w.oldestCursor());
                    p.packLong(w.maxFrameBytes());
                    p.packLong(w.maxTtlSeconds());
                }
                case Message.Push push -> {
                    header(p, push, 3);
                    bin(p, push.blob().value());
                    p.packLong(push.ttlSeconds());
                    bin(p, push.payload());
                }
                case Message.PushAck ack -> {
                    header(p, ack, 2);
                    bin(p, ack.blob().value());
                    uint64(p, ack.cursor());
                }
                case Message.Pull pull -> {
                    header(p, pull, 3);
                    uint64(p, pull.after());
                    p.packLong(pull.maxBlobs());
                    p.packLong(pull.maxBytes());
                }
                case Message.PullResponse r -> {
                    header(p, r, 2);
                    p.packArrayHeader(r.blobs().size());
                    for (Message.PulledBlob b : r.blobs()) {
                        p.packArrayHeader(4);
                        uint64(p, b.cursor());
                        bin(p, b.blob().value());
                        bin(p, b.sender().value());
                        bin(p, b.payload());
                    }
                    p.packBoolean(r.hasMore());
                }
                case Message.Notify n -> {
                    header(p, n, 1);
                    uint64(p, n.head());
                }
                case Message.Bye bye -> header(p, bye, 0);
                case Message.Error e -> {
                    header(p, e, 3);
                    p.packInt(e.code().value());
                    p.packString(e.detail());
                    p.packLong(e.retryAfterMillis());
                }
            }
            return p.toByteArray();
        } catch (IOException e) {
            // MessageBufferPacker writes to memory; its IOException is declared, never thrown.
            throw new IllegalStateException("in-memory MessagePack encoding failed", e);
        }
    }

    /**
     * Decodes exactly one message occupying all of {@code bytes}.
     *
     * @param bytes one frame body
     * @throws ProtocolException if the bytes are anything but the canonical encoding of one message
     */
    public static Message decode(byte[] bytes) throws ProtocolException {
        Message message;
        try (MessageUnpacker unpacker = MessagePack.newDefaultUnpacker(bytes)) {
            Reader in = new Reader(unpacker, bytes.length);
            message = readMessage(in);
            if (unpacker.hasNext()) {
                throw new ProtocolException(Code.TRAILING_BYTES,
                        (bytes.length - unpacker.getTotalReadBytes()) + " bytes after the end of a "
                                + message.type() + " message");
            }
        } catch (MessageInsufficientBufferException e) {
            throw new ProtocolException(Code.TRUNCATED, "input ended inside a MessagePack value");
        } catch (MessagePackException | IOException e) {
            throw new ProtocolException(Code.MALFORMED, "not valid MessagePack: " + e.getClass().getSimpleName());
        }
        if (!Arrays.equals(encode(message), bytes)) {
            throw new ProtocolException(Code.MALFORMED,
                    "a " + message.type() + " message not in canonical form (non-minimal integer or length encoding)");
        }
        return message;
    }

    private static Message readMessage(Reader in) throws ProtocolException, IOException {
        int fields = in.arrayHeader("message");
        if (fields < 1) {
            throw new ProtocolException(Code.FIELD_COUNT, "a message array needs a type tag, got an empty array");
        }
        long tag = in.uint("type tag", 127);
        MessageType type = MessageType.fromTag(tag)
                .orElseThrow(() -> new ProtocolException(Code.UNKNOWN_TYPE, "unknown message type tag " + tag));
        int expected = 1 + switch (type) {
            case WELCOME -> 5;
            case HELLO -> 4;
            case PUSH, PULL, ERROR -> 3;
            case PUSH_ACK, PULL_RESPONSE -> 2;
            case NOTIFY -> 1;
            case BYE -> 0;
        };
        if (fields != expected) {
            throw new ProtocolException(Code.FIELD_COUNT,
                    type + " has " + (expected - 1) + " fields, got " + (fields - 1));
        }
        return switch (type) {
            case HELLO -> {
                int version = (int) in.uint("Hello.protocolVersion", 65_535);
                DeviceId device = new DeviceId(in.bin("Hello.device", DeviceId.LENGTH, DeviceId.LENGTH));
                GroupId group = new GroupId(in.bin("Hello.group", GroupId.LENGTH, GroupId.LENGTH));
                byte[] proof = in.bin("Hello.membershipProof", 1, Message.Hello.MAX_PROOF_BYTES);
                yield build("Hello", () -> new Message.Hello(version, device, group, proof));
            }
            case WELCOME -> {
                int version = (int) in.uint("Welcome.protocolVersion", 65_535);
                Cursor head = in.cursor("Welcome.head");
                Cursor oldest = in.cursor("Welcome.oldestCursor");
                long maxFrame = in.uint("Welcome.maxFrameBytes", WireChecks.UINT32_MAX);
                long maxTtl = in.uint("Welcome.maxTtlSeconds", WireChecks.UINT32_MAX);
                yield build("Welcome", () -> new Message.Welcome(version, head, oldest, maxFrame, maxTtl));
            }
            case PUSH -> {
                BlobId blob = new BlobId(in.bin("Push.blob", BlobId.LENGTH, BlobId.LENGTH));
                long ttl = in.uint("Push.ttlSeconds", WireChecks.UINT32_MAX);
                byte[] payload = in.bin("Push.payload", 1, Integer.MAX_VALUE);
                yield build("Push", () -> new Message.Push(blob, ttl, payload));
            }
            case PUSH_ACK -> {
                BlobId blob = new BlobId(in.bin("PushAck.blob", BlobId.LENGTH, BlobId.LENGTH));
                Cursor cursor = in.cursor("PushAck.cursor");
                yield new Message.PushAck(blob, cursor);
            }
            case PULL -> {
                Cursor after = in.cursor("Pull.after");
                long maxBlobs = in.uint("Pull.maxBlobs", WireChecks.UINT32_MAX);
                long maxBytes = in.uint("Pull.maxBytes", WireChecks.UINT32_MAX);
                yield build("Pull", () -> new Message.Pull(after, maxBlobs, maxBytes));
            }
            case PULL_RESPONSE -> {
                int count = in.arrayHeader("PullResponse.blobs");
                List<Message.PulledBlob> blobs = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    int entryFields = in.arrayHeader("PullResponse.blobs[" + i + "]");
                    if (entryFields != 4) {
                        throw new ProtocolException(Code.FIELD_COUNT,
                                "a pulled blob has 4 fields, got " + entryFields);
                    }
                    Cursor cursor = in.cursor("PulledBlob.cursor");
                    BlobId blob = new BlobId(in.bin("PulledBlob.blob", BlobId.LENGTH, BlobId.LENGTH));
                    DeviceId sender = new DeviceId(in.bin("PulledBlob.sender", DeviceId.LENGTH, DeviceId.LENGTH));
                    byte[] payload = in.bin("PulledBlob.payload", 1, Integer.MAX_VALUE);
                    blobs.add(build("PulledBlob", () -> new Message.PulledBlob(cursor, blob, sender, payload)));
                }
                boolean hasMore = in.bool("PullResponse.hasMore");
                yield build("PullResponse", () -> new Message.PullResponse(blobs, hasMore));
            }
            case NOTIFY -> new Message.Notify(in.cursor("Notify.head"));
            case BYE -> new Message.Bye();
            case ERROR -> {
                long raw = in.uint("Error.code", 65_535);
                ErrorCode code = ErrorCode.fromValue(raw)
                        .orElseThrow(() -> new ProtocolException(Code.INVALID_VALUE, "unknown error code " + raw));
                String detail = in.str("Error.detail", Message.Error.MAX_DETAIL_BYTES);
                long retry = in.uint("Error.retryAfterMillis", WireChecks.UINT32_MAX);
                yield build("Error", () -> new Message.Error(code, detail, retry));
            }
        };
    }

    /** Runs a record constructor whose argument checks the reader has not already made. */
    private static <T> T build(String what, Supplier<T> constructor) throws ProtocolException {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(Code.INVALID_VALUE, what + ": " + e.getMessage());
        }
    }

    private static void header(MessagePacker p, Message m, int fields) throws IOException {
        p.packArrayHeader(1 + fields);
        p.packInt(m.type().tag());
    }

    private static void bin(MessagePacker p, byte[] bytes) throws IOException {
        p.packBinaryHeader(bytes.length);
        p.writePayload(bytes);
    }

    private static void uint64(MessagePacker p, Cursor cursor) throws IOException {
        long v = cursor.value();
        if (v >= 0) {
            p.packLong(v);
        } else {
            p.packBigInteger(new BigInteger(Long.toUnsignedString(v)));
        }
    }

    /** Strict reads of one MessagePack value each; lengths checked against what remains. */
    private static final class Reader {
        private final MessageUnpacker unpacker;
        private final long totalBytes;

        Reader(MessageUnpacker unpacker, long totalBytes) {
            this.unpacker = unpacker;
            this.totalBytes = totalBytes;
        }

        private long remaining() {
            return totalBytes - unpacker.getTotalReadBytes();
        }

        private MessageFormat next(String field) throws ProtocolException, IOException {
            if (!unpacker.hasNext()) {
                throw new ProtocolException(Code.TRUNCATED, "input ended before " + field);
            }
            MessageFormat format = unpacker.getNextFormat();
            if (format == MessageFormat.NEVER_USED) {
                throw new ProtocolException(Code.MALFORMED, "reserved byte 0xc1 at " + field);
            }
            return format;
        }

        private ProtocolException wrongType(String field, String expected, MessageFormat actual) {
            return new ProtocolException(Code.WRONG_TYPE,
                    field + " must be " + expected + ", got " + actual.getValueType().name().toLowerCase(java.util.Locale.ROOT));
        }

        int arrayHeader(String field) throws ProtocolException, IOException {
            MessageFormat format = next(field);
            if (format.getValueType() != ValueType.ARRAY) {
                throw wrongType(field, "an array", format);
            }
            int size = unpacker.unpackArrayHeader();
            // Every element takes at least one byte, so a larger count cannot be honest.
            if (size < 0 || size > remaining()) {
                throw new ProtocolException(Code.TRUNCATED, field + " declares " + Integer.toUnsignedString(size)
                        + " elements but only " + remaining() + " bytes remain");
            }
            return size;
        }

        long uint(String field, long max) throws ProtocolException, IOException {
            MessageFormat format = next(field);
            long value = switch (format) {
                case POSFIXINT, UINT8, UINT16, UINT32 -> unpacker.unpackLong();
                case UINT64 -> unpacker.unpackBigInteger().longValue();
                default -> throw wrongType(field, "an unsigned integer", format);
            };
            if (Long.compareUnsigned(value, max) > 0) {
                throw new ProtocolException(Code.INVALID_VALUE,
                        field + " must be at most " + Long.toUnsignedString(max) + ", got " + Long.toUnsignedString(value));
            }
            return value;
        }

        Cursor cursor(String field) throws ProtocolException, IOException {
            return new Cursor(uint(field, -1L));
        }

        boolean bool(String field) throws ProtocolException, IOException {
            MessageFormat format = next(field);
            if (format != MessageFormat.BOOLEAN) {
                throw wrongType(field, "a boolean", format);
            }
            return unpacker.unpackBoolean();
        }

        byte[] bin(String field, int minLength, int maxLength) throws ProtocolException, IOException {
            MessageFormat format = next(field);
            if (format.getValueType() != ValueType.BINARY) {
                throw wrongType(field, "bin", format);
            }
            int length = unpacker.unpackBinaryHeader();
            checkLength(field, length);
            if (length < minLength || length > maxLength) {
                throw new ProtocolException(Code.INVALID_VALUE,
                        field + " must be " + minLength + ".." + maxLength + " bytes, got " + length);
            }
            return unpacker.readPayload(length);
        }

        String str(String field, int maxBytes) throws ProtocolException, IOException {
            MessageFormat format = next(field);
            if (format.getValueType() != ValueType.STRING) {
                throw wrongType(field, "str", format);
            }
            int length = unpacker.unpackRawStringHeader();
            checkLength(field, length);
            if (length > maxBytes) {
                throw new ProtocolException(Code.INVALID_VALUE,
                        field + " must be at most " + maxBytes + " bytes, got " + length);
            }
            try {
                return WireChecks.decodeUtf8(unpacker.readPayload(length));
            } catch (CharacterCodingException e) {
                throw new ProtocolException(Code.INVALID_VALUE, field + " is not valid UTF-8");
            }
        }

        private void checkLength(String field, int length) throws ProtocolException {
            if (length < 0 || length > remaining()) {
                throw new ProtocolException(Code.TRUNCATED, field + " declares " + Integer.toUnsignedString(length)
                        + " bytes but only " + remaining() + " remain");
            }
        }
    }
}
