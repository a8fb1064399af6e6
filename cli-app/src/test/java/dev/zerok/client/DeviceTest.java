package dev.zerok.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import dev.zerok.relayapp.RelayConfig;
import dev.zerok.relayapp.RelayServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two devices syncing through an in-process relay over real QUIC on loopback. */
class DeviceTest {
    @TempDir
    Path dir;

    private RelayServer relay;
    private ClientComponent tools;
    private byte[] groupSecret;

    @BeforeEach
    void startRelay() throws Exception {
        relay = RelayServer.start(RelayConfig.of(Map.of("listen", "127.0.0.1:0", "http.listen", "127.0.0.1:0",
                "data.dir", dir.resolve("relay").toString())));
        tools = ClientComponent.create(ClientSettings.defaults(dir.resolve("tools")));
        groupSecret = tools.entropy().bytes(32);
    }

    @AfterEach
    void stopRelay() {
        relay.close();
        tools.transport().close();
    }

    private Device device(String name) throws Exception {
        KeyExchange crypto = tools.keyExchange();
        Entropy entropy = tools.entropy();
        KeyPair identity = StaticIdentity.generate(crypto.dh("25519"), entropy);
        byte[] relayKey = StaticIdentity.decodePublic(HexFormat.of().parseHex(relay.publicKeyHex()));
        return Device.open(dir.resolve(name), identity, Secret.copyOf(groupSecret),
                List.of(new RelayAddress(relay.endpoint().host() + ":" + relay.endpoint().port(), relayKey)));
    }

    @Test
    void pushData_thenPullOnOtherDevice_dataArrives() throws Exception {
        try (Device a = device("a"); Device b = device("b")) {
            a.pushData("hello".getBytes(StandardCharsets.UTF_8));
            a.awaitSynced(Duration.ofSeconds(20));
            b.awaitSynced(Duration.ofSeconds(20));
            assertThat(b.received()).singleElement().satisfies(r -> {
                assertThat(new String(r.data(), StandardCharsets.UTF_8)).isEqualTo("hello");
                assertThat(r.sender()).isEqualTo(a.id());
                assertThat(r.sequence()).isEqualTo(1);
            });
        }
    }

    @Test
    void pushPath_directory_materializesIdenticalTree_andSecondPushDeduplicates() throws Exception {
        Path src = dir.resolve("src/tree");
        Files.createDirectories(src.resolve("sub/empty"));
        Random random = new Random(7);
        byte[] big = new byte[2 * 1024 * 1024 + 123];
        random.nextBytes(big);
        Files.write(src.resolve("big.bin"), big);
        Files.write(src.resolve("sub/small.txt"), "small".getBytes(StandardCharsets.UTF_8));
        Files.write(src.resolve("sub/same.bin"), java.util.Arrays.copyOf(big, 1024 * 1024)); // same as big's first chunk
        Files.write(src.resolve("zero"), new byte[0]);
        try (Device a = device("a"); Device b = device("b")) {
            PushReceipt receipt = a.pushPath(src, TransferProgress.NONE);
            assertThat(receipt.files()).isEqualTo(4);
            assertThat(receipt.chunksQueued()).isEqualTo(4); // big: 3, small: 1, same: deduplicated
            assertThat(receipt.chunksDeduplicated()).isEqualTo(1);
            a.awaitSynced(Duration.ofSeconds(30));
            b.awaitSynced(Duration.ofSeconds(30));
            CollectionSummary summary = b.collections().getFirst();
            assertThat(summary.complete()).isTrue();
            assertThat(summary.name()).isEqualTo("tree");
            Path out = dir.resolve("out");
            MaterializeResult result = b.materialize(summary.id(), out, TransferProgress.NONE);
            assertThat(result.files()).isEqualTo(4);
            assertSameTree(src, out.resolve("tree"));

            PushReceipt again = a.pushPath(src, TransferProgress.NONE);
            assertThat(again.chunksQueued()).isZero();
            assertThat(again.chunksDeduplicated()).isEqualTo(5);
        }
    }

    @Test
    void materialize_chunkRottedOnDisk_reportsVerifyFailedAndCollectionBecomesIncomplete() throws Exception {
        Path src = dir.resolve("one.bin");
        Files.write(src, new byte[5000]);
        try (Device a = device("a"); Device b = device("b")) {
            a.pushPath(src, TransferProgress.NONE);
            a.awaitSynced(Duration.ofSeconds(20));
            b.awaitSynced(Duration.ofSeconds(20));
            try (Stream<Path> files = Files.walk(dir.resolve("b/chunks/objects"))) {
                Path chunk = files.filter(Files::isRegularFile).findFirst().orElseThrow();
                byte[] bytes = Files.readAllBytes(chunk);
                bytes[100] ^= 1;
                Files.write(chunk, bytes);
            }
            CollectionSummary summary = b.collections().getFirst();
            assertThatThrownBy(() -> b.materialize(summary.id(), dir.resolve("out"), TransferProgress.NONE))
                    .isInstanceOf(DeviceException.class)
                    .extracting(e -> ((DeviceException) e).code()).isEqualTo(DeviceException.Code.VERIFY_FAILED);
            assertThat(b.collections().getFirst().complete()).isFalse();
            assertThat(dir.resolve("out/one.bin")).doesNotExist();
        }
    }

    @Test
    void awaitSynced_relayDown_failsWithAllRelaysFailed() throws Exception {
        relay.close();
        try (Device a = device("a")) {
            assertThatThrownBy(() -> a.awaitSynced(Duration.ofSeconds(30)))
                    .isInstanceOf(DeviceException.class)
                    .extracting(e -> ((DeviceException) e).code()).isEqualTo(DeviceException.Code.ALL_RELAYS_FAILED);
        }
    }

    static void assertSameTree(Path expected, Path actual) throws IOException {
        try (Stream<Path> walk = Files.walk(expected)) {
            for (Path p : walk.toList()) {
                Path other = actual.resolve(expected.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    assertThat(other).isDirectory();
                } else {
                    assertThat(Files.readAllBytes(other)).as(p.toString()).isEqualTo(Files.readAllBytes(p));
                }
            }
        }
        try (Stream<Path> walk = Files.walk(actual)) {
            assertThat(walk.count()).isEqualTo(Files.walk(expected).count());
        }
    }
}
