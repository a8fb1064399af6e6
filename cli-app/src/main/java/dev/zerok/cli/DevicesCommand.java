package dev.zerok.cli;

import dev.zerok.client.Device;
import dev.zerok.ports.id.DeviceId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code zerok devices [--wait 5s]}: this device (id prefix and name) and every device it has
 * received from, with the highest sequence number received contiguously (its version vector).
 * Two devices have converged when their lists match. Exit 4 if no relay is reachable (the list is
 * then what this device already knew).
 */
@Command(name = "devices", mixinStandardHelpOptions = true,
        description = {"Lists this device and every device it has received from, with the highest sequence received.",
                "Exit 4: no relay reachable (shown is what this device already knew)."})
final class DevicesCommand implements Callable<Integer> {
    @ParentCommand
    private ZerokMain root;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "5s",
            description = "how long to sync before listing (default ${DEFAULT-VALUE})")
    private Duration wait;

    @Override
    public Integer call() throws CliFailure {
        DeviceSession.Opened opened = DeviceSession.open(root);
        Device device = opened.device();
        try {
            DeviceSession.Wait waited = DeviceSession.awaitSynced(device, wait);
            Report report = new Report();
            Map<String, Object> self = new LinkedHashMap<>();
            self.put("id", device.id().hex());
            self.put("name", opened.profile().name());
            self.put("sequence", device.versionVector().get(device.id()));
            report.put("this_device", self)
                    .line(Ids.prefix(device.id().hex()) + "  " + opened.profile().name() + "  (this device)");
            List<Map<String, Object>> senders = new ArrayList<>();
            for (Map.Entry<DeviceId, Long> entry : device.versionVector().entries().entrySet()) {
                if (entry.getKey().equals(device.id())) {
                    continue;
                }
                Map<String, Object> item = new LinkedHashMap<>();
                item.put("id", entry.getKey().hex());
                item.put("sequence", entry.getValue());
                senders.add(item);
                report.line(Ids.prefix(entry.getKey().hex()) + "  received up to #" + entry.getValue());
            }
            report.put("senders", senders);
            if (senders.isEmpty()) {
                report.line("no other device has pushed anything this device received yet");
            }
            if (waited.outcome() == DeviceSession.Wait.Outcome.NO_RELAY) {
                report.exit(ExitCodes.NO_RELAY, "no relay reachable (" + waited.reason() + "); shown is what this device already knew");
            }
            return root.finish(report);
        } finally {
            opened.close(DeviceSession.CLOSE_FLUSH);
        }
    }
}
