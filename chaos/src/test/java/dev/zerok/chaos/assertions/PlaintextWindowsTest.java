package dev.zerok.chaos.assertions;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PlaintextWindowsTest {
    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @Test
    void find_thirtyOneBytesOfASecretAnywhere_foundWithWhereInBoth() {
        byte[] secret = random(1, 4096);
        byte[] haystack = random(2, 100_000);
        System.arraycopy(secret, 1001, haystack, 77_777, 31); // any 31 bytes hold one whole aligned window
        PlaintextWindows w = new PlaintextWindows().add("the plaintext of device-1#1", secret, 1_000);

        PlaintextWindows.Hit hit = w.find(haystack).orElseThrow();

        assertThat(hit.label()).isEqualTo("the plaintext of device-1#1");
        assertThat(hit.secretOffset()).isEqualTo(1008);
        assertThat(hit.haystackOffset()).isEqualTo(77_777 + 7);
    }

    @Test
    void find_fifteenBytesOnly_orRandomBytes_notFound() {
        byte[] secret = random(3, 4096);
        byte[] haystack = random(4, 100_000);
        System.arraycopy(secret, 1008, haystack, 500, 15);
        PlaintextWindows w = new PlaintextWindows().add("s", secret, 1_000);

        assertThat(w.find(haystack)).isEmpty();
        assertThat(w.find(new byte[0])).isEmpty();
    }

    @Test
    void add_sampledSecret_keepsAtMostMaxWindowsSpreadOverIt_andFindsEachOfThem() {
        byte[] secret = random(5, 1 << 20);
        PlaintextWindows w = new PlaintextWindows().add("big", secret, 64);
        assertThat(w.windowCount()).isEqualTo(64);
        byte[] lastSlot = Arrays.copyOfRange(secret, (63 * (secret.length / 16) / 64) * 16, (63 * (secret.length / 16) / 64) * 16 + 16);
        assertThat(w.find(lastSlot)).isPresent();
    }

    @Test
    void add_lowEntropyWindows_skipped_soPaddingNeverMatches() {
        byte[] zeros = new byte[4096];
        PlaintextWindows w = new PlaintextWindows().add("zeros", zeros, 256).add("short", new byte[15], 1);
        assertThat(w.windowCount()).isZero();
        assertThat(w.find(new byte[10_000])).isEmpty();
    }
}
