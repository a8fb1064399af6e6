package dev.zerok.chaos.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.chaos.proxy.Direction;
import dev.zerok.chaos.proxy.FaultProfile;
import dev.zerok.chaos.proxy.UdpFaultProxy;
import dev.zerok.client.ClientComponent;
import dev.zerok.client.ClientSettings;
import dev.zerok.client.CollectionSummary;
import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import dev.zerok.client.RelayAddress;
import dev.zerok.client.TransferProgress;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.relayapp.RelayConfig;
import dev.zerok.relayapp.RelayServer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seed 000 section 8.2, content collection integrity, on the real stack: a relay (in-process,
 * real QUIC and SQLite), devices with their chunk stores, and the UDP fault proxy between the
 * pulling device and the relay. These scenarios exercise the content layer of the device
 * (dev.zerok.client.Device), which the Topology's devices (raw sync clients) do not have, so they
 * run on this real harness only; docs/CHAOS.md says so.
 */
@Tag("real")
class CollectionScenariosTest {
    private static final int CHUNKS = 10;

    @TempDir
    Path dir;

    private RelayServer relay;
    private ClientComponent tools;
    private byte[] secret;
    private byte[] relayKey;
    private Path source;

    @BeforeEach
    void setUp() throws Exception {
        relay = RelayServer.start(RelayConfig.of(Map.of("listen", "127.0.0.1:0", "http.listen", "127.0.0.1:0",
                "data.dir", dir.resolve("relay").toString())));
        tools = ClientComponent.create(ClientSettings.defaults(dir.resolve("tools")));
        secret = tools.entropy().bytes(32);
        relayKey = StaticIdentity.decodePublic(HexFormat.of().parseHex(relay.publicKeyHex()));
        source = dir.resolve("ten.bin");
        byte[] data = new byte[CHUNKS << 20];
        new SplittableRandom(10).nextBytes(data);
        Files.write(source, data);
    }

    @AfterEach
    void tearDown() {
        relay.close();
        tools.transport().close();
    }

    private Device device(String name, String relayAddress) throws Exception {
        return Device.open(dir.resolve(name), StaticIdentity.generate(tools.keyExchange().dh("25519"), tools.entropy()),
                Secret.copyOf(secret), List.of(new RelayAddress(relayAddress, relayKey)));
    }

    private String relayAddress() {
        return relay.endpoint().host() + ":" + relay.endpoint().port();
    }

    private void pushTenChunks() throws Exception {
        try (Device a = device("a", relayAddress())) {
            assertThat(a.pushPath(source, TransferProgress.NONE).chunksQueued()).isEqualTo(CHUNKS);
            a.awaitSynced(Duration.ofSeconds(60));
        }
    }

    @Test
    void C_COLL_01_connectionCutAfterThreeOfTenChunks_partialNeverShown_resumesFromTheFourth() throws Exception {
        pushTenChunks();
        try (UdpFaultProxy proxy = UdpFaultProxy.builder(new InetSocketAddress("127.0.0.1", relay.endpoint().port()))
                .seed(101).profile(Direction.DOWN, FaultProfile.NONE.withBandwidth(1_000_000)).start();
                Device b = device("b", "127.0.0.1:" + proxy.listenAddress().getPort())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (storedChunks() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            proxy.partition();
            long atCut = b.chunksReceived();
            long stored = storedChunks();
            assertThat(stored).as("chunks stored when the link was cut").isBetween(3L, (long) CHUNKS - 1);
            assertThat(b.collections()).as("a partial collection is never listed").isEmpty();
            Thread.sleep(2_000);

            proxy.resetProfiles();
            proxy.heal();
            b.awaitSynced(Duration.ofSeconds(90));
            long afterCut = b.chunksReceived() - atCut;
            // Resumed: the chunks not stored at the cut, plus at most the page in flight then.
            assertThat(afterCut).isBetween((long) CHUNKS - stored, (long) CHUNKS - stored + 2);
            CollectionSummary summary = b.collections().getFirst();
            assertThat(summary.complete()).isTrue();
            b.materialize(summary.id(), dir.resolve("out"), TransferProgress.NONE);
            assertThat(dir.resolve("out/ten.bin")).hasSameBinaryContentAs(source);
        }
    }

    @Test
    void C_COLL_02_chunkDeletedFromRelayDuringSync_collectionIncomplete_cleanErrorNoCrash() throws Exception {
        pushTenChunks();
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("relay/relay.db"));
                PreparedStatement delete = db.prepareStatement("DELETE FROM relay_blob WHERE cursor = 4")) {
            db.createStatement().execute("PRAGMA busy_timeout = 5000");
            assertThat(delete.executeUpdate()).isEqualTo(1);
        }
        try (Device b = device("b", relayAddress())) {
            b.awaitSynced(Duration.ofSeconds(60));
            CollectionSummary summary = b.collections().getFirst();
            assertThat(summary.complete()).isFalse();
            assertThat(summary.chunksPresent()).isEqualTo(CHUNKS - 1);
            assertThatThrownBy(() -> b.materialize(summary.id(), dir.resolve("out"), TransferProgress.NONE))
                    .isInstanceOf(DeviceException.class)
                    .hasMessageContaining("missing 1 of 10 chunks")
                    .extracting(e -> ((DeviceException) e).code()).isEqualTo(DeviceException.Code.INCOMPLETE);
            assertThat(dir.resolve("out/ten.bin")).doesNotExist();
            assertThat(b.status().kind()).isEqualTo(dev.zerok.kernel.sync.SyncStatus.Kind.SYNCED);
        }
    }

    private long storedChunks() throws Exception {
        Path objects = dir.resolve("b/chunks/objects");
        if (!Files.isDirectory(objects)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(objects)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }
}
