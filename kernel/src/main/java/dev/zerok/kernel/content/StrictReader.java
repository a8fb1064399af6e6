package dev.zerok.kernel.content;

import dev.zerok.kernel.content.ContentException.Code;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.msgpack.core.MessageFormat;
import org.msgpack.core.MessageUnpacker;
import org.msgpack.value.ValueType;

/**
 * Strict reads of one MessagePack value each, shared by the content codecs: lengths and counts are
 * checked against the bytes that remain before anything is allocated, and every failure is a
 * {@link ContentException}. Not thread-safe (one per decode).
 */
final class StrictReader {
    /** Reads one value from a reader positioned at the start. */
    @FunctionalInterface
    interface Parser<T> {
        T read(StrictReader in) throws ContentException, IOException;
    }

    /**
     * Reads exactly one value occupying all of {@code bytes} and checks that {@code encode} gives
     * the same bytes back (canonical form), mapping every msgpack-core failure to a coded
     * {@link ContentException}; nothing else escapes.
     *
     * @param what the value's name in messages, e.g. "manifest"
     */
    static <T> T readAll(byte[] bytes, String what, Parser<T> parser, java.util.function.Function<T, byte[]> encode)
            throws ContentException {
        T value;
        try (MessageUnpacker unpacker = org.msgpack.core.MessagePack.newDefaultUnpacker(bytes)) {
            value = parser.read(new StrictReader(unpacker, bytes.length));
            if (unpacker.hasNext()) {
                throw new ContentException(Code.TRAILING_BYTES,
                        (bytes.length - unpacker.getTotalReadBytes()) + " bytes after the end of the " + what);
            }
        } catch (org.msgpack.core.MessageInsufficientBufferException e) {
            throw new ContentException(Code.TRUNCATED, "input ended inside a MessagePack value");
        } catch (org.msgpack.core.MessageSizeException e) {
            throw new ContentException(Code.TOO_LARGE, "a declared length or count is above 2^31-1");
        } catch (org.msgpack.core.MessagePackException | IOException e) {
            throw new ContentException(Code.MALFORMED, "not valid MessagePack: " + e.getClass().getSimpleName());
        }
        if (!java.util.Arrays.equals(encode.apply(value), bytes)) {
            throw new ContentException(Code.MALFORMED,
                    what + " not in canonical form (non-minimal integer, length or header encoding)");
        }
        return value;
    }

    /** Runs a record constructor, turning its invariant failure back into the coded exception. */
    static <T> T build(java.util.function.Supplier<T> constructor) throws ContentException {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            if (e.getCause() instanceof ContentException coded) {
                throw coded;
            }
            throw new ContentException(Code.INVALID_VALUE, e.getMessage());
        }
    }

    private final MessageUnpacker unpacker;
    private final long totalBytes;

    StrictReader(MessageUnpacker unpacker, long totalBytes) {
        this.unpacker = unpacker;
        this.totalBytes = totalBytes;
    }

    long remaining() {
        return totalBytes - unpacker.getTotalReadBytes();
    }

    MessageFormat next(String field) throws ContentException, IOException {
        if (!unpacker.hasNext()) {
            throw new ContentException(Code.TRUNCATED, "input ended before " + field);
        }
        MessageFormat format = unpacker.getNextFormat();
        if (format == MessageFormat.NEVER_USED) {
            throw new ContentException(Code.MALFORMED, "reserved byte 0xc1 at " + field);
        }
        return format;
    }

    private ContentException wrongType(String field, String expected, MessageFormat actual) {
        return new ContentException(Code.MALFORMED,
                field + " must be " + expected + ", got " + actual.getValueType().name().toLowerCase(Locale.ROOT));
    }

    int arrayHeader(String field, int maxCount) throws ContentException, IOException {
        MessageFormat format = next(field);
        if (format.getValueType() != ValueType.ARRAY) {
            throw wrongType(field, "an array", format);
        }
        int size = unpacker.unpackArrayHeader();
        if (size < 0 || size > maxCount) {
            throw new ContentException(Code.TOO_LARGE, field + " declares " + Integer.toUnsignedString(size)
                    + " elements; at most " + maxCount + " are allowed");
        }
        // Every element takes at least one byte, so a larger count cannot be honest.
        if (size > remaining()) {
            throw new ContentException(Code.TRUNCATED, field + " declares " + size
                    + " elements but only " + remaining() + " bytes remain");
        }
        return size;
    }

    long uint(String field, long max) throws ContentException, IOException {
        MessageFormat format = next(field);
        long value = switch (format) {
            case POSFIXINT, UINT8, UINT16, UINT32 -> unpacker.unpackLong();
            case UINT64 -> unpacker.unpackBigInteger().longValue();
            default -> throw wrongType(field, "an unsigned integer", format);
        };
        if (Long.compareUnsigned(value, max) > 0) {
            throw new ContentException(Code.INVALID_VALUE,
                    field + " must be at most " + max + ", got " + Long.toUnsignedString(value));
        }
        return value;
    }

    boolean bool(String field) throws ContentException, IOException {
        MessageFormat format = next(field);
        if (format != MessageFormat.BOOLEAN) {
            throw wrongType(field, "a boolean", format);
        }
        return unpacker.unpackBoolean();
    }

    byte[] bin(String field, int exactLength) throws ContentException, IOException {
        int length = binLength(field);
        if (length != exactLength) {
            throw new ContentException(Code.INVALID_VALUE, field + " must be " + exactLength + " bytes, got " + length);
        }
        return unpacker.readPayload(length);
    }

    /** A {@code bin} of {@code minLength..maxLength} bytes. */
    byte[] bin(String field, int minLength, int maxLength) throws ContentException, IOException {
        int length = binLength(field);
        if (length < minLength || length > maxLength) {
            throw new ContentException(length > maxLength ? Code.TOO_LARGE : Code.INVALID_VALUE,
                    field + " must be " + minLength + ".." + maxLength + " bytes, got " + length);
        }
        return unpacker.readPayload(length);
    }

    /** The length of the {@code bin} that comes next, checked against the bytes that remain. */
    private int binLength(String field) throws ContentException, IOException {
        MessageFormat format = next(field);
        if (format.getValueType() != ValueType.BINARY) {
            throw wrongType(field, "bin", format);
        }
        int length = unpacker.unpackBinaryHeader();
        checkRemaining(field, length);
        return length;
    }

    String str(String field, int maxBytes, Code invalidText) throws ContentException, IOException {
        MessageFormat format = next(field);
        if (format.getValueType() != ValueType.STRING) {
            throw wrongType(field, "str", format);
        }
        int length = unpacker.unpackRawStringHeader();
        checkRemaining(field, length);
        if (length > maxBytes) {
            throw new ContentException(Code.TOO_LARGE, field + " must be at most " + maxBytes + " bytes, got " + length);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(unpacker.readPayload(length)))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new ContentException(invalidText, field + " is not valid UTF-8");
        }
    }

    private void checkRemaining(String field, int length) throws ContentException {
        if (length < 0 || length > remaining()) {
            throw new ContentException(Code.TRUNCATED, field + " declares " + Integer.toUnsignedString(length)
                    + " bytes but only " + remaining() + " remain");
        }
    }
}
