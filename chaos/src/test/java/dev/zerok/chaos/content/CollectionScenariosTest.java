package dev.zerok.chaos.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.adapters.storage.sqlite.SqliteRelayStoreAccess;

import dev.zerok.chaos.proxy.Direction;
import dev.zerok.chaos.proxy.FaultProfile;
import dev.zerok.chaos.proxy.UdpFaultProxy;
import dev.zerok.chaos.topology.RelayCounterSource;
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

    /** Identities by device name: a device reopened from its directory keeps its identity. */
    private final Map<String, dev.zerok.ports.crypto.KeyPair> identities = new java.util.HashMap<>();

    private Device device(String name, String relayAddress) throws Exception {
        dev.zerok.ports.crypto.KeyPair identity = identities.get(name);
        if (identity == null) {
            identity = StaticIdentity.generate(tools.keyExchange().dh("25519"), tools.entropy());
            identities.put(name, identity);
        }
        return Device.open(dir.resolve(name), identity, Secret.copyOf(secret), List.of(new RelayAddress(relayAddress, relayKey)));
    }

    /** Blob entries the relay sent in pull responses so far, counted by the relay itself. */
    private long relayServed() {
        return RelayCounterSource.metric(relay.metricsText(), RelayCounterSource.BLOBS_SERVED);
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
    void C_COLL_01_connectionKilledAfterThreeOfTenChunks_incompleteKnown_resumesFromTheFourth() throws Exception {
        pushTenChunks();
        long servedBefore = relayServed();
        long stored;
        try (UdpFaultProxy proxy = UdpFaultProxy.builder(new InetSocketAddress("127.0.0.1", relay.endpoint().port()))
                .seed(101).profile(Direction.DOWN, FaultProfile.NONE.withBandwidth(1_000_000)).start()) {
            String viaProxy = "127.0.0.1:" + proxy.listenAddress().getPort();
            Device b = device("b", viaProxy);
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (storedChunks() < 3 && System.nanoTime() < deadline) {
                    Thread.sleep(10);
                }
            } finally {
                b.close(Duration.ZERO); // the kill: no flush, the connection drops with the device
            }
            stored = storedChunks();
            assertThat(stored).as("chunks stored when the connection was killed").isBetween(3L, (long) CHUNKS - 1);
            long servedAtKill = relayServed() - servedBefore;

            try (Device again = device("b", viaProxy)) {
                // Before anything more arrives: the client knows the collection is incomplete (never listed).
                assertThat(again.collections().stream().filter(CollectionSummary::complete)).isEmpty();
                again.awaitSynced(Duration.ofSeconds(90));
                CollectionSummary summary = again.collections().getFirst();
                assertThat(summary.complete()).isTrue();
                again.materialize(summary.id(), dir.resolve("out"), TransferProgress.NONE);
                assertThat(dir.resolve("out/ten.bin")).hasSameBinaryContentAs(source);
            }
            // Counted at the relay: after the restart B was served only what it had not stored, from
            // chunk stored+1 on, plus the manifest; chunks 1..stored were not served again. Slack: the
            // pages the relay had sent when the connection died but B had not stored (1 MiB chunks, one
            // per page, at most 2 in flight on the 1 MB/s link).
            long servedAfterKill = relayServed() - servedBefore - servedAtKill;
            long needed = CHUNKS - stored + 1;
            assertThat(servedAfterKill).as("blob entries served after the reconnect, for " + needed + " missing")
                    .isBetween(needed, needed + 2);
            assertThat(servedAtKill + servedAfterKill).as("blob entries served in all").isLessThanOrEqualTo(CHUNKS + 1 + 2);
        }
    }

    @Test
    void C_COLL_02_chunkAndPayloadDeletedFromRelayDuringPull_cleanPerBlobErrorNoCrashLaterBlobsArrive() throws Exception {
        pushTenChunks();
        try (UdpFaultProxy proxy = UdpFaultProxy.builder(new InetSocketAddress("127.0.0.1", relay.endpoint().port()))
                .seed(102).profile(Direction.DOWN, FaultProfile.NONE.withBandwidth(1_000_000)).start();
                Device b = device("b", "127.0.0.1:" + proxy.listenAddress().getPort())) {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (storedChunks() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // While B is pulling: delete chunk 8 (its cursor row and its payload row) from the relay's store.
            assertThat(SqliteRelayStoreAccess.deleteBlobAt(dir.resolve("relay/relay.db"), 8)).isTrue();
            assertThat(storedChunks()).as("the deletion happened during the pull").isLessThan(8);
            b.awaitSynced(Duration.ofSeconds(90));
            // The group did not stall: the chunks after the gap and the manifest (cursor 11) arrived.
            CollectionSummary summary = b.collections().getFirst();
            assertThat(summary.complete()).isFalse();
            assertThat(summary.chunksPresent()).isEqualTo(CHUNKS - 1);
            assertThat(b.chunksReceived()).isEqualTo(CHUNKS - 1);
            // A clean, per-collection error naming what is missing; no crash.
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
