package dev.zerok.relayapp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyExchangeProvider;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.ports.entropy.EntropyProvider;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.id.Cursor;
import dev.zerok.ports.spi.ProviderConfig;
import dev.zerok.ports.spi.ProviderContext;
import dev.zerok.ports.spi.Providers;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A relay stopped gracefully and started again keeps its identity, its port and every acknowledged blob. */
class RelayRestartTest {
    @TempDir
    Path dir;

    @Test
    void gracefulRestart_keepsIdentityPortAndEveryAcknowledgedBlob() throws Exception {
        KeyExchange crypto = Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY);
        Entropy entropy = Providers.select(EntropyProvider.class, "drbg").open(ProviderConfig.EMPTY);
        var clock = Providers.select(ClockProvider.class, "system").open(ProviderConfig.EMPTY);
        GroupKeys group = GroupKeys.derive(crypto, Secret.adopt(entropy.bytes(32)));
        String common = "http.listen=127.0.0.1:0\ndata.dir=" + dir.resolve("data") + "\n";
        List<Message.PulledBlob> acknowledged = new ArrayList<>();

        try (Transport transport = Providers.select(TransportProvider.class, "quic").open(ProviderConfig.EMPTY,
                new ProviderContext(clock, entropy))) {
            RelayProcess first = new RelayProcess(dir.resolve("a.properties"), "listen=127.0.0.1:0\n" + common);
            try (RawDevice device = new RawDevice(transport, first.endpoint, first.publicKey, crypto, entropy)) {
                device.hello(crypto, group);
                for (int i = 0; i < 20; i++) {
                    BlobId blob = new BlobId(entropy.bytes(16));
                    byte[] sealed = entropy.bytes(100 + i);
                    device.send(new Message.Push(blob, 3600, sealed));
                    Message.PushAck ack = (Message.PushAck) device.receive(Duration.ofSeconds(10));
                    acknowledged.add(new Message.PulledBlob(ack.cursor(), blob, device.deviceId, sealed));
                }
            }
            first.close();

            RelayProcess second = new RelayProcess(dir.resolve("b.properties"),
                    "listen=127.0.0.1:" + first.endpoint.port() + "\n" + common);
            try (second; RawDevice device = new RawDevice(transport, second.endpoint, first.publicKey, crypto, entropy)) {
                assertThat(second.publicKey).isEqualTo(first.publicKey);
                assertThat(first.log()).contains("created a NEW relay identity", "identity: " + dir.resolve("data/relay.key"));
                assertThat(second.log()).doesNotContain("NEW relay identity").contains("identity: " + dir.resolve("data/relay.key"));
                assertThat(second.endpoint.port()).isEqualTo(first.endpoint.port());
                device.hello(crypto, group);
                device.send(new Message.Pull(Cursor.ZERO, 1000, 1 << 20));

                assertThat(device.receive(Duration.ofSeconds(10)))
                        .isEqualTo(new Message.PullResponse(acknowledged, false));
            }
        }
    }
}
