package dev.zerok.ports.id;

import java.util.Arrays;
import java.util.HexFormat;

/** Shared checks for the fixed-size identifier records; not part of the public API. */
final class IdBytes {
    private IdBytes() {}

    static byte[] copyOf(String type, byte[] bytes, int expectedLength) {
        if (bytes == null) {
            throw new IllegalArgumentException(type + " needs " + expectedLength + " bytes, got null");
        }
        if (bytes.length != expectedLength) {
            throw new IllegalArgumentException(
                    type + " needs exactly " + expectedLength + " bytes, got " + bytes.length);
        }
        return bytes.clone();
    }

    static byte[] fromHex(String type, String hex, int expectedLength) {
        if (hex == null || hex.length() != expectedLength * 2) {
            throw new IllegalArgumentException(type + " needs " + (expectedLength * 2) + " hex digits");
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(type + " is not valid hex", e);
        }
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    static int compare(byte[] a, byte[] b) {
        return Arrays.compareUnsigned(a, b);
    }
}
