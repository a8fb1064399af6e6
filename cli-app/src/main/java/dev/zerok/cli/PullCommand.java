package dev.zerok.cli;

import dev.zerok.client.CollectionSummary;
import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import dev.zerok.client.FolderReport;
import dev.zerok.client.MaterializeResult;
import dev.zerok.client.ReceivedData;
import dev.zerok.client.SafeText;
import dev.zerok.ports.clientstate.BlobIndexEntry;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code zerok pull [--into D] [--wait 30s]}: syncs with the relays, prints the text received from
 * the group's other devices, lists the collections (pushed files and directories), and with
 * {@code --into} writes every complete collection from another device under {@code D}. Exit 5 if
 * a collection is incomplete or a blob failed verification; nothing unverified is ever written.
 */
@Command(name = "pull", mixinStandardHelpOptions = true,
        description = {"Receives what the group's other devices pushed; --into DIR writes their files and directories.",
                "Exit 5: a collection is incomplete or a blob failed verification; exit 4: no relay reachable;",
                "exit 6: a relay refused this device's queued pushes because the group's storage quota there is full."})
final class PullCommand implements Callable<Integer> {
    @ParentCommand
    private ZerokMain root;

    @Option(names = "--into", paramLabel = "DIR",
            description = {"write the current state of each folder under DIR/<folder>/ (only what changed since the "
                    + "last pull; files zerok did not write there are kept and reported), and each complete received "
                    + "file under DIR"})
    private Path into;

    @Option(names = "--force", description = "with --into: replace files zerok did not write")
    private boolean force;

    @Option(names = "--all", description = "list every received text and collection, not only what is new since the last pull")
    private boolean all;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "30s",
            description = "how long to wait for the relays (default ${DEFAULT-VALUE})")
    private Duration wait;

    @Override
    public Integer call() throws CliFailure {
        if (into != null && Files.exists(into) && !Files.isDirectory(into)) {
            throw CliFailure.of(into + " exists and is not a directory");
        }
        DeviceSession.Opened opened = DeviceSession.open(root);
        Device device = opened.device();
        try {
            DeviceSession.Wait waited = DeviceSession.awaitSynced(device, wait, NetworkProgress.download(root));
            Report report = new Report().put("status", waited.status().kind().name().toLowerCase(java.util.Locale.ROOT));
            List<Map<String, Object>> data = new ArrayList<>();
            List<Map<String, Object>> collections = new ArrayList<>();
            boolean incomplete = false;
            try {
                java.util.Set<dev.zerok.ports.id.BlobId> shown = all ? java.util.Set.of() : device.shown();
                List<dev.zerok.ports.id.BlobId> nowShown = new ArrayList<>();
                for (ReceivedData received : device.received()) {
                    if (shown.contains(received.blob())) {
                        continue;
                    }
                    data.add(describe(received, report));
                    nowShown.add(received.blob());
                }
                List<CollectionSummary> every = device.collections();
                // Written: only the newest complete collection of each name (an older one never overwrites it).
                Map<String, CollectionSummary> newest = new LinkedHashMap<>();
                for (CollectionSummary summary : every) {
                    if (summary.complete()) {
                        newest.merge(summary.name(), summary, (x, y) -> y.createdAt().isAfter(x.createdAt()) ? y : x);
                    }
                }
                for (CollectionSummary summary : every) {
                    if (into == null && shown.contains(summary.id()) && summary.complete()) {
                        continue;
                    }
                    boolean fromHere = summary.sender().equals(device.id());
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("blob", summary.id().hex());
                    item.put("name", summary.name());
                    item.put("sender", summary.sender().hex());
                    item.put("files", summary.files());
                    item.put("bytes", summary.bytes());
                    item.put("chunks_present", summary.chunksPresent());
                    item.put("chunks_total", summary.chunksTotal());
                    item.put("complete", summary.complete());
                    String line = "collection '" + SafeText.printable(summary.name()) + "' from "
                            + (fromHere ? "this device" : Ids.prefix(summary.sender().hex())) + ": " + summary.files()
                            + " file(s), " + Bytes.human(summary.bytes());
                    if (!summary.complete()) {
                        incomplete = true;
                        report.line(line + ", INCOMPLETE (" + summary.chunksPresent() + "/" + summary.chunksTotal()
                                + " chunks; pull again to resume)");
                    } else if (into != null && !fromHere && newest.get(summary.name()) == summary) {
                        try {
                            MaterializeResult written = device.materialize(summary.id(), into,
                                    ProgressBar.forRun(root, "writing " + summary.name()));
                            item.put("written_to", into.resolve(summary.name()).toString());
                            report.line(line + ", written to " + SafeText.printable(into.resolve(summary.name()).toString()) + " ("
                                    + written.files() + " file(s), " + Bytes.human(written.bytes()) + ")");
                        } catch (DeviceException e) {
                            if (e.code() != DeviceException.Code.INCOMPLETE && e.code() != DeviceException.Code.VERIFY_FAILED) {
                                throw DeviceSession.failure(e);
                            }
                            incomplete = true;
                            item.put("complete", false);
                            item.put("error", e.getMessage());
                            report.line(line + ", NOT written: " + SafeText.printable(e.getMessage()));
                        }
                    } else {
                        report.line(line + ", complete");
                    }
                    if (summary.complete() && !item.containsKey("error")) {
                        nowShown.add(summary.id());
                    }
                    collections.add(item);
                }
                List<Map<String, Object>> folders = new ArrayList<>();
                for (String name : device.folders().names()) {
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("folder", name);
                    if (into == null) {
                        item.put("paths", device.folders().state(name).size());
                        report.line("folder '" + SafeText.printable(name) + "'");
                        folders.add(item);
                        continue;
                    }
                    Path target = into.resolve(name);
                    FolderReport applied = device.folders().apply(name, target, false, force,
                            ProgressBar.forRun(root, "writing " + name));
                    item.put("written_to", target.toString());
                    item.put("written", applied.written());
                    item.put("deleted", applied.deleted());
                    item.put("bytes_written", applied.bytesWritten());
                    item.put("conflicts", applied.conflicts());
                    item.put("refused", applied.refused());
                    item.put("pending", applied.pending());
                    folders.add(item);
                    report.line("folder '" + SafeText.printable(name) + "' -> " + target + ": " + (applied.quiet()
                            ? "nothing new" : applied.written() + " written (" + Bytes.human(applied.bytesWritten())
                            + "), " + applied.deleted() + " deleted"));
                    for (String c : applied.conflicts()) {
                        report.line("  conflict: the other version is kept as " + SafeText.printable(c));
                    }
                    for (String r : applied.refused()) {
                        report.line("  not written: " + SafeText.printable(r));
                    }
                    if (applied.pending() > 0) {
                        incomplete = true;
                        report.line("  " + applied.pending() + " file(s) have not fully arrived yet; pull again");
                    }
                }
                report.put("folders", folders);
                device.markShown(nowShown);
                List<Map<String, Object>> failed = new ArrayList<>();
                for (BlobIndexEntry failure : device.failures()) {
                    Map<String, Object> item = new LinkedHashMap<>();
                    item.put("blob", failure.blob().hex());
                    item.put("sender", failure.sender().hex());
                    item.put("sequence", failure.sequence());
                    item.put("reason", failure.failure());
                    failed.add(item);
                    report.line("FAILED blob " + Ids.prefix(failure.blob().hex()) + " from "
                            + Ids.prefix(failure.sender().hex()) + " #" + failure.sequence() + ": " + SafeText.printable(failure.failure()));
                }
                report.put("data", data).put("collections", collections).put("failures", failed);
                if (!failed.isEmpty()) {
                    incomplete = true;
                }
            } catch (DeviceException e) {
                throw DeviceSession.failure(e);
            }
            if (data.isEmpty() && collections.isEmpty() && device.folders().names().isEmpty()) {
                report.line(all ? "nothing received yet" : "nothing new since the last pull (--all lists everything received)");
            }
            switch (waited.outcome()) {
                case NO_RELAY -> report.exit(ExitCodes.NO_RELAY, "no relay reachable (" + waited.reason()
                        + "); shown is what this device already had");
                case QUOTA_FULL -> report.exit(ExitCodes.QUOTA, waited.reason());
                case TIMED_OUT -> report.exit(ExitCodes.FAILURE, "not synced within " + Durations.format(wait)
                        + " (status: " + DeviceSession.describe(waited.status())
                        + "); shown is what arrived so far: pull again or raise --wait");
                case SYNCED -> {
                    if (incomplete) {
                        report.exit(ExitCodes.INCOMPLETE,
                                "a collection is incomplete or a blob failed verification (see above); pull again, or push it again from its device");
                    }
                }
            }
            return root.finish(report);
        } finally {
            opened.close(DeviceSession.CLOSE_FLUSH);
        }
    }

    private static Map<String, Object> describe(ReceivedData received, Report report) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("blob", received.blob().hex());
        item.put("sender", received.sender().hex());
        item.put("sequence", received.sequence());
        byte[] bytes = received.data();
        String prefix = Ids.prefix(received.sender().hex()) + " #" + received.sequence() + ": ";
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            item.put("text", text);
            report.line(prefix + SafeText.printableLines(text));
        } catch (CharacterCodingException e) {
            item.put("base64", Base64.getEncoder().encodeToString(bytes));
            report.line(prefix + "(" + bytes.length + " bytes of binary data; --json shows them as base64)");
        }
        return item;
    }
}
