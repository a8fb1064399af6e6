package dev.zerok.cli;

import dev.zerok.client.ClientComponent;
import dev.zerok.client.ClientSettings;
import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import dev.zerok.client.FolderReport;
import dev.zerok.client.RelayAddress;
import dev.zerok.client.TransferProgress;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.kernel.pairing.Argon2Params;
import dev.zerok.kernel.pairing.Invite;
import dev.zerok.kernel.pairing.InviteCodec;
import dev.zerok.ports.crypto.KeyExchange;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.ports.entropy.Entropy;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code zerok demo [DIR]}: the main job on one machine. Starts a relay as a separate process,
 * creates two devices, pairs them with a real sealed invite and short code, publishes DIR as a
 * shared folder from the first (change records and chunks), applies it on the second over QUIC
 * through the relay, verifies every file by SHA-256 against the source, and prints files, bytes, wall time, throughput and the relay's peak RSS.
 *
 * <p>Exit codes: 0 verified; 1 a step failed or a file differs (one-line reason).
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Sync a real directory tree between two new devices through a relay process on this machine and "
                + "verify it byte for byte.",
                "Without DIR it syncs the local Maven repository that building zerok filled (~/.m2/repository), "
                + "or the running JDK's home if there is none."})
public class DemoCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "the tree to sync")
    Path dir;

    @Option(names = "--work", paramLabel = "DIR", description = "where the relay and devices keep their data "
            + "(default: a new temporary directory, deleted afterwards)")
    Path work;

    @Option(names = "--keep", description = "keep the work directory")
    boolean keep;

    @Option(names = "--warm-up", description = "before the measured sync, sync a generated warm-up tree (500 files "
            + "of 1 KiB and one of 32 MiB, fresh random bytes) "
            + "through the same relay and devices, so the figures show warmed JVMs, as a long-running 'zerok sync' "
            + "and relay have them")
    boolean warmUp;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30m",
            description = "give up after this long (e.g. 30m; default ${DEFAULT-VALUE})")
    Duration timeout;

    /** Small files (1 KiB each) in the {@code --warm-up} tree; tests make it smaller. */
    int warmUpFiles = 500;
    /** Bytes of the {@code --warm-up} tree's large file; tests make it smaller. */
    int warmUpLargeBytes = 32 << 20;

    private final PrintStream out;

    public DemoCommand() {
        this(System.out);
    }

    DemoCommand(PrintStream out) {
        this.out = out;
    }

    /** The tree the demo syncs when none is given. */
    static Path defaultTree() {
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
        return Files.isDirectory(m2) ? m2 : Path.of(System.getProperty("java.home"));
    }

    @Override
    public Integer call() throws Exception {
        Path tree = (dir != null ? dir : defaultTree()).toAbsolutePath().normalize();
        if (!Files.isDirectory(tree)) {
            System.err.println("zerok: demo: not a directory: " + tree);
            return 1;
        }
        Tree source = Tree.scan(tree);
        out.printf(Locale.ROOT, "zerok demo: syncing %s (%,d files, %s)%n", tree, source.files.size(), mib(source.bytes));
        boolean temporary = work == null;
        Path root = temporary ? Files.createTempDirectory("zerok-demo-") : work.toAbsolutePath();
        Instant deadline = Instant.now().plus(timeout);
        try {
            return run(tree, source, root, deadline);
        } catch (DeviceException | IOException e) {
            System.err.println("zerok: demo: " + (e instanceof IOException io ? dev.zerok.client.IoMessages.describe(io) : e.getMessage()));
            return 1;
        } finally {
            if (temporary && !keep) {
                deleteTree(root);
            } else {
                out.println("work directory kept: " + root);
            }
        }
    }

    private int run(Path tree, Tree source, Path root, Instant deadline) throws Exception {
        long t0 = System.nanoTime();
        try (RelayChild relay = RelayChild.start(root.resolve("relay"), Duration.ofSeconds(60))) {
            out.printf(Locale.ROOT, "relay: pid %d, quic://%s%n", relay.pid(), relay.address());
            ClientComponent tools = ClientComponent.create(ClientSettings.defaults(root.resolve("pairing")));
            KeyExchange crypto = tools.keyExchange();
            Entropy entropy = tools.entropy();
            KeyPair idA = StaticIdentity.generate(crypto.dh("25519"), entropy);
            KeyPair idB = StaticIdentity.generate(crypto.dh("25519"), entropy);
            List<RelayAddress> relays = List.of(new RelayAddress(relay.address(), relay.publicKey()));

            // Pairing exactly as two people would: A seals an invite under a short code, B opens it.
            Secret groupSecret = Secret.adopt(entropy.bytes(32));
            Invite invite = new Invite(List.of(new Invite.RelayPin(relay.address(), relay.publicKey())),
                    dev.zerok.kernel.pairing.GroupKeys.derive(crypto, groupSecret).groupId(),
                    new Invite.GroupSecretSource.Embedded(groupSecret.copy()), Instant.now().plus(Duration.ofHours(1)));
            InviteCodec.Sealed sealed = InviteCodec.seal(invite, crypto, entropy, Argon2Params.DEFAULT);
            Invite opened = InviteCodec.openText(sealed.text(), sealed.shortCode(), Instant.now(), crypto);
            Secret joinedSecret = ((Invite.GroupSecretSource.Embedded) opened.secret()).groupSecret();
            out.println("paired: device B joined with a sealed invite and its short code");

            Progress progress = new Progress(out);
            try (Device a = Device.open(root.resolve("device-a"), idA, groupSecret, relays);
                    Device b = Device.open(root.resolve("device-b"), idB, joinedSecret, relays)) {
                if (warmUp) {
                    warmUp(root, a, b, deadline);
                }
                long tPush = System.nanoTime();
                String folder = tree.getFileName().toString();
                FolderReport published = a.folders().publish(folder, tree, (path, isDirectory) -> false,
                        progress.phase("seal+queue"));
                progress.done();
                long tQueued = System.nanoTime();
                a.awaitSynced(remaining(deadline));
                long tUploaded = System.nanoTime();
                b.awaitSynced(remaining(deadline));
                long tDownloaded = System.nanoTime();
                Path pulled = root.resolve("pulled");
                FolderReport written = b.folders().apply(folder, pulled.resolve(folder), false, false,
                        progress.phase("write"));
                progress.done();
                if (written.pending() > 0 || !written.refused().isEmpty()) {
                    throw new DeviceException(DeviceException.Code.INCOMPLETE, "device B could not write "
                            + (written.pending() + written.refused().size()) + " path(s): " + written.refused());
                }
                long tWritten = System.nanoTime();
                beforeVerify();
                int mismatches = source.verifyAgainst(pulled.resolve(folder));
                long tVerified = System.nanoTime();
                double seconds = (tWritten - tPush) / 1e9;
                int files = source.files.size();
                out.printf(Locale.ROOT, "files: %,d   bytes: %,d (%s)   folder records: %,d   chunks queued: %,d%n",
                        files, written.bytesWritten(), mib(written.bytesWritten()), published.published(),
                        published.chunksQueued());
                out.printf(Locale.ROOT, "time: %.2f s push-to-written (seal+queue %.2f s, upload acked %.2f s, "
                        + "download %.2f s, write %.2f s); verify %.2f s; total with relay start %.2f s%n", seconds,
                        secs(tPush, tQueued), secs(tQueued, tUploaded), secs(tUploaded, tDownloaded),
                        secs(tDownloaded, tWritten), secs(tWritten, tVerified), secs(t0, tVerified));
                out.printf(Locale.ROOT, "throughput: %.1f MB/s, %.0f files/s%n", written.bytesWritten() / 1e6 / seconds,
                        files / seconds);
                relay.peakRssBytes().ifPresent(rss -> out.printf(Locale.ROOT, "relay peak RSS: %s%n", mib(rss)));
                RelayChild.peakRssBytes(ProcessHandle.current().pid()).ifPresent(rss -> out.printf(Locale.ROOT,
                        "devices peak RSS: %s (both devices, this process)%n", mib(rss)));
                if (mismatches > 0) {
                    out.printf(Locale.ROOT, "VERIFY FAILED: %d file(s) differ or are missing%n", mismatches);
                    return 1;
                }
                out.printf(Locale.ROOT, "verified: all %,d files identical (SHA-256)%n", files);
                return 0;
            } finally {
                tools.transport().close();
            }
        }
    }

    /**
     * Syncs a generated tree of fresh random bytes (nothing the measured tree can dedup against)
     * from A to B as folder {@code zerok-warm-up}, and prints how long it took.
     */
    private void warmUp(Path root, Device a, Device b, Instant deadline) throws IOException, DeviceException {
        long t = System.nanoTime();
        Path tree = Files.createDirectories(root.resolve("warm-up").resolve("zerok-warm-up"));
        java.security.SecureRandom random = new java.security.SecureRandom();
        byte[] small = new byte[1024];
        for (int i = 0; i < warmUpFiles; i++) {
            random.nextBytes(small);
            Files.write(tree.resolve(String.format(Locale.ROOT, "w%04d.bin", i)), small);
        }
        byte[] large = new byte[warmUpLargeBytes];
        random.nextBytes(large);
        Files.write(tree.resolve("large.bin"), large);
        a.folders().publish("zerok-warm-up", tree, (path, isDirectory) -> false, TransferProgress.NONE);
        a.awaitSynced(remaining(deadline));
        b.awaitSynced(remaining(deadline));
        b.folders().apply("zerok-warm-up", root.resolve("warm-up-copy"), false, false, TransferProgress.NONE);
        out.printf(Locale.ROOT, "warm-up: %.2f s (%d files, %s, not measured)%n", (System.nanoTime() - t) / 1e9,
                warmUpFiles + 1, mib((long) warmUpFiles * small.length + large.length));
    }

    /** A hook between writing the copy and verifying it (tests change the source here). */
    void beforeVerify() throws IOException {
    }

    private static Duration remaining(Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        return left.isNegative() ? Duration.ZERO : left;
    }

    private static double secs(long from, long to) {
        return (to - from) / 1e9;
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }

    /** The regular files of a tree (symbolic links and special files are not followed, as in a push). */
    private record Tree(Path root, List<Path> files, long bytes) {
        static Tree scan(Path root) throws IOException {
            List<Path> files = new ArrayList<>();
            long[] bytes = {0};
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile()) {
                        files.add(file);
                        bytes[0] += attrs.size();
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            files.sort(Comparator.naturalOrder());
            return new Tree(root, files, bytes[0]);
        }

        /** Compares every file's SHA-256 with its copy under {@code copy}; returns how many differ or are missing. */
        int verifyAgainst(Path copy) throws IOException, NoSuchAlgorithmException {
            int bad = 0;
            for (Path f : files) {
                Path other = copy.resolve(root.relativize(f).toString());
                if (!Files.isRegularFile(other, LinkOption.NOFOLLOW_LINKS)
                        || !MessageDigest.isEqual(sha256(f), sha256(other))) {
                    bad++;
                }
            }
            return bad;
        }

        private static byte[] sha256(Path f) throws IOException, NoSuchAlgorithmException {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            try (InputStream in = Files.newInputStream(f)) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    md.update(buf, 0, n);
                }
            }
            return md.digest();
        }
    }

    /** A one-line progress display on stdout, redrawn at most every 10 %. */
    private static final class Progress {
        private final PrintStream out;
        private String phase = "";
        private int lastTenth = -1;

        Progress(PrintStream out) {
            this.out = out;
        }

        TransferProgress phase(String name) {
            phase = name;
            lastTenth = -1;
            return (done, total) -> {
                int tenth = total == 0 ? 10 : (int) (done * 10 / total);
                if (tenth != lastTenth) {
                    lastTenth = tenth;
                    out.printf(Locale.ROOT, "\r%-10s [%-10s] %3d%%", phase, "#".repeat(tenth), tenth * 10);
                }
            };
        }

        void done() {
            if (lastTenth >= 0) {
                out.println();
            }
        }
    }

    static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: a leftover temp directory is harmless
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
