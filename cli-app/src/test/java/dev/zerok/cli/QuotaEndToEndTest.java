package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.zerok.relayapp.RelayConfig;
import dev.zerok.relayapp.RelayServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A push refused by an in-process relay whose group quota ({@code store.quota.group.bytes}) is tiny. */
class QuotaEndToEndTest {
    private static final long QUOTA_BYTES = 64 * 1024;

    @TempDir
    Path dir;

    private RelayServer relay;
    private String relayAddress;

    @BeforeEach
    void startRelay() throws Exception {
        relay = RelayServer.start(RelayConfig.of(Map.of("listen", "127.0.0.1:0", "http.listen", "127.0.0.1:0",
                "data.dir", dir.resolve("relay").toString(), "store.quota.group.bytes", Long.toString(QUOTA_BYTES))));
        relayAddress = relay.endpoint().host() + ":" + relay.endpoint().port();
    }

    @AfterEach
    void stopRelay() {
        relay.close();
    }

    private CliRun.Result zerok(String... args) {
        String[] all = Stream.concat(Stream.of("--home", dir.resolve("a").toString()), Stream.of(args)).toArray(String[]::new);
        return CliRun.run(dir, all);
    }

    @Test
    void push_groupQuotaFull_quotaExitCodeAtOnce_namesRelayFiguresAndRemedy_statusToo() throws Exception {
        assertThat(zerok("init", "--name", "alice").exitCode()).isZero();
        assertThat(zerok("relays", "add", relayAddress, "--key", relay.publicKeyHex()).exitCode()).isZero();
        assertThat(zerok("pair", "--create", "--no-qr").exitCode()).isZero();
        Random random = new Random(5);
        byte[] first = new byte[40_000];
        random.nextBytes(first);
        byte[] second = new byte[40_000];
        random.nextBytes(second);
        CliRun.Result fits = zerok("push", "--file", Files.write(dir.resolve("first.bin"), first).toString());
        assertThat(fits.exitCode()).as(fits.err()).isZero();

        long startNanos = System.nanoTime();
        CliRun.Result push = zerok("--json", "push", "--file", Files.write(dir.resolve("second.bin"), second).toString(),
                "--wait", "60s");
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);

        assertThat(push.exitCode()).as(push.err()).isEqualTo(ExitCodes.QUOTA);
        Matcher figures = Pattern.compile("^zerok: the group's storage quota on " + Pattern.quote(relayAddress)
                + " is full \\((\\d+) of " + QUOTA_BYTES + " bytes\\); ").matcher(push.err());
        assertThat(figures.find()).as(push.err()).isTrue();
        assertThat(Long.parseLong(figures.group(1))).isBetween(40_000L, QUOTA_BYTES);
        assertThat(push.err()).contains("waits in the outbox").contains("store.quota.group.bytes");
        JsonNode json = push.json();
        assertThat(json.get("exit_code").asInt()).isEqualTo(ExitCodes.QUOTA);
        assertThat(took).as("fails fast instead of waiting out --wait").isLessThan(Duration.ofSeconds(30));

        CliRun.Result status = zerok("status", "--wait", "60s");
        assertThat(status.exitCode()).as(status.err()).isEqualTo(ExitCodes.QUOTA);
        assertThat(status.err()).contains("the group's storage quota on " + relayAddress + " is full");
    }
}
