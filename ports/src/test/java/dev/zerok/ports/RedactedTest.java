package dev.zerok.ports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.ports.transport.Endpoint;
import org.junit.jupiter.api.Test;

class RedactedTest {
    @Test
    void toString_ofAnyValue_isRedacted_andRevealReturnsIt() {
        Endpoint address = new Endpoint("192.0.2.7", 51234);
        Redacted<Endpoint> redacted = Redacted.of(address);

        assertThat(redacted.toString()).isEqualTo("[REDACTED]");
        assertThat(String.format("from %s", redacted)).doesNotContain("192.0.2.7").doesNotContain("51234");
        assertThat(redacted.reveal()).isSameAs(address);
    }
}
