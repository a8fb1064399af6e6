package dev.zerok.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SafeTextTest {
    @Test
    void printable_plainAndUnicodeText_unchanged() {
        assertThat(SafeText.printable("photos/2024 été 写真.jpg")).isEqualTo("photos/2024 été 写真.jpg");
    }

    @Test
    void printable_c0Del_c1_replaced() {
        assertThat(SafeText.printable("a\u001b[31mred\u0007\r\n\tz\u007f\u0085\u009b2J"))
                .isEqualTo("a?[31mred????z???2J");
    }

    @Test
    void printable_bidiOverridesAndIsolates_replaced() {
        String spoof = "invoice\u202Egpj.exe\u202A\u202B\u202C\u202D\u2066\u2067\u2068\u2069";
        assertThat(SafeText.printable(spoof)).isEqualTo("invoice?gpj.exe????????");
        assertThat(SafeText.printable("\u2029\u2065\u206A")).isEqualTo("\u2029\u2065\u206A");
    }

    @Test
    void printable_null_isEmpty() {
        assertThat(SafeText.printable(null)).isEmpty();
    }

    @Test
    void printableLines_keepsLineFeedAndTab_replacesOtherControls() {
        assertThat(SafeText.printableLines("buy\tmilk\nand eggs\r\u001b]0;x\u0007\u202E"))
                .isEqualTo("buy\tmilk\nand eggs??]0;x??");
    }

    @Test
    void printableBounded_longText_cutWithEllipsis_neverSplitsASurrogatePair() {
        assertThat(SafeText.printable("x".repeat(1000), 300)).hasSize(300).endsWith("...");
        assertThat(SafeText.printable("short", 300)).isEqualTo("short");
        assertThat(SafeText.printable("ab\uD83D\uDE00cd", 5)).isEqualTo("ab...");
        assertThatThrownBy(() -> SafeText.printable("x", 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
