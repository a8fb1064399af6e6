package dev.zerok.kernel.noise;

import java.util.List;

/** Byte helpers the kernel needs without java.security: constant-time comparison and concatenation. */
public final class ConstantTime {
    private ConstantTime() {}

    /**
     * True if both arrays have the same length and bytes. The time depends only on the length, not
     * on where the first difference is, so comparing a received MAC or key leaks nothing.
     */
    public static boolean equals(byte[] a, byte[] b) {
        if (a.length != b.length) {
            return false;
        }
        int difference = 0;
        for (int i = 0; i < a.length; i++) {
            difference |= a[i] ^ b[i];
        }
        return difference == 0;
    }

    /** The parts joined in order into one new array. */
    public static byte[] concat(List<byte[]> parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int position = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, position, part.length);
            position += part.length;
        }
        return out;
    }
}
