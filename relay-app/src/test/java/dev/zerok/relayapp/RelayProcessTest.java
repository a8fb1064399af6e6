package dev.zerok.relayapp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.GroupKeys;
import dev.zerok.kernel.wire.ErrorCode;
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
import dev.zerok.ports.time.Clock;
import dev.zerok.ports.time.ClockProvider;
import dev.zerok.ports.transport.Endpoint;
import dev.zerok.ports.transport.Transport;
import dev.zerok.ports.transport.TransportProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The relay as a real OS process on loopback QUIC, and devices speaking the raw protocol to it:
 * handshake, Hello, push, notify, pull, refusal of a non-member; /health and /metrics reflect it.
 */
class RelayProcessTest {
    @TempDir
    static Path dir;

    static Process relay;
    static Endpoint endpoint;
    static Endpoint http;
    static byte[] relayKey;
    static KeyExchange crypto;
    static Entropy entropy;
    static Transport transport;
    static RelayProcess relayProcess;

    @BeforeAll
    static void startRelay() throws Exception {
        relayProcess = new RelayProcess(dir.resolve("relay.properties"), "listen=127.0.0.1:0\nhttp.listen=127.0.0.1:0\ndata.dir="
                + dir.resolve("data") + "\nlimits.rate.device.per.second=1000\nlimits.rate.device.burst=1000\n"
                // Every client here is 127.0.0.1: the garbage test's flood must not trip the per-source
                // limits (RelayUnderAttackTest and chaos A-RES-01 test those).
                + "transport.max.connections.per.source=1000\ntransport.handshake.rate.per.source.per.second=10000\n"
                + "transport.handshake.rate.per.source.burst=10000\n");
        relay = relayProcess.process;
        endpoint = relayProcess.endpoint;
        http = relayProcess.http;
        relayKey = relayProcess.publicKey;
        crypto = Providers.select(KeyExchangeProvider.class, "bouncycastle").open(ProviderConfig.EMPTY);
        entropy = Providers.select(EntropyProvider.class, "drbg").open(ProviderConfig.EMPTY);
        Clock clock = Providers.select(ClockProvider.class, "system").open(ProviderConfig.EMPTY);
        transport = Providers.select(TransportProvider.class, "quic").open(ProviderConfig.EMPTY, new ProviderContext(clock, entropy));
    }

    @AfterAll
    static void stopRelay() throws Exception {
        if (transport != null) {
            transport.close();
        }
        if (relayProcess != null) {
            relayProcess.close();
        }
    }

    static GroupKeys group(int seed) throws Exception {
        byte[] secret = new byte[32];
        java.util.Arrays.fill(secret, (byte) seed);
        return GroupKeys.derive(crypto, Secret.adopt(secret));
    }

    static String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://" + http + path)).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }

    static double metric(String text, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + name + " ([0-9.eE+]+)$").matcher(text);
        assertThat(m.find()).as("metric %s in\n%s", name, text).isTrue();
        return Double.parseDouble(m.group(1));
    }

    static long health(String json, String field) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"" + field + "\":([0-9]+)").matcher(json);
        assertThat(m.find()).as("field %s in %s", field, json).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void blobPastItsTtl_nextWelcome_carriesOldestCursorPastIt() throws Exception {
        GroupKeys group = group(21);
        Cursor pushed;
        try (RawDevice alice = new RawDevice(transport, endpoint, relayKey, crypto, entropy)) {
            assertThat(alice.hello(crypto, group)).isInstanceOfSatisfying(Message.Welcome.class,
                    w -> assertThat(w.oldestCursor()).as("a group without blobs").isEqualTo(new Cursor(1)));
            alice.send(new Message.Push(new BlobId(entropy.bytes(16)), 1, entropy.bytes(100)));
            pushed = ((Message.PushAck) alice.receive(Duration.ofSeconds(10))).cursor();
        }

        // The 1 s TTL runs on the relay's system clock: poll with a deadline, one new session each time.
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        Message.Welcome later;
        do {
            java.util.concurrent.locks.LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
            try (RawDevice bob = new RawDevice(transport, endpoint, relayKey, crypto, entropy)) {
                later = (Message.Welcome) bob.hello(crypto, group);
            }
        } while (!later.oldestCursor().isAfter(pushed) && System.nanoTime() < deadline);

        assertThat(later.head()).isEqualTo(pushed);
        assertThat(later.oldestCursor()).as("the only blob expired: head + 1").isEqualTo(pushed.next());
    }

    @Test
    void twoDevices_pushNotifyPull_throughARelayProcess() throws Exception {
        String metricsBefore = get("/metrics");
        String healthBefore = get("/health");
        GroupKeys group = group(7);
        try (RawDevice alice = new RawDevice(transport, endpoint, relayKey, crypto, entropy);
                RawDevice bob = new RawDevice(transport, endpoint, relayKey, crypto, entropy)) {
            assertThat(alice.hello(crypto, group)).isInstanceOf(Message.Welcome.class);
            Message welcome = bob.hello(crypto, group);
            assertThat(welcome).isInstanceOf(Message.Welcome.class);
            Cursor start = ((Message.Welcome) welcome).head();

            BlobId blob = new BlobId(entropy.bytes(16));
            byte[] sealed = entropy.bytes(7919);
            alice.send(new Message.Push(blob, 3600, sealed));
            Message ack = alice.receive(Duration.ofSeconds(10));
            Message notify = bob.receive(Duration.ofSeconds(10));
            bob.send(new Message.Pull(start, 100, 1 << 20));
            Message page = bob.receive(Duration.ofSeconds(10));

            assertThat(ack).isInstanceOfSatisfying(Message.PushAck.class, a -> assertThat(a.cursor().isAfter(start)).isTrue());
            Cursor cursor = ((Message.PushAck) ack).cursor();
            assertThat(notify).isEqualTo(new Message.Notify(cursor));
            assertThat(page).isEqualTo(new Message.PullResponse(
                    List.of(new Message.PulledBlob(cursor, blob, alice.deviceId, sealed)), false));

            alice.send(new Message.Push(blob, 3600, sealed));
            assertThat(alice.receive(Duration.ofSeconds(10))).as("a repeated push is idempotent").isEqualTo(ack);
        }
        String health = get("/health");
        assertThat(health).contains("\"status\":\"ok\"");
        assertThat(health(health, "total_blobs") - health(healthBefore, "total_blobs")).isEqualTo(1);
        assertThat(health(health, "storage_bytes") - health(healthBefore, "storage_bytes")).isEqualTo(7919);
        assertThat(health(health, "groups_with_data") - health(healthBefore, "groups_with_data")).isEqualTo(1);
        String metrics = get("/metrics");
        assertThat(metric(metrics, "zerok_relay_pushes_total") - metric(metricsBefore, "zerok_relay_pushes_total")).isEqualTo(2);
        assertThat(metric(metrics, "zerok_relay_blobs_stored_total") - metric(metricsBefore, "zerok_relay_blobs_stored_total")).isEqualTo(1);
        assertThat(metric(metrics, "zerok_relay_pulls_total") - metric(metricsBefore, "zerok_relay_pulls_total")).isEqualTo(1);
        assertThat(metric(metrics, "zerok_relay_blobs_served_total") - metric(metricsBefore, "zerok_relay_blobs_served_total")).isEqualTo(1);
        assertThat(metric(metrics, "zerok_relay_connections_total") - metric(metricsBefore, "zerok_relay_connections_total")).isEqualTo(2);
        assertThat(metric(metrics, "zerok_relay_bytes_received_total") - metric(metricsBefore, "zerok_relay_bytes_received_total")).isEqualTo(15838);
        assertThat(metric(metrics, "zerok_relay_bytes_sent_total") - metric(metricsBefore, "zerok_relay_bytes_sent_total")).isEqualTo(7919);
        assertThat(metric(metrics, "zerok_relay_storage_blobs")).isEqualTo(health(health, "total_blobs"));
    }

    @Test
    void relayLogAtTrace_afterAFullSync_containsNoIdsSizesOrPayloadBytes() throws Exception {
        GroupKeys group = group(11);
        BlobId blob = new BlobId(entropy.bytes(16));
        byte[] sealed = entropy.bytes(6173);
        List<String> secrets = new java.util.ArrayList<>();
        try (RawDevice alice = new RawDevice(transport, endpoint, relayKey, crypto, entropy);
                RawDevice bob = new RawDevice(transport, endpoint, relayKey, crypto, entropy)) {
            alice.hello(crypto, group);
            bob.hello(crypto, group);
            alice.send(new Message.Push(blob, 60, sealed));
            alice.receive(Duration.ofSeconds(10));
            bob.receive(Duration.ofSeconds(10));
            bob.send(new Message.Pull(Cursor.ZERO, 10, 1 << 20));
            bob.receive(Duration.ofSeconds(10));
            secrets.add(alice.deviceId.hex());
            secrets.add(bob.deviceId.hex());
        }
        secrets.add(group.groupId().hex());
        secrets.add(blob.hex());
        secrets.add(HexFormat.of().formatHex(sealed, 0, 12));
        secrets.add(java.util.Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(sealed, 12)));
        secrets.add("6173");
        String log = relayProcess.log().toLowerCase(java.util.Locale.ROOT);
        assertThat(log).as("the relay logged at TRACE").contains("connection");
        for (String s : secrets) {
            assertThat(log).doesNotContain(s.toLowerCase(java.util.Locale.ROOT));
        }
    }

    @Test
    void garbage_randomDatagramsRandomFramesHalfOpenHandshakesOversizeFrames_neverStopALegitimateClient() throws Exception {
        // 1. random UDP datagrams straight at the QUIC port
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket()) {
            java.net.InetSocketAddress target = new java.net.InetSocketAddress(endpoint.host(), endpoint.port());
            for (int i = 0; i < 2000; i++) {
                byte[] junk = entropy.bytes(1 + (int) entropy.nextLong(1400));
                socket.send(new java.net.DatagramPacket(junk, junk.length, target));
            }
        }
        // 2. valid QUIC connections that send random bytes instead of a Noise handshake
        for (int i = 0; i < 20; i++) {
            var channel = transport.connect(endpoint, new dev.zerok.ports.transport.ChannelHandler() {
                @Override
                public void onMessage(byte[] message) {}

                @Override
                public void onClosed(java.util.Optional<dev.zerok.ports.transport.TransportException> cause) {}
            }).toCompletableFuture().get(10, TimeUnit.SECONDS);
            channel.send(entropy.bytes(1 + (int) entropy.nextLong(3000)));
        }
        // 3. 200 half-open handshakes: message 1 sent, never finished. Below the default cap of 256
        // unauthenticated sessions on purpose: beyond it the relay refuses newcomers until the hello
        // deadline frees the stalled ones (RelayUnderAttackTest and chaos A-RES-01 cover that).
        List<dev.zerok.ports.transport.Channel> halfOpen = new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++) {
            var hs = dev.zerok.kernel.noise.HybridHandshake.initiator(crypto, entropy,
                    StaticIdentity.generate(crypto.dh("25519"), entropy), relayKey);
            var channel = transport.connect(endpoint, new dev.zerok.ports.transport.ChannelHandler() {
                @Override
                public void onMessage(byte[] message) {}

                @Override
                public void onClosed(java.util.Optional<dev.zerok.ports.transport.TransportException> cause) {}
            }).toCompletableFuture().get(10, TimeUnit.SECONDS);
            channel.send(hs.writeMessage(new byte[0]));
            halfOpen.add(channel);
        }

        // 4. an authenticated session whose decrypted stream announces a 4 GiB frame
        for (int i = 0; i < 5; i++) {
            java.util.concurrent.BlockingQueue<byte[]> replies = new java.util.concurrent.LinkedBlockingQueue<>();
            java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
            var hs = dev.zerok.kernel.noise.HybridHandshake.initiator(crypto, entropy,
                    StaticIdentity.generate(crypto.dh("25519"), entropy), relayKey);
            var channel = transport.connect(endpoint, new dev.zerok.ports.transport.ChannelHandler() {
                @Override
                public void onMessage(byte[] message) {
                    replies.add(message);
                }

                @Override
                public void onClosed(java.util.Optional<dev.zerok.ports.transport.TransportException> cause) {
                    closed.countDown();
                }
            }).toCompletableFuture().get(10, TimeUnit.SECONDS);
            channel.send(hs.writeMessage(new byte[0]));
            hs.readMessage(replies.poll(10, TimeUnit.SECONDS));
            channel.send(hs.writeMessage(new byte[0]));
            var session = hs.split();
            channel.send(session.encrypt(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff}));

            assertThat(closed.await(15, TimeUnit.SECONDS)).as("the relay closes a session announcing an oversize frame").isTrue();
        }

        GroupKeys group = group(12);
        try (RawDevice device = new RawDevice(transport, endpoint, relayKey, crypto, entropy)) {
            assertThat(device.hello(crypto, group)).isInstanceOf(Message.Welcome.class);
            device.send(new Message.Push(new BlobId(entropy.bytes(16)), 60, new byte[] {1, 2, 3}));
            assertThat(device.receive(Duration.ofSeconds(10))).isInstanceOf(Message.PushAck.class);
        }
        assertThat(relay.isAlive()).isTrue();
        assertThat(get("/health")).contains("\"status\":\"ok\"");
        halfOpen.forEach(dev.zerok.ports.transport.Channel::close);
    }

    @Test
    void deviceThatKnowsOnlyTheGroupId_isRefusedUnknownGroup() throws Exception {
        GroupKeys member = group(8);
        GroupKeys impostor = group(9);
        try (RawDevice device = new RawDevice(transport, endpoint, relayKey, crypto, entropy)) {
            // A valid signature, but by a key that does not hash to the claimed group id.
            var proof = dev.zerok.kernel.noise.MembershipProof.create(crypto.signer("Ed25519"), impostor.signingKey(),
                    member.groupId(), new byte[32]).encode();
            device.send(new Message.Hello(1, device.deviceId, member.groupId(), proof));

            assertThat(device.receive(Duration.ofSeconds(10))).isInstanceOfSatisfying(Message.Error.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_GROUP));
            assertThat(device.awaitClosed(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(get("/metrics")).containsPattern("zerok_relay_errors_total [1-9]");
    }
}
