package dev.zerok.cli;

import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import dev.zerok.client.SafeText;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code zerok status [--wait 5s]}: connects, sends what the outbox holds, and reports the sync
 * status (offline / connected / pending / synced / failed); the exit code says which
 * ({@link #exitCode}).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Syncs for up to --wait and shows the sync status: offline, connected, pending, synced or failed.",
                "Exit 0: synced; 3: pending or connected (not yet on every relay); 4: offline (no relay reachable);",
                "6: a relay refuses pushes because the group's storage quota there is full; 7: failed."})
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
            DeviceSession.Wait waited;
            try {
                waited = DeviceSession.awaitSynced(device, wait);
            } catch (CliFailure local) {
                if (local.exitCode() != ExitCodes.FAILURE) {
                    throw local;
                }
                throw new CliFailure(ExitCodes.STATUS_FAILED, "status: failed (" + local.getMessage() + ")", local);
            }
            Report report = new Report();
            report.put("device_id", device.id().hex()).put("name", opened.profile().name())
                    .put("status", waited.status().kind().name().toLowerCase(Locale.ROOT))
                    .put("reason", waited.status().reason().orElse(null))
                    .put("relays", opened.profile().relays().stream().map(RelayEntry::address).toList());
            try {
                int received = device.received().size();
                int collections = device.collections().size();
                long incomplete = device.collections().stream().filter(c -> !c.complete()).count();
                int failures = device.failures().size();
                report.put("received", received).put("collections", collections)
                        .put("collections_incomplete", incomplete).put("failures", failures)
                        .put("senders", device.versionVector().entries().size())
                        .line("device " + Ids.prefix(device.id().hex()) + " '" + SafeText.printable(opened.profile().name()) + "'")
                        .line("status: " + DeviceSession.describe(waited.status()))
                        .line("relays: " + String.join(", ", opened.profile().relays().stream().map(RelayEntry::address).toList()))
                        .line("received: " + received + " data blob(s), " + collections + " collection(s)"
                                + (incomplete > 0 ? " (" + incomplete + " incomplete)" : "")
                                + (failures > 0 ? ", " + failures + " FAILED blob(s)" : ""));
            } catch (DeviceException e) {
                throw DeviceSession.failure(e);
            }
            int code = exitCode(waited);
            if (code != ExitCodes.OK) {
                report.exit(code, switch (waited.outcome()) {
                    case QUOTA_FULL -> waited.reason();
                    case NO_RELAY -> "status: " + DeviceSession.describe(waited.status()) + "; no relay reachable";
                    default -> "status: " + DeviceSession.describe(waited.status()) + " after " + Durations.format(wait);
                });
            }
            return root.finish(report);
        } finally {
            opened.close(DeviceSession.CLOSE_FLUSH);
        }
    }

    /**
     * The exit code of a status run: a quota refusal is {@link ExitCodes#QUOTA}; otherwise the
     * status at the end of the wait decides: synced 0, pending or connected
     * {@link ExitCodes#QUEUED} (3), offline {@link ExitCodes#NO_RELAY} (4), failed
     * {@link ExitCodes#STATUS_FAILED} (7).
     */
    static int exitCode(DeviceSession.Wait waited) {
        if (waited.outcome() == DeviceSession.Wait.Outcome.QUOTA_FULL) {
            return ExitCodes.QUOTA;
        }
        return switch (waited.status().kind()) {
            case SYNCED -> ExitCodes.OK;
            case PENDING, CONNECTED -> ExitCodes.QUEUED;
            case OFFLINE -> ExitCodes.NO_RELAY;
            case FAILED -> ExitCodes.STATUS_FAILED;
        };
    }
}
