package dev.zerok.cli;

import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import dev.zerok.client.SafeText;
import dev.zerok.client.FolderReport;
import dev.zerok.client.IoMessages;
import dev.zerok.client.TransferProgress;
import dev.zerok.client.folder.DirectoryWatcher;
import dev.zerok.client.folder.IgnoreRules;
import dev.zerok.kernel.sync.SyncStatus;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiPredicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code zerok sync DIR [--folder NAME] [--once]}: keeps DIR in sync with the group's folder of the
 * same name, continuously: local changes are found by file watching (debounced) with a periodic
 * full rescan as a fallback, published, and what the other devices publish is applied as it
 * arrives. Runs until stopped (SIGINT/SIGTERM close it cleanly: the outbox is durable). On a
 * terminal it keeps one status line up to date; otherwise (or with {@code --json}) it prints one
 * line (one JSON object) per pass that changed something.
 */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = {"Keeps DIR in sync with the group's folder of the same name, until stopped.",
                "Local edits are published within seconds; concurrent edits keep both versions (a",
                "NAME.sync-conflict-DATE-TIME-DEVICE.ext copy); files zerok did not write are never overwritten.",
                "--once: one reconcile pass, then exit (exit 3 if not every relay acknowledged, 4 if none reachable)."})
final class SyncCommand implements Callable<Integer> {
    private static final Duration PASS_WAIT = Duration.ofSeconds(30);

    @ParentCommand
    private ZerokMain root;

    @Parameters(paramLabel = "DIR", description = "the directory to keep in sync (created if missing)")
    private Path dir;

    @Option(names = "--folder", paramLabel = "NAME", description = "the folder's name in the group (default: DIR's name)")
    private String folder;

    @Option(names = "--once", description = "one reconcile pass, then exit")
    private boolean once;

    @Option(names = "--rescan", paramLabel = "DURATION", defaultValue = "60s",
            description = "full rescan interval, a fallback for file systems whose changes are not watched (default ${DEFAULT-VALUE})")
    private Duration rescan;

    @Override
    public Integer call() throws CliFailure {
        Path directory = dir.toAbsolutePath().normalize();
        if (Files.isSymbolicLink(directory)) {
            throw CliFailure.of(directory + " is a symbolic link; give the directory itself (links are never followed)");
        }
        try {
            Files.createDirectories(directory);
        } catch (java.io.IOException e) {
            throw CliFailure.of("cannot create " + directory + ": " + IoMessages.describe(e));
        }
        if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
            throw CliFailure.of(directory + " is not a directory");
        }
        String name = folder != null ? folder : directory.getFileName() == null ? "" : directory.getFileName().toString();
        if (name.isEmpty()) {
            throw new CliFailure(ExitCodes.USAGE, "cannot sync the file system root without --folder NAME");
        }
        DeviceSession.Opened opened = DeviceSession.open(root);
        Device device = opened.device();
        AtomicBoolean stop = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            stop.set(true);
            synchronized (stop) {
                stop.notifyAll();
            }
        }, "zerok-sync-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        LocalChanges changes = LocalChanges.start(directory, rescan, root.env().err());
        try {
            return loop(device, directory, name, changes, stop);
        } finally {
            changes.close();
            opened.close(DeviceSession.CLOSE_FLUSH);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: we are stopping because of it
            }
        }
    }

    private int loop(Device device, Path directory, String name, LocalChanges changes, AtomicBoolean stop)
            throws CliFailure {
        PrintStream out = root.env().out();
        boolean line = root.showProgress();
        long passes = 0;
        long lastChunks = -1;
        long missedSeen = 0;
        while (!stop.get()) {
            long started = System.nanoTime();
            changes.consume();
            FolderReport published;
            FolderReport applied;
            DeviceSession.Wait waited;
            try {
                published = device.folders().publish(name, directory, changes.ignored(), TransferProgress.NONE);
                if (device.folders().snapshotRequested()) {
                    device.folders().republish();
                }
                waited = DeviceSession.awaitSynced(device, once ? PASS_WAIT : Duration.ofSeconds(5));
                lastChunks = device.chunksReceived();
                applied = device.folders().apply(name, directory, true, false, TransferProgress.NONE);
            } catch (DeviceException e) {
                throw DeviceSession.failure(e);
            }
            passes++;
            long missed = device.folders().missedExpiredCount();
            if (missed > missedSeen) {
                missedSeen = missed;
                root.env().err().println("zerok: a relay expired blobs this device never pulled (it was away longer than "
                        + "the relay keeps them); asked the other devices for the current state of every folder: it "
                        + "arrives when one of them runs `zerok sync`");
            }
            report(out, line, name, published, applied, waited, System.nanoTime() - started, passes);
            if (once) {
                return switch (waited.outcome()) {
                    case SYNCED -> ExitCodes.OK;
                    case TIMED_OUT -> ExitCodes.QUEUED;
                    case NO_RELAY -> ExitCodes.NO_RELAY;
                    case QUOTA_FULL -> ExitCodes.QUOTA;
                };
            }
            // Wait for a local change, a folder record or chunk from the group, or the rescan tick.
            long deadline = System.nanoTime() + rescan.toNanos();
            while (!stop.get() && System.nanoTime() < deadline && !changes.pending()
                    && device.chunksReceived() == lastChunks && !device.folders().snapshotRequested()) {
                try {
                    if (device.folders().awaitChange(Duration.ofMillis(200))) {
                        break;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return ExitCodes.OK;
                }
            }
        }
        if (line) {
            root.env().err().println();
        }
        return ExitCodes.OK;
    }

    private void report(PrintStream out, boolean line, String name, FolderReport published, FolderReport applied,
            DeviceSession.Wait waited, long nanos, long passes) {
        SyncStatus status = waited.status();
        String state = switch (waited.outcome()) {
            case SYNCED -> "up to date";
            case TIMED_OUT -> "syncing (" + DeviceSession.describe(status) + ")";
            case NO_RELAY -> "offline (" + waited.reason() + ")";
            case QUOTA_FULL -> "quota full: " + SafeText.printable(waited.reason());
        };
        boolean changed = !published.quiet() || !applied.quiet() || !applied.refused().isEmpty() || applied.pending() > 0;
        if (root.json()) {
            if (changed || once) {
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("folder", name);
                event.put("status", waited.outcome().name().toLowerCase(Locale.ROOT));
                event.put("published", published.published());
                event.put("chunks_queued", published.chunksQueued());
                event.put("written", applied.written());
                event.put("deleted", applied.deleted());
                event.put("bytes_written", applied.bytesWritten());
                event.put("conflicts", applied.conflicts());
                event.put("refused", concat(published, applied));
                event.put("pending", applied.pending());
                event.put("pass_ms", nanos / 1_000_000);
                out.println(Report.toJson(event));
                out.flush();
            }
            return;
        }
        String summary = "'" + SafeText.printable(name) + "': " + state + "; published " + published.published()
                + ", written " + applied.written() + ", deleted " + applied.deleted()
                + (applied.pending() > 0 ? ", waiting for " + applied.pending() + " file(s) to arrive" : "")
                + (applied.conflicts().isEmpty() ? "" : ", " + applied.conflicts().size() + " conflict(s)");
        for (String c : applied.conflicts()) {
            out.println("conflict: kept the other version as " + SafeText.printable(c));
        }
        for (String r : concat(published, applied)) {
            out.println("not synced: " + SafeText.printable(r));
        }
        if (line) {
            root.env().err().print("\r\033[2K" + summary + " (pass " + passes + ")");
            root.env().err().flush();
        } else if (changed || once) {
            out.println(summary);
        }
        out.flush();
    }

    private static java.util.List<String> concat(FolderReport a, FolderReport b) {
        java.util.List<String> all = new java.util.ArrayList<>(a.refused());
        all.addAll(b.refused());
        return all;
    }

    /**
     * Local change detection: a {@link DirectoryWatcher} (debounced file watching with its own
     * periodic rescan) flags that a pass is due; {@code .zerokignore} is re-read every pass.
     */
    static final class LocalChanges implements AutoCloseable {
        private static final Duration DEBOUNCE = Duration.ofMillis(200);
        private static final Duration MAX_DELAY = Duration.ofSeconds(1);

        private final Path directory;
        private final PrintStream err;
        private final AtomicBoolean pending = new AtomicBoolean(true);
        private volatile IgnoreRules rules = IgnoreRules.none();
        private DirectoryWatcher watcher;

        private LocalChanges(Path directory, PrintStream err) {
            this.directory = directory;
            this.err = err;
        }

        static LocalChanges start(Path directory, Duration rescan, PrintStream err) throws CliFailure {
            LocalChanges changes = new LocalChanges(directory, err);
            changes.reloadRules();
            try {
                changes.watcher = DirectoryWatcher.start(directory, changes.rules, DEBOUNCE, MAX_DELAY, rescan,
                        batch -> changes.pending.set(true), problem -> err.println("zerok: " + SafeText.printable(problem)));
            } catch (java.io.IOException e) {
                throw CliFailure.of("cannot watch " + directory + ": " + IoMessages.describe(e));
            }
            return changes;
        }

        boolean pending() {
            return pending.get();
        }

        void consume() {
            pending.set(false);
            reloadRules();
        }

        BiPredicate<String, Boolean> ignored() {
            IgnoreRules current = rules;
            return current::ignored;
        }

        private void reloadRules() {
            try {
                rules = IgnoreRules.load(directory);
            } catch (java.io.IOException e) {
                err.println("zerok: " + IgnoreRules.FILE_NAME + " not used: " + SafeText.printable(IoMessages.describe(e)));
            }
        }

        @Override
        public void close() {
            if (watcher != null) {
                watcher.close();
            }
        }
    }
}
