package dev.zerok.adapters.crypto;

/** HChaCha20 (draft-irtf-cfrg-xchacha-03 section 2.2): 20 ChaCha rounds, no final addition. */
final class HChaCha20 {
    private HChaCha20() {}

    /**
     * @param key 32 bytes
     * @param nonce at least 16 bytes; only the first 16 are read
     * @return the 32-byte subkey (state words 0..3 and 12..15, little-endian)
     */
    static byte[] subkey(byte[] key, byte[] nonce) {
        int[] x = new int[16];
        x[0] = 0x61707865;
        x[1] = 0x3320646e;
        x[2] = 0x79622d32;
        x[3] = 0x6b206574;
        for (int i = 0; i < 8; i++) {
            x[4 + i] = littleEndian(key, 4 * i);
        }
        for (int i = 0; i < 4; i++) {
            x[12 + i] = littleEndian(nonce, 4 * i);
        }
        for (int round = 0; round < 10; round++) {
            quarter(x, 0, 4, 8, 12);
            quarter(x, 1, 5, 9, 13);
            quarter(x, 2, 6, 10, 14);
            quarter(x, 3, 7, 11, 15);
            quarter(x, 0, 5, 10, 15);
            quarter(x, 1, 6, 11, 12);
            quarter(x, 2, 7, 8, 13);
            quarter(x, 3, 4, 9, 14);
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 4; i++) {
            putLittleEndian(out, 4 * i, x[i]);
            putLittleEndian(out, 16 + 4 * i, x[12 + i]);
        }
        java.util.Arrays.fill(x, 0);
        return out;
    }

    private static void quarter(int[] x, int a, int b, int c, int d) {
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 16);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 12);
        x[a] += x[b];
        x[d] = Integer.rotateLeft(x[d] ^ x[a], 8);
        x[c] += x[d];
        x[b] = Integer.rotateLeft(x[b] ^ x[c], 7);
    }

    private static int littleEndian(byte[] b, int offset) {
        return (b[offset] & 0xff) | (b[offset + 1] & 0xff) << 8 | (b[offset + 2] & 0xff) << 16
                | (b[offset + 3] & 0xff) << 24;
    }

    private static void putLittleEndian(byte[] b, int offset, int value) {
        b[offset] = (byte) value;
        b[offset + 1] = (byte) (value >>> 8);
        b[offset + 2] = (byte) (value >>> 16);
        b[offset + 3] = (byte) (value >>> 24);
    }
}
