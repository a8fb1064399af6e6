package dev.zerok.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DeviceHomeTest {
    private static final String KEY_HEX = "01" + "ab".repeat(32);
    private static final String HEADER = "name=phone\ncreated=2025-01-02T03:04:05Z\n";

    @TempDir
    Path dir;

    private final CliPorts ports = new CliPorts();

    private KeyPair identity() throws Exception {
        return StaticIdentity.generate(ports.crypto().dh("25519"), ports.entropy());
    }

    private DeviceHome.Profile profile(RelayEntry... relays) {
        return new DeviceHome.Profile("laptop", Instant.parse("2025-01-02T03:04:05Z"), List.of(relays));
    }

    @Test
    void resolve_optionThenEnvironmentThenUserHome() {
        Path user = Path.of("/home/u");
        assertThat(DeviceHome.resolve(Path.of("/x/h"), Map.of("ZEROK_HOME", "/env/h"), user)).isEqualTo(Path.of("/x/h"));
        assertThat(DeviceHome.resolve(null, Map.of("ZEROK_HOME", "/env/h"), user)).isEqualTo(Path.of("/env/h"));
        assertThat(DeviceHome.resolve(null, Map.of(), user)).isEqualTo(Path.of("/home/u/.zerok"));
    }

    @Test
    void create_newHome_directoryAndFilesAreOwnerOnly() throws Exception {
        Path homeDir = dir.resolve("nested/home");
        DeviceHome home = DeviceHome.at(homeDir);
        KeyPair identity = identity();
        home.create(identity, profile());
        home.writeGroupSecret(Secret.copyOf(new byte[32]));

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(homeDir))).isEqualTo("rwx------");
        for (String name : List.of(DeviceHome.IDENTITY_FILE, DeviceHome.PROPERTIES_FILE, DeviceHome.GROUP_FILE)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(homeDir.resolve(name))))
                    .as(name).isEqualTo("rw-------");
        }
        try (var files = Files.list(homeDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("device.key", "device.properties", "group.key");
        }
        assertThat(home.readIdentity(ports.crypto().dh("25519")).publicKey()).isEqualTo(identity.publicKey());
    }

    @Test
    void create_existingIdentity_refusedAndKeyUnchanged() throws Exception {
        DeviceHome home = DeviceHome.at(dir.resolve("h"));
        home.create(identity(), profile());
        byte[] before = Files.readAllBytes(dir.resolve("h/device.key"));

        assertThatThrownBy(() -> home.create(identity(), profile()))
                .isInstanceOf(CliFailure.class).hasMessageContaining("already exists");
        assertThat(Files.readAllBytes(dir.resolve("h/device.key"))).isEqualTo(before);
    }

    @Test
    void at_groupReadableDirectory_refusedWithChmodHint() throws Exception {
        Path homeDir = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(homeDir, PosixFilePermissions.fromString("rwxr-x---"));

        assertThatThrownBy(() -> DeviceHome.at(homeDir))
                .isInstanceOf(CliFailure.class)
                .hasMessageContaining("accessible by other users").hasMessageContaining("chmod 700");
    }

    @Test
    void at_pathIsAFile_refused() throws Exception {
        Path file = Files.writeString(dir.resolve("file"), "x");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

        assertThatThrownBy(() -> DeviceHome.at(file)).isInstanceOf(CliFailure.class).hasMessageContaining("not a directory");
    }

    @Test
    void readIdentity_worldReadableKeyFile_refused() throws Exception {
        DeviceHome home = DeviceHome.at(dir.resolve("h"));
        home.create(identity(), profile());
        Files.setPosixFilePermissions(dir.resolve("h/device.key"), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(() -> home.readIdentity(ports.crypto().dh("25519")))
                .isInstanceOf(CliFailure.class)
                .hasMessageContaining("device.key is accessible by other users").hasMessageContaining("chmod 600");
    }

    @Test
    void readGroupSecret_wrongLength_refused() throws Exception {
        DeviceHome home = DeviceHome.at(dir.resolve("h"));
        home.create(identity(), profile());
        home.writeGroupSecret(Secret.copyOf(new byte[31]));

        assertThatThrownBy(home::readGroupSecret).isInstanceOf(CliFailure.class).hasMessageContaining("32 bytes");
    }

    @Test
    void writeGroupSecret_twice_secondRefused() throws Exception {
        DeviceHome home = DeviceHome.at(dir.resolve("h"));
        home.create(identity(), profile());
        home.writeGroupSecret(Secret.copyOf(new byte[32]));

        assertThatThrownBy(() -> home.writeGroupSecret(Secret.copyOf(new byte[32])))
                .isInstanceOf(CliFailure.class).hasMessageContaining("already belongs to a group");
    }

    @Test
    void writeProfile_thenRead_keepsPreferenceOrderAndOddNames() throws Exception {
        DeviceHome home = DeviceHome.at(dir.resolve("h"));
        home.create(identity(), profile());
        RelayEntry first = new RelayEntry("relay-b.example:7443", new byte[32]);
        RelayEntry second = new RelayEntry("[::1]:7443", StaticIdentity.decodePublic(java.util.HexFormat.of().parseHex(KEY_HEX)));
        DeviceHome.Profile written = new DeviceHome.Profile("Ånna's #1 = laptop: \\ ok",
                Instant.parse("2025-01-02T03:04:05Z"), List.of(first, second));
        home.writeProfile(written);

        DeviceHome.Profile read = home.readProfile();
        assertThat(read.name()).isEqualTo(written.name());
        assertThat(read.relays()).containsExactly(first, second);
        assertThat(dir.resolve("h/device.properties.tmp")).doesNotExist();
    }

    @Test
    void parseProfile_unknownKey_namesTheKey() {
        assertThatThrownBy(() -> DeviceHome.parseProfile(HEADER + "relays.1.address=a:1\n", "p"))
                .isInstanceOf(CliFailure.class).hasMessageContaining("unknown key 'relays.1.address'");
    }

    @Test
    void parseProfile_badHex_namesTheKey() {
        assertThatThrownBy(() -> DeviceHome.parseProfile(HEADER + "relay.1.address=a:1\nrelay.1.key=" + "zz".repeat(33) + "\n", "p"))
                .isInstanceOf(CliFailure.class).hasMessageContaining("'relay.1.key'").hasMessageContaining("66 hex digits");
    }

    @Test
    void parseProfile_unknownKeyVersion_namesTheKey() {
        assertThatThrownBy(() -> DeviceHome.parseProfile(HEADER + "relay.1.address=a:1\nrelay.1.key=02" + "ab".repeat(32) + "\n", "p"))
                .isInstanceOf(CliFailure.class).hasMessageContaining("'relay.1.key'").hasMessageContaining("version");
    }

    @Test
    void parseProfile_badPort_namesTheKey() {
        for (String port : List.of("0", "65536", "http", "")) {
            assertThatThrownBy(() -> DeviceHome.parseProfile(HEADER + "relay.2.address=host:" + port + "\nrelay.2.key=" + KEY_HEX + "\n", "p"))
                    .as(port).isInstanceOf(CliFailure.class).hasMessageContaining("'relay.2.address'");
        }
    }

    @Test
    void parseProfile_relayWithoutKey_namesTheMissingKey() {
        assertThatThrownBy(() -> DeviceHome.parseProfile(HEADER + "relay.1.address=a:1\n", "p"))
                .isInstanceOf(CliFailure.class).hasMessageContaining("'relay.1.key' is missing");
    }

    @Test
    void parseProfile_missingName_namesTheKey() {
        assertThatThrownBy(() -> DeviceHome.parseProfile("created=2025-01-02T03:04:05Z\n", "p"))
                .isInstanceOf(CliFailure.class).hasMessageContaining("'name' is missing");
    }

    @Test
    void parseProfile_badCreated_namesTheKey() {
        assertThatThrownBy(() -> DeviceHome.parseProfile("name=x\ncreated=yesterday\n", "p"))
                .isInstanceOf(CliFailure.class).hasMessageContaining("'created'");
    }

    @Test
    void parseProfile_relaysSortedByIndex() throws Exception {
        DeviceHome.Profile profile = DeviceHome.parseProfile(HEADER + "relay.10.address=c:3\nrelay.10.key=" + KEY_HEX
                + "\nrelay.2.address=b:2\nrelay.2.key=" + KEY_HEX + "\nrelay.1.address=a:1\nrelay.1.key=" + KEY_HEX + "\n", "p");

        assertThat(profile.relays()).extracting(RelayEntry::address).containsExactly("a:1", "b:2", "c:3");
    }
}
