package dev.zerok.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuotaRefusalTest {
    @Test
    void parse_relayFigures_describedWithConfiguredAddress() {
        QuotaRefusal r = QuotaRefusal.parse("relay.example.org:7443",
                "the group's storage quota is full (1048000 of 1048576 bytes); nothing was stored");

        assertThat(r.storedBytes()).hasValue(1_048_000);
        assertThat(r.quotaBytes()).hasValue(1_048_576);
        assertThat(r.describe()).isEqualTo("the group's storage quota on relay.example.org:7443 is full (1048000 of 1048576 bytes)");
    }

    @Test
    void parse_noFigures_showsTheRelaysTextSanitized() {
        QuotaRefusal r = QuotaRefusal.parse("h:1", "the relay's total storage is full\u001b[2J\u202E");

        assertThat(r.storedBytes()).isEmpty();
        assertThat(r.describe()).isEqualTo("h:1 refused the push for lack of storage (the relay says: "
                + "'the relay's total storage is full?[2J?')");
    }

    @Test
    void parse_hostileText_boundedAndNoOverflow() {
        QuotaRefusal huge = QuotaRefusal.parse("h:1", "(99999999999999999999999 of 1 bytes)" + "x".repeat(100_000));
        assertThat(huge.storedBytes()).isEmpty();
        assertThat(huge.relayText()).hasSizeLessThanOrEqualTo(300);
        assertThat(huge.describe()).hasSizeLessThan(400);

        QuotaRefusal spoofed = QuotaRefusal.parse("h:1", "x".repeat(400) + " (1 of 2 bytes)");
        assertThat(spoofed.storedBytes()).as("figures beyond the length bound are not read").isEmpty();
        assertThat(QuotaRefusal.parse("h:1", null).describe()).contains("the relay says: ''");
    }
}
