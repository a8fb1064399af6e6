package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerok.relayapp.RelayConfig;
import dev.zerok.relayapp.RelayServer;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two devices driven only through {@code zerok} commands, syncing through an in-process relay over QUIC. */
class ZerokEndToEndTest {
    @TempDir
    Path dir;

    private RelayServer relay;
    private String relayAddress;

    @BeforeEach
    void startRelay() throws Exception {
        relay = RelayServer.start(RelayConfig.of(Map.of("listen", "127.0.0.1:0", "http.listen", "127.0.0.1:0",
                "data.dir", dir.resolve("relay").toString())));
        relayAddress = relay.endpoint().host() + ":" + relay.endpoint().port();
    }

    @AfterEach
    void stopRelay() {
        relay.close();
    }

    private CliRun.Result zerok(String home, String... args) {
        String[] all = Stream.concat(Stream.of("--home", dir.resolve(home).toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(dir, all);
    }

    private static CliRun.Result ok(CliRun.Result result) {
        assertThat(result.exitCode()).as("stderr: %s", result.err()).isZero();
        return result;
    }

    /** Pairs devices a and b through the CLI; the code travels in a file. */
    private void pair() throws IOException {
        ok(zerok("a", "init", "--name", "alice"));
        ok(zerok("b", "init", "--name", "bob"));
        ok(zerok("a", "relays", "add", relayAddress, "--key", relay.publicKeyHex()));
        JsonNode invite = ok(zerok("a", "--json", "pair", "--create")).json();
        Path codeFile = Files.writeString(dir.resolve("code"), invite.get("code").asText());
        ok(zerok("b", "pair", "--join", invite.get("invite").asText(), "--code-file", codeFile.toString()));
    }

    @Test
    void pushText_thenPullOnOtherDevice_textAppears() throws Exception {
        pair();

        CliRun.Result push = ok(zerok("a", "--json", "push", "hello from alice"));
        assertThat(push.json().get("acknowledged").asBoolean()).isTrue();

        JsonNode pulled = ok(zerok("b", "--json", "pull")).json();
        assertThat(pulled.get("data")).hasSize(1);
        assertThat(pulled.get("data").get(0).get("text").asText()).isEqualTo("hello from alice");
        String aliceId = ok(zerok("a", "--json", "status")).json().get("device_id").asText();
        assertThat(pulled.get("data").get(0).get("sender").asText()).isEqualTo(aliceId);

        JsonNode devices = ok(zerok("b", "--json", "devices")).json();
        assertThat(devices.get("this_device").get("name").asText()).isEqualTo("bob");
        assertThat(devices.get("senders").findValuesAsText("id")).contains(aliceId);
        assertThat(ok(zerok("b", "pull")).out()).as("pull prints only what is new").doesNotContain("hello from alice");
        assertThat(ok(zerok("b", "pull", "--all")).out()).contains("hello from alice");
    }

    @Test
    void pushDir_thenPullInto_filesIdentical() throws Exception {
        pair();
        Path tree = dir.resolve("src/photos");
        Files.createDirectories(tree.resolve("2024/empty"));
        byte[] big = new byte[1_500_000];
        new Random(11).nextBytes(big);
        Files.write(tree.resolve("2024/big.bin"), big);
        Files.writeString(tree.resolve("notes.txt"), "zerok\n");
        Files.write(tree.resolve("zero"), new byte[0]);

        JsonNode push = ok(zerok("a", "--json", "push", "--dir", tree.toString())).json();
        assertThat(push.get("published").asInt()).isEqualTo(5); // 3 files, 2 directories
        Path out = dir.resolve("out");
        JsonNode pulled = ok(zerok("b", "--json", "pull", "--into", out.toString())).json();

        assertThat(pulled.get("folders").get(0).get("written").asInt()).isEqualTo(5);
        assertSameTree(tree, out.resolve("photos"));
    }

    @Test
    void push_secondRelayUnreachable_queuedExitThree_andFirstRelayStillDelivers() throws Exception {
        pair();
        int deadPort;
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            deadPort = socket.getLocalPort();
        }
        ok(zerok("a", "relays", "add", "127.0.0.1:" + deadPort, "--key", "01" + "ee".repeat(32)));

        CliRun.Result push = zerok("a", "--json", "push", "fan-out", "--wait", "3s");

        assertThat(push.exitCode()).isEqualTo(3);
        assertThat(push.err()).startsWith("zerok: the push is queued in the outbox");
        assertThat(push.json().get("acknowledged").asBoolean()).isFalse();
        JsonNode pulled = ok(zerok("b", "--json", "pull")).json();
        assertThat(pulled.get("data").findValuesAsText("text")).containsExactly("fan-out");
    }

    @Test
    void push_relayDown_exitFour_andPullExitFour() throws Exception {
        pair();
        relay.close();

        CliRun.Result push = zerok("a", "push", "while offline", "--wait", "20s");

        assertThat(push.exitCode()).isEqualTo(4);
        assertThat(push.err()).startsWith("zerok: no relay reachable");
        assertThat(zerok("b", "pull", "--wait", "20s").exitCode()).isEqualTo(4);
    }

    @Test
    void status_synced_exitZero_relayDown_offlineFourThenFailedSeven() throws Exception {
        pair();
        CliRun.Result synced = zerok("a", "status");
        assertThat(synced.exitCode()).as(synced.err()).isZero();
        assertThat(synced.out()).contains("status: synced");
        relay.close();

        CliRun.Result offline = zerok("a", "status", "--wait", "0s");
        CliRun.Result failed = zerok("a", "status", "--wait", "20s");

        assertThat(offline.exitCode()).as(offline.out() + offline.err()).isEqualTo(ExitCodes.NO_RELAY);
        assertThat(offline.out()).contains("status: offline");
        assertThat(failed.exitCode()).as(failed.out() + failed.err()).isEqualTo(ExitCodes.STATUS_FAILED);
        assertThat(failed.out()).contains("status: failed");
        assertThat(failed.err()).startsWith("zerok: status: failed");
    }

    private static void assertSameTree(Path expected, Path actual) throws IOException {
        List<Path> expectedPaths;
        try (Stream<Path> walk = Files.walk(expected)) {
            expectedPaths = walk.map(expected::relativize).sorted().toList();
        }
        try (Stream<Path> walk = Files.walk(actual)) {
            assertThat(walk.map(actual::relativize).sorted().toList()).isEqualTo(expectedPaths);
        }
        for (Path relative : expectedPaths) {
            Path e = expected.resolve(relative);
            if (Files.isRegularFile(e)) {
                assertThat(Files.readAllBytes(actual.resolve(relative))).as(relative.toString()).isEqualTo(Files.readAllBytes(e));
            }
        }
    }
}
