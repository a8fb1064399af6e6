package dev.zerok.kernel.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/** Argument checks shared by the message records and the codec. */
final class WireChecks {
    static final long UINT32_MAX = 0xFFFF_FFFFL;

    private WireChecks() {}

    static void range(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be " + min + ".." + max + ", got " + value);
        }
    }

    static byte[] bytes(String name, byte[] value, int minLength, int maxLength) {
        Objects.requireNonNull(value, name);
        if (value.length < minLength || value.length > maxLength) {
            throw new IllegalArgumentException(
                    name + " must be " + minLength + ".." + maxLength + " bytes, got " + value.length);
        }
        return value.clone();
    }

    static void utf8(String name, String value, int maxBytes) {
        Objects.requireNonNull(value, name);
        int length;
        try {
            length = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(value))
                    .remaining();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(name + " is not valid Unicode text");
        }
        if (length > maxBytes) {
            throw new IllegalArgumentException(name + " must be at most " + maxBytes + " UTF-8 bytes, got " + length);
        }
    }

    static String decodeUtf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }
}
