package dev.zerok.client;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * A pulling device as its own OS process, so a test can kill it with SIGKILL mid-download.
 * Arguments: dataDir identityFile groupSecretFile relayHost:port relayKeyHex. Prints
 * {@code chunks-received N} and exits 0 once synced; exits 1 with a one-line reason otherwise.
 */
public final class PullerProcess {
    private PullerProcess() {}

    public static void main(String[] args) throws Exception {
        ClientComponent tools = ClientComponent.create(ClientSettings.defaults(Path.of(args[0])));
        KeyPair identity = StaticIdentity.decodePrivate(tools.keyExchange().dh("25519"), Files.readAllBytes(Path.of(args[1])));
        Secret secret = Secret.adopt(Files.readAllBytes(Path.of(args[2])));
        RelayAddress relay = new RelayAddress(args[3], HexFormat.of().parseHex(args[4]));
        try (Device device = Device.open(Path.of(args[0]), identity, secret, List.of(relay))) {
            device.awaitSynced(Duration.ofMinutes(3));
            System.out.println("chunks-received " + device.chunksReceived());
        } catch (DeviceException e) {
            System.out.println("failed " + e.code() + ": " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }
}
