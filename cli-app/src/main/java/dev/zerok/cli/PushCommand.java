package dev.zerok.cli;

import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import dev.zerok.client.SafeText;
import dev.zerok.client.FolderReport;
import dev.zerok.client.PushReceipt;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code zerok push TEXT | --file F | --dir D [--wait 10s]}: seals and queues data for every relay,
 * then waits up to {@code --wait} until every relay acknowledged it. The push is durable in the
 * outbox as soon as it is queued: if the wait runs out (exit 3) or no relay is reachable (exit 4),
 * the next {@code push}, {@code pull} or {@code status} sends it.
 */
@Command(name = "push", mixinStandardHelpOptions = true,
        description = {"Sends text, a file or a directory to the group's other devices.",
                "Exit 3: queued but not acknowledged by every relay within --wait; exit 4: no relay reachable;",
                "exit 6: a relay refused it because the group's storage quota there is full.",
                "Either way it stays in the outbox and goes out on the next push, pull or status."})
final class PushCommand implements Callable<Integer> {
    @ParentCommand
    private ZerokMain root;

    @Parameters(arity = "0..1", paramLabel = "TEXT", description = "text to send (UTF-8)")
    private String text;

    @Option(names = "--file", paramLabel = "FILE", description = "send this file")
    private Path file;

    @Option(names = "--dir", paramLabel = "DIR", description = {"publish the changes of this directory to the group's "
            + "folder of the same name (only what changed since the last push or pull of it; symbolic links are "
            + "sent as links, never followed)"})
    private Path dir;

    @Option(names = "--wait", paramLabel = "DURATION", defaultValue = "10s",
            description = "how long to wait for every relay's acknowledgement (default ${DEFAULT-VALUE})")
    private Duration wait;

    @Override
    public Integer call() throws CliFailure {
        int given = (text != null ? 1 : 0) + (file != null ? 1 : 0) + (dir != null ? 1 : 0);
        if (given != 1) {
            throw new CliFailure(ExitCodes.USAGE, "push takes exactly one of TEXT, --file FILE or --dir DIR");
        }
        if (file != null && !Files.isRegularFile(file)) {
            throw CliFailure.of(file + " is not a readable regular file");
        }
        if (dir != null && !Files.isDirectory(dir)) {
            throw CliFailure.of(dir + " is not a directory");
        }
        DeviceSession.Opened opened = DeviceSession.open(root);
        Device device = opened.device();
        boolean flushed = false;
        try {
            if (dir != null) {
                return pushFolder(device);
            }
            PushReceipt receipt;
            try {
                receipt = text != null
                        ? device.pushData(text.getBytes(StandardCharsets.UTF_8))
                        : device.pushPath(file, ProgressBar.forRun(root, "sealing " + file.getFileName()));
            } catch (DeviceException e) {
                throw DeviceSession.failure(e);
            }
            DeviceSession.Wait waited = DeviceSession.awaitSynced(device, wait, NetworkProgress.upload(root));
            flushed = true;
            Report report = new Report()
                    .put("blob", receipt.blob().hex()).put("files", receipt.files()).put("bytes", receipt.bytes())
                    .put("chunks_queued", receipt.chunksQueued()).put("chunks_deduplicated", receipt.chunksDeduplicated())
                    .put("acknowledged", waited.outcome() == DeviceSession.Wait.Outcome.SYNCED)
                    .put("status", waited.status().kind().name().toLowerCase(java.util.Locale.ROOT));
            String what = text != null ? "text (" + Bytes.human(receipt.bytes()) + ")"
                    : receipt.files() + " file(s), " + Bytes.human(receipt.bytes()) + " (" + receipt.chunksQueued()
                            + " chunk(s) queued, " + receipt.chunksDeduplicated() + " already held)";
            report.line("pushed " + what + " as blob " + Ids.prefix(receipt.blob().hex()));
            switch (waited.outcome()) {
                case SYNCED -> report.line("acknowledged by every relay");
                case TIMED_OUT -> report.exit(ExitCodes.QUEUED, "the push is queued in the outbox but not every relay "
                        + "acknowledged it within " + Durations.format(wait) + " (status: "
                        + DeviceSession.describe(waited.status()) + "); it goes out on the next push, pull or status");
                case NO_RELAY -> report.exit(ExitCodes.NO_RELAY, "no relay reachable (" + waited.reason()
                        + "); the push is kept in the outbox and goes out on the next push, pull or status");
                case QUOTA_FULL -> report.exit(ExitCodes.QUOTA, waited.reason());
            }
            return root.finish(report);
        } finally {
            opened.close(flushed ? DeviceSession.CLOSE_FLUSH : Duration.ZERO);
        }
    }

    private int pushFolder(Device device) throws CliFailure {
        Path directory = dir.toAbsolutePath().normalize();
        String name = directory.getFileName() == null ? "" : directory.getFileName().toString();
        FolderReport published;
        try {
            published = device.folders().publish(name, directory, ignoreRules(directory)::ignored,
                    ProgressBar.forRun(root, "reading " + name));
        } catch (DeviceException e) {
            throw DeviceSession.failure(e);
        }
        DeviceSession.Wait waited = DeviceSession.awaitSynced(device, wait);
        Report report = new Report().put("folder", name).put("published", published.published())
                .put("chunks_queued", published.chunksQueued()).put("refused", published.refused())
                .put("acknowledged", waited.outcome() == DeviceSession.Wait.Outcome.SYNCED)
                .put("status", waited.status().kind().name().toLowerCase(java.util.Locale.ROOT));
        report.line(published.published() == 0 ? "folder '" + SafeText.printable(name) + "': nothing changed"
                : "folder '" + SafeText.printable(name) + "': published " + published.published() + " change(s), "
                        + published.chunksQueued() + " new chunk(s)");
        for (String r : published.refused()) {
            report.line("not published: " + SafeText.printable(r));
        }
        switch (waited.outcome()) {
            case SYNCED -> report.line("acknowledged by every relay");
            case TIMED_OUT -> report.exit(ExitCodes.QUEUED, "the changes are queued in the outbox but not every relay "
                    + "acknowledged them within " + Durations.format(wait) + "; they go out on the next push, pull or status");
            case NO_RELAY -> report.exit(ExitCodes.NO_RELAY, "no relay reachable (" + waited.reason()
                    + "); the changes are kept in the outbox and go out on the next push, pull or status");
            case QUOTA_FULL -> report.exit(ExitCodes.QUOTA, waited.reason());
        }
        return root.finish(report);
    }

    private static dev.zerok.client.folder.IgnoreRules ignoreRules(Path directory) throws CliFailure {
        try {
            return dev.zerok.client.folder.IgnoreRules.load(directory);
        } catch (java.io.IOException e) {
            throw CliFailure.of(dev.zerok.client.IoMessages.describe(e));
        }
    }
}
