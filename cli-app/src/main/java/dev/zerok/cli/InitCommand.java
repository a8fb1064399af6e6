package dev.zerok.cli;

import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.KeyPair;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code zerok init [--name NAME]}: creates this device's persistent identity; never overwrites one. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Creates this device's identity in the home directory (refuses if one exists).")
final class InitCommand implements Callable<Integer> {
    @ParentCommand
    private ZerokMain root;

    @Option(names = "--name", paramLabel = "NAME", description = "a display name for this device (default: the host name)")
    private String name;

    @Override
    public Integer call() throws CliFailure {
        DeviceHome home = root.home();
        if (home.initialized()) {
            throw CliFailure.of("a device identity already exists in " + home.dir()
                    + "; it is never overwritten (use --home DIR for another device)");
        }
        String deviceName = DeviceHome.parseName(name != null ? name : defaultName(), "--name");
        KeyPair identity = StaticIdentity.generate(root.x25519(), root.ports().entropy());
        try {
            home.create(identity, new DeviceHome.Profile(deviceName, root.env().clock().instant(), List.of()));
            String deviceId = StaticIdentity.deviceId(root.sha256(), identity.publicKey()).hex();
            return root.finish(new Report()
                    .put("home", home.dir().toString()).put("name", deviceName).put("device_id", deviceId)
                    .line("created device '" + deviceName + "' (id " + Ids.prefix(deviceId) + ") in " + home.dir())
                    .line("next: 'zerok relays add HOST:PORT --key HEX' and 'zerok pair --create',")
                    .line("   or 'zerok pair --join INVITE' with an invite from one of your other devices"));
        } finally {
            identity.privateKey().destroy();
        }
    }

    private String defaultName() {
        String host = root.env().environment().get("HOSTNAME");
        return host == null || host.isBlank() ? "zerok-device" : host;
    }
}
