package dev.zerok.cli;

import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code zerok status [--wait 5s]}: connects, sends what the outbox holds, and reports the sync
 * status (offline / connected / pending / synced / failed). Exit 4 if no relay is reachable.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Syncs for up to --wait and shows the sync status: offline, connected, pending, synced or failed.",
                "Exit 4: no relay reachable."})
final class StatusCommand implements Callable<Integer> {
    @ParentCommand
    private ZerokMain root;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "5s",
            description = "how long to try to reach SYNCED (default ${DEFAULT-VALUE})")
    private Duration wait;

    @Override
    public Integer call() throws CliFailure {
        DeviceSession.Opened opened = DeviceSession.open(root);
        Device device = opened.device();
        try {
            DeviceSession.Wait waited = DeviceSession.awaitSynced(device, wait);
            Report report = new Report();
            report.put("device_id", device.id().hex()).put("name", opened.profile().name())
                    .put("status", waited.status().kind().name().toLowerCase(Locale.ROOT))
                    .put("reason", waited.status().reason())
                    .put("relays", opened.profile().relays().stream().map(RelayEntry::address).toList());
            try {
                int received = device.received().size();
                int collections = device.collections().size();
                long incomplete = device.collections().stream().filter(c -> !c.complete()).count();
                int failures = device.failures().size();
                report.put("received", received).put("collections", collections)
                        .put("collections_incomplete", incomplete).put("failures", failures)
                        .put("senders", device.versionVector().entries().size())
                        .line("device " + Ids.prefix(device.id().hex()) + " '" + opened.profile().name() + "'")
                        .line("status: " + DeviceSession.describe(waited.status()))
                        .line("relays: " + String.join(", ", opened.profile().relays().stream().map(RelayEntry::address).toList()))
                        .line("received: " + received + " data blob(s), " + collections + " collection(s)"
                                + (incomplete > 0 ? " (" + incomplete + " incomplete)" : "")
                                + (failures > 0 ? ", " + failures + " FAILED blob(s)" : ""));
            } catch (DeviceException e) {
                throw DeviceSession.failure(e);
            }
            if (waited.outcome() == DeviceSession.Wait.Outcome.NO_RELAY) {
                report.exit(ExitCodes.NO_RELAY, "no relay reachable (" + waited.reason() + ")");
            }
            return root.finish(report);
        } finally {
            opened.close(DeviceSession.CLOSE_FLUSH);
        }
    }

}
