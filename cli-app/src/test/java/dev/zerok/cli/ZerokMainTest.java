package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line without a relay: identity, relays, pairing, JSON output and exit codes. */
class ZerokMainTest {
    private static final String RELAY_KEY = "01" + "cd".repeat(32);

    @TempDir
    Path dir;

    private CliRun.Result zerok(String... args) {
        return CliRun.run(dir, args);
    }

    private String home(String name) {
        return dir.resolve(name).toString();
    }

    /** Device A with a relay and an invite; returns the --json result of pair --create. */
    private JsonNode createInvite() {
        assertThat(zerok("--home", home("a"), "init", "--name", "alice").exitCode()).isZero();
        assertThat(zerok("--home", home("a"), "relays", "add", "127.0.0.1:7443", "--key", RELAY_KEY).exitCode()).isZero();
        CliRun.Result created = zerok("--home", home("a"), "--json", "pair", "--create", "--expires", "1h");
        assertThat(created.exitCode()).as(created.err()).isZero();
        return created.json();
    }

    @Test
    void help_listsCommandsAndExitCodes() {
        CliRun.Result help = zerok("--help");

        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("init", "relays", "pair", "push", "pull", "status", "devices", "relay")
                .contains("3  push queued in the outbox").contains("4  no relay reachable").contains("5  pull done")
                .contains("6  a relay refused a push: the group's storage quota there is full")
                .contains("7  status: failed").contains("status exits 0 synced, 3 pending or connected, 4 offline");
    }

    @Test
    void unknownOption_isUsageErrorTwo_withOneLine() {
        CliRun.Result result = zerok("init", "--nmae", "x");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("zerok: ").contains("--nmae");
    }

    @Test
    void noCommand_isUsageError() {
        assertThat(zerok().exitCode()).isEqualTo(2);
    }

    @Test
    void init_twice_secondFailsWithExitOne_andJsonError() {
        CliRun.Result first = zerok("--home", home("a"), "--json", "init", "--name", "alice");
        assertThat(first.exitCode()).isZero();
        assertThat(first.json().get("name").asText()).isEqualTo("alice");
        assertThat(first.json().get("device_id").asText()).hasSize(64);

        CliRun.Result second = zerok("--home", home("a"), "--json", "init");
        assertThat(second.exitCode()).isEqualTo(1);
        assertThat(second.err()).startsWith("zerok: ").contains("already exists").doesNotContain("Exception");
        assertThat(second.json().get("exit_code").asInt()).isEqualTo(1);
        assertThat(second.json().get("error").asText()).contains("never overwritten");
    }

    @Test
    void globalOptions_workBeforeAndAfterTheCommand() {
        assertThat(zerok("init", "--home", home("a"), "--name", "x").exitCode()).isZero();
        assertThat(zerok("--home", home("a"), "relays", "list", "--json").json().get("relays").size()).isZero();
    }

    @Test
    void relays_addListRemove_keepPreferenceOrder() {
        zerok("--home", home("a"), "init");
        assertThat(zerok("--home", home("a"), "relays", "add", "b.example:7443", "--key", RELAY_KEY).exitCode()).isZero();
        assertThat(zerok("--home", home("a"), "relays", "add", "a.example:7443", "--key", RELAY_KEY).exitCode()).isZero();

        JsonNode list = zerok("--home", home("a"), "--json", "relays", "list").json();
        assertThat(list.get("relays").get(0).get("address").asText()).isEqualTo("b.example:7443");
        assertThat(list.get("relays").get(1).get("key").asText()).isEqualTo(RELAY_KEY);

        CliRun.Result duplicate = zerok("--home", home("a"), "relays", "add", "b.example:7443", "--key", RELAY_KEY);
        assertThat(duplicate.exitCode()).isEqualTo(1);
        assertThat(duplicate.err()).contains("already configured");

        assertThat(zerok("--home", home("a"), "relays", "remove", "b.example:7443").exitCode()).isZero();
        assertThat(zerok("--home", home("a"), "--json", "relays", "list").json().get("relays")).hasSize(1);
        assertThat(zerok("--home", home("a"), "relays", "remove", "b.example:7443").exitCode()).isEqualTo(1);
    }

    @Test
    void relaysAdd_badKeyOrPort_failsWithOneLine() {
        zerok("--home", home("a"), "init");

        CliRun.Result badKey = zerok("--home", home("a"), "relays", "add", "h:1", "--key", "01abc");
        assertThat(badKey.exitCode()).isEqualTo(1);
        assertThat(badKey.err()).isEqualTo("zerok: --key must be 66 hex digits (the relay's 'relay public key (pin this)' line), got 5 characters"
                + System.lineSeparator());
        CliRun.Result badPort = zerok("--home", home("a"), "relays", "add", "h:70000", "--key", RELAY_KEY);
        assertThat(badPort.exitCode()).isEqualTo(1);
        assertThat(badPort.err()).contains("invalid port '70000'");
    }

    @Test
    void pairCreate_withoutRelay_failsAndCreatesNoGroup() {
        zerok("--home", home("a"), "init");

        CliRun.Result result = zerok("--home", home("a"), "pair", "--create");
        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("relays add");
        assertThat(dir.resolve("a/group.key")).doesNotExist();
    }

    @Test
    void pairCreate_thenJoin_sharesTheGroupSecretAndRelays() throws Exception {
        JsonNode invite = createInvite();
        assertThat(invite.get("invite").asText()).startsWith("zerok-invite-1:");
        assertThat(invite.get("group_created").asBoolean()).isTrue();
        zerok("--home", home("b"), "init", "--name", "bob");
        Path codeFile = Files.writeString(dir.resolve("code.txt"), invite.get("code").asText() + "\n");

        CliRun.Result joined = zerok("--home", home("b"), "--json", "pair", "--join", invite.get("invite").asText(),
                "--code-file", codeFile.toString());

        assertThat(joined.exitCode()).as(joined.err()).isZero();
        assertThat(joined.json().get("joined").asBoolean()).isTrue();
        assertThat(Files.readAllBytes(dir.resolve("b/group.key"))).isEqualTo(Files.readAllBytes(dir.resolve("a/group.key")));
        JsonNode relays = zerok("--home", home("b"), "--json", "relays", "list").json().get("relays");
        assertThat(relays).hasSize(1);
        assertThat(relays.get(0).get("key").asText()).isEqualTo(RELAY_KEY);

        // A second invite reuses the group.
        CliRun.Result again = zerok("--home", home("a"), "--json", "pair", "--create");
        assertThat(again.json().get("group_created").asBoolean()).isFalse();
    }

    @Test
    void pairCreate_textOutput_printsInviteCodeAndQr() {
        zerok("--home", home("a"), "init");
        zerok("--home", home("a"), "relays", "add", "127.0.0.1:7443", "--key", RELAY_KEY);

        CliRun.Result created = zerok("--home", home("a"), "pair", "--create");

        assertThat(created.exitCode()).isZero();
        assertThat(created.out()).contains("zerok pair --join zerok-invite-1:").containsPattern("\n  [0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}\n")
                .contains("\u2588");
    }

    @Test
    void pairJoin_wrongCode_failsWithExitOneAndWritesNothing() throws Exception {
        JsonNode invite = createInvite();
        zerok("--home", home("b"), "init");
        byte[] propertiesBefore = Files.readAllBytes(dir.resolve("b/device.properties"));
        String code = invite.get("code").asText();
        String wrong = (code.charAt(0) == '0' ? "1" : "0") + code.substring(1);
        Path codeFile = Files.writeString(dir.resolve("code.txt"), wrong);

        CliRun.Result joined = zerok("--home", home("b"), "pair", "--join", invite.get("invite").asText(),
                "--code-file", codeFile.toString());

        assertThat(joined.exitCode()).isEqualTo(1);
        assertThat(joined.err()).startsWith("zerok: cannot open the invite").contains("TAMPERED_OR_WRONG_CODE");
        assertThat(dir.resolve("b/group.key")).doesNotExist();
        assertThat(Files.readAllBytes(dir.resolve("b/device.properties"))).isEqualTo(propertiesBefore);
    }

    @Test
    void pairJoin_noCodeFileAndNoConsole_failsWithoutPrompting() {
        JsonNode invite = createInvite();
        zerok("--home", home("b"), "init");

        CliRun.Result joined = zerok("--home", home("b"), "pair", "--join", invite.get("invite").asText());

        assertThat(joined.exitCode()).isEqualTo(1);
        assertThat(joined.err()).contains("no terminal").contains("--code-file");
        assertThat(dir.resolve("b/group.key")).doesNotExist();
    }

    @Test
    void pairJoin_codeAsArgument_isNotAnOption() {
        JsonNode invite = createInvite();
        zerok("--home", home("b"), "init");

        CliRun.Result joined = zerok("--home", home("b"), "pair", "--join", invite.get("invite").asText(),
                "--code", invite.get("code").asText());

        assertThat(joined.exitCode()).isEqualTo(2);
        assertThat(dir.resolve("b/group.key")).doesNotExist();
    }

    @Test
    void pairJoin_afterExpiry_fails() throws Exception {
        JsonNode invite = createInvite();
        zerok("--home", home("b"), "init");
        Path codeFile = Files.writeString(dir.resolve("code.txt"), invite.get("code").asText());
        Clock later = Clock.fixed(Instant.now().plus(Duration.ofHours(2)), ZoneOffset.UTC);

        CliRun.Result joined = CliRun.run(dir, later, "--home", home("b"), "pair", "--join",
                invite.get("invite").asText(), "--code-file", codeFile.toString());

        assertThat(joined.exitCode()).isEqualTo(1);
        assertThat(joined.err()).contains("EXPIRED");
        assertThat(dir.resolve("b/group.key")).doesNotExist();
    }

    @Test
    void pairJoin_withoutInit_tellsToRunInit() {
        JsonNode invite = createInvite();

        CliRun.Result joined = zerok("--home", home("b"), "pair", "--join", invite.get("invite").asText());

        assertThat(joined.exitCode()).isEqualTo(1);
        assertThat(joined.err()).contains("zerok init");
    }

    @Test
    void push_beforePairing_failsWithExitOne() {
        zerok("--home", home("a"), "init");

        CliRun.Result push = zerok("--home", home("a"), "--json", "push", "hi");

        assertThat(push.exitCode()).isEqualTo(1);
        assertThat(push.json().get("error").asText()).contains("not in a sync group");
    }

    @Test
    void push_twoSources_isUsageError() throws Exception {
        createInvite();
        Path file = Files.writeString(dir.resolve("f.txt"), "x");

        assertThat(zerok("--home", home("a"), "push", "hi", "--file", file.toString()).exitCode()).isEqualTo(2);
        assertThat(zerok("--home", home("a"), "push").exitCode()).isEqualTo(2);
    }

    @Test
    void badDuration_isUsageError() {
        assertThat(zerok("--home", home("a"), "pull", "--wait", "soon").exitCode()).isEqualTo(2);
    }
}
