package dev.zerok.relayapp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.spi.ConfigException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelayConfigTest {

    @Test
    void of_unknownTopLevelKey_isRejectedByName() {
        assertThatThrownBy(() -> RelayConfig.of(Map.of("listen", "127.0.0.1:7443", "lisen", "x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("[lisen]");
    }

    @Test
    void providerConfig_returnsThePortsKeysWithoutPrefix() throws ConfigException {
        RelayConfig config = RelayConfig.of(Map.of("store", "sqlite", "store.path", "/tmp/x.db", "transport.idle.timeout", "5s"));

        assertThat(config.providerName("store")).isEqualTo("sqlite");
        assertThat(config.providerName("transport")).isEqualTo("quic");
        assertThat(config.providerConfig("store").values()).containsExactly(Map.entry("path", "/tmp/x.db"));
    }

    @Test
    void component_withUnknownProviderName_failsListingWhatWasFound() throws ConfigException {
        RelayComponent component = RelayComponent.create(RelayConfig.of(Map.of("clock", "sundial")));

        assertThatThrownBy(component::clock)
                .isInstanceOf(RelayStartupException.class)
                .hasMessageContaining("no ClockProvider named 'sundial'")
                .hasMessageContaining("found");
    }
}
