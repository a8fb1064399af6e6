package dev.zerok.chaos.content;

import dev.zerok.client.ClientComponent;
import dev.zerok.client.ClientSettings;
import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import dev.zerok.client.FolderReport;
import dev.zerok.client.RelayAddress;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

/**
 * A device applying a folder as its own OS process, so F-CRASH-01 can kill it with SIGKILL while
 * {@code Folders.apply} writes. Arguments: dataDir identityFile groupSecretFile relayHost:port
 * relayKeyHex folder targetDir pauseMsPerProgressUpdate. The pause is a slow disk: the apply's
 * progress callback (called once per chunk written) sleeps, so the kill lands mid-file on a fast
 * machine too; the product code runs unchanged. Prints {@code synced}, then {@code applied written
 * N pending P} and exits 0; exits 1 with a one-line reason on a device failure.
 */
public final class FolderApplyProcess {
    private FolderApplyProcess() {}

    public static void main(String[] args) throws Exception {
        ClientComponent tools = ClientComponent.create(ClientSettings.defaults(Path.of(args[0])));
        KeyPair identity = StaticIdentity.decodePrivate(tools.keyExchange().dh("25519"), Files.readAllBytes(Path.of(args[1])));
        Secret secret = Secret.adopt(Files.readAllBytes(Path.of(args[2])));
        RelayAddress relay = new RelayAddress(args[3], HexFormat.of().parseHex(args[4]));
        String folder = args[5];
        Path target = Path.of(args[6]);
        long pauseMs = Long.parseLong(args[7]);
        try (Device device = Device.open(Path.of(args[0]), identity, secret, List.of(relay))) {
            device.awaitSynced(Duration.ofMinutes(2));
            System.out.println("synced");
            FolderReport report = device.folders().apply(folder, target, true, false, (done, total) -> {
                System.out.println("progress " + done + " " + total);
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            System.out.println("applied written " + report.written() + " pending " + report.pending());
        } catch (DeviceException e) {
            System.out.println("failed " + e.code() + ": " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }
}
