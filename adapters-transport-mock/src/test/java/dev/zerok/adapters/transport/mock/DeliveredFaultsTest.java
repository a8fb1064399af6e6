package dev.zerok.adapters.transport.mock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.ports.testkit.ManualClock;
import dev.zerok.ports.testkit.SeededEntropy;
import dev.zerok.ports.transport.Channel;
import dev.zerok.ports.transport.ChannelHandler;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Server;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link DeliveredFaults}: reorder and replay of whole messages above the transport reach the receiver. */
class DeliveredFaultsTest {
    private final ManualClock clock = new ManualClock();
    private final MockNetwork network = new MockNetwork(clock, new SeededEntropy(21));
    private final List<Integer> received = new ArrayList<>();
    private final List<FaultEvent.Kind> events = new ArrayList<>();
    private Transport relayTransport;

    private Channel connect() throws TransportException {
        network.addListener(e -> events.add(e.kind()));
        relayTransport = network.transport("relay", Duration.ofSeconds(30), Duration.ofSeconds(10));
        Server server = relayTransport.bind(new Endpoint("relay", 7443), ch -> new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {
                received.add(ByteBuffer.wrap(message).getInt());
            }

            @Override
            public void onClosed(Optional<TransportException> cause) {}
        });
        Transport device = network.transport("device", Duration.ofSeconds(30), Duration.ofSeconds(10));
        CompletableFuture<Channel> c = device.connect(server.localEndpoint(), new ChannelHandler() {
            @Override
            public void onMessage(byte[] message) {}

            @Override
            public void onClosed(Optional<TransportException> cause) {}
        }).toCompletableFuture();
        clock.advance(Duration.ofMillis(10));
        return c.join();
    }

    private static byte[] numbered(int i) {
        return ByteBuffer.allocate(8).putInt(i).putInt(~i).array();
    }

    @Test
    void reorderAlways_swapsEachPairOfMessages() throws Exception {
        Channel channel = connect();
        network.setDeliveredFaults("device", "relay", new DeliveredFaults(1.0, 0));
        for (int i = 0; i < 6; i++) {
            channel.send(numbered(i));
        }
        clock.advance(Duration.ofSeconds(1));

        assertThat(received).containsExactly(1, 0, 3, 2, 5, 4);
        assertThat(events).filteredOn(k -> k == FaultEvent.Kind.REORDER_DELIVERED).hasSize(3);
    }

    @Test
    void reorder_withoutANextMessage_deliversTheHeldOneLate() throws Exception {
        Channel channel = connect();
        network.setDeliveredFaults("device", "relay", new DeliveredFaults(1.0, 0));
        channel.send(numbered(7));
        clock.advance(Duration.ofMillis(10));
        assertThat(received).isEmpty();

        clock.advance(Duration.ofMillis(100));

        assertThat(received).containsExactly(7);
    }

    @Test
    void replayAlways_resendsThePreviousMessageAfterEachOne() throws Exception {
        Channel channel = connect();
        network.setDeliveredFaults("device", "relay", new DeliveredFaults(0, 1.0));
        for (int i = 0; i < 4; i++) {
            channel.send(numbered(i));
        }
        clock.advance(Duration.ofSeconds(1));

        assertThat(received).containsExactly(0, 1, 0, 2, 1, 3, 2);
        assertThat(events).filteredOn(k -> k == FaultEvent.Kind.REPLAY_DELIVERED).hasSize(3);
    }

    @Test
    void otherDirection_isUntouched_andOpenChannelsCountsBothEnds() throws Exception {
        Channel channel = connect();
        network.setDeliveredFaults("relay", "device", new DeliveredFaults(1.0, 1.0));
        for (int i = 0; i < 4; i++) {
            channel.send(numbered(i));
        }
        clock.advance(Duration.ofSeconds(1));

        assertThat(received).containsExactly(0, 1, 2, 3);
        assertThat(network.openChannels("relay")).isEqualTo(1);
        assertThat(network.openChannels("device")).isEqualTo(1);
        channel.close();
        clock.advance(Duration.ofSeconds(1));
        assertThat(network.openChannels("relay")).isZero();
        assertThat(network.openChannels("device")).isZero();
    }

    @Test
    void rateOutOfRange_isRefused() {
        assertThatThrownBy(() -> new DeliveredFaults(1.5, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DeliveredFaults(0, -0.1)).isInstanceOf(IllegalArgumentException.class);
    }
}
