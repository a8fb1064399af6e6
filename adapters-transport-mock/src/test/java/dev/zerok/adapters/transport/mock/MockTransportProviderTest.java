package dev.zerok.adapters.transport.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.spi.ConfigException;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import dev.zerok.ports.transport.TransportProvider;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class MockTransportProviderTest {
    private final ManualClock clock = new ManualClock();
    private final ProviderContext context = new ProviderContext(clock, new SeededEntropy(5));

    @Test
    void select_byName_findsTheMockProvider() throws Exception {
        assertThat(Providers.select(TransportProvider.class, "mock")).isInstanceOf(MockTransportProvider.class);
    }

    @Test
    void open_unknownKey_failsNamingIt() {
        assertThatThrownBy(() -> new MockTransportProvider().open(ProviderConfig.of("hots", "relay"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("hots");
    }

    @Test
    void open_unregisteredNetwork_failsNamingIt() {
        assertThatThrownBy(() -> new MockTransportProvider().open(ProviderConfig.of("network", "nope-net"), context))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope-net");
    }

    @Test
    void open_registeredNetwork_transportsOfTwoOpensReachEachOther() throws Exception {
        MockNetwork network = new MockNetwork(clock, new SeededEntropy(5));
        MockNetwork.register("provider-test-net", network);
        try {
            Transport relay = new MockTransportProvider().open(
                    ProviderConfig.of("network", "provider-test-net", "host", "relay"), context);
            Transport device = new MockTransportProvider().open(
                    ProviderConfig.of("network", "provider-test-net", "host", "phone", "idle.timeout", "5s"), context);
            relay.bind(new Endpoint("relay", 7443), ch -> ignoring());
            CompletableFuture<Channel> connect = device.connect(new Endpoint("relay", 7443), ignoring()).toCompletableFuture();
            clock.advance(Duration.ofMillis(10));

            assertThat(connect).isCompleted();
            assertThat(connect.join().isOpen()).isTrue();
        } finally {
            MockNetwork.unregister("provider-test-net");
        }
    }

    @Test
    void open_networkOnAnotherClock_isRejected() {
        MockNetwork network = new MockNetwork(new ManualClock(), new SeededEntropy(5));
        MockNetwork.register("other-clock-net", network);
        try {
            assertThatThrownBy(() -> new MockTransportProvider().open(ProviderConfig.of("network", "other-clock-net"), context))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("clock");
        } finally {
            MockNetwork.unregister("other-clock-net");
        }
    }

    private static ChannelHandler ignoring() {
        return new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {}

            @Override
            public void onClosed(Optional<TransportException> cause) {}
        };
    }
}
