package dev.zerok.adapters.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.testkit.SeededEntropy;
import dev.zerok.ports.transport.TransportProvider;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class QuicTransportProviderTest {
    private final RealTimeClock clock = new RealTimeClock();
    private final ProviderContext context = new ProviderContext(clock, new SeededEntropy(3));

    @Test
    void select_byName_findsTheQuicProvider() throws Exception {
        assertThat(Providers.select(TransportProvider.class, "quic")).isInstanceOf(QuicTransportProvider.class);
    }

    @Test
    void open_unknownKey_failsNamingIt() {
        assertThatThrownBy(() -> new QuicTransportProvider().open(ProviderConfig.of("idle.timout", "5s"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("idle.timout");
    }

    @Test
    void open_datagramBelowQuicMinimum_failsNamingTheKey() {
        assertThatThrownBy(() -> new QuicTransportProvider().open(ProviderConfig.of("datagram.size", "1000"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("datagram.size");
    }

    @Test
    void parse_everyKey_isHonoured() throws Exception {
        QuicSettings settings = QuicSettings.parse(ProviderConfig.of("idle.timeout", "7s", "read.timeout", "3s",
                "connect.timeout", "2s", "max.connections", "9", "max.streams.per.connection", "2",
                "datagram.size", "1452", "event.loop.threads", "3", "stream.window.bytes", "1048576",
                "retry", "false", "max.connections.per.source", "5", "handshake.rate.per.source.per.second", "6",
                "handshake.rate.per.source.burst", "7", "max.sources.tracked", "8", "log.source.addresses", "true",
                "first.stream.timeout", "4s", "close.linger", "1500ms", "handshake.timeout", "12s",
                "retry.token.lifetime", "40s", "congestion.control", "CUBIC"));

        assertThat(settings).isEqualTo(new QuicSettings(Duration.ofSeconds(7), Duration.ofSeconds(3),
                Duration.ofSeconds(2), 9, 2, 1452, 3, 1_048_576, false, 5, 6, 7, 8, true, Duration.ofSeconds(4),
                Duration.ofMillis(1500), Duration.ofSeconds(12), Duration.ofSeconds(40),
                io.netty.handler.codec.quic.QuicCongestionControlAlgorithm.CUBIC));
    }

    @Test
    void parse_congestionControl_bbrByDefault_unknownRefusedNamingTheKey() throws Exception {
        assertThat(QuicSettings.parse(ProviderConfig.EMPTY).congestionControl())
                .isEqualTo(io.netty.handler.codec.quic.QuicCongestionControlAlgorithm.BBR);
        assertThatThrownBy(() -> QuicSettings.parse(ProviderConfig.of("congestion.control", "vegas")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("congestion.control").hasMessageContaining("vegas");
    }

    @Test
    void parse_noKeys_givesTheHardenedDefaults() throws Exception {
        QuicSettings settings = QuicSettings.parse(ProviderConfig.EMPTY);

        assertThat(settings.retry()).isTrue();
        assertThat(settings.maxConnectionsPerSource()).isEqualTo(32);
        assertThat(settings.handshakeRatePerSourcePerSecond()).isEqualTo(20);
        assertThat(settings.handshakeRatePerSourceBurst()).isEqualTo(40);
        assertThat(settings.maxSourcesTracked()).isEqualTo(100_000);
        assertThat(settings.logSourceAddresses()).isFalse();
        assertThat(settings.firstStreamTimeout()).isEqualTo(Duration.ofSeconds(5));
        // A 5 s one-way path (10 s round trips, seed 000 E-HS-04) must connect with these.
        assertThat(settings.handshakeTimeout()).isEqualTo(Duration.ofSeconds(15));
        assertThat(settings.retryTokenLifetime()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofSeconds(30));
    }
}
