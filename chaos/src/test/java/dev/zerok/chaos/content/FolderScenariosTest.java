package dev.zerok.chaos.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.zerok.chaos.proxy.Direction;
import dev.zerok.chaos.proxy.DirectionStats;
import dev.zerok.chaos.proxy.FaultProfile;
import dev.zerok.chaos.proxy.UdpFaultProxy;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.client.ClientComponent;
import dev.zerok.client.ClientSettings;
import dev.zerok.client.Device;
import dev.zerok.client.DeviceException;
import dev.zerok.client.FolderReport;
import dev.zerok.client.RelayAddress;
import dev.zerok.client.TransferProgress;
import dev.zerok.kernel.content.ConflictNames;
import dev.zerok.kernel.noise.StaticIdentity;
import dev.zerok.ports.crypto.KeyPair;
import dev.zerok.ports.crypto.Secret;
import dev.zerok.relayapp.RelayConfig;
import dev.zerok.relayapp.RelayServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Folder-level scenarios (issue 12, item 5) on the real stack: an in-process relay over real QUIC
 * on loopback, three {@link Device}s with their folder model ({@code Device.folders()}), each
 * device's folder in its own directory and each device behind its own {@link UdpFaultProxy}.
 *
 * <p>F-CONV-01/02 are seed 000's T-LOSS-02 and S-CONV-03 applied to folders. A seeded random
 * workload edits, creates, deletes and renames files in all three directories for
 * {@link #ROUNDS} rounds; after each round's edits a random non-empty subset of the devices runs
 * one sync pass ({@code zerok sync --once}: publish, await synced, apply with resolutions, await
 * synced). Then sync passes run on every device until a whole pass changes nothing (at most
 * {@link #SETTLE_PASSES} passes, {@link #SETTLE_DEADLINE}). The oracle:
 *
 * <ul>
 *   <li><b>identical trees</b>: every path, every byte, conflict copies included, the same on all
 *       three devices; no {@code .*.zerok-part} temp left;
 *   <li><b>no lost edit</b>: the workload logs every write as (path, content), contents unique.
 *       A write is <em>superseded</em> only when some device edits, deletes or renames away that
 *       path while its own directory shows that content there (the later change was made having
 *       seen it: causally after). Every write not superseded must be in the final tree at its path
 *       or in a conflict copy of that path ({@code <stem>.sync-conflict-...<ext>}).
 * </ul>
 *
 * <p>Each write sets the file's mtime from a simulated user clock that advances 1 to 3 seconds
 * per write, or, one write in four, 1 to 5 ms (zerok, like Syncthing, detects a change by size and
 * mtime): two losing edits of one path from one device then fall in one second, whose Syncthing
 * conflict-copy names are equal; {@code ConflictNames.uniqueCopyPath} keeps them apart (before it,
 * the second copy's record superseded the first: edits were lost).
 *
 * <p>The mock topology cannot host these: see {@link #MOCK_NOT_RUN}.
 */
@Tag("real")
class FolderScenariosTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String FOLDER = "docs";
    private static final List<String> PATHS = List.of("f0.txt", "f1.txt", "f2.txt", "f3.txt", "sub/g0.txt",
            "sub/g1.txt", "sub/g2.txt");
    private static final int ROUNDS = 10;
    private static final int SETTLE_PASSES = 8;
    private static final Duration SETTLE_DEADLINE = Duration.ofMinutes(4);
    private static final long WORKLOAD_SEED = Long.getLong("zerok.chaos.folder.seed", 12);

    /**
     * Why F-CONV-01/02 and F-CRASH-01 are NOT RUN on the mock topology. The mock topology's devices
     * are raw {@code SyncClient}s driven on one thread in virtual time; a {@link Device} (the only
     * owner of the folder model) runs its own lane thread and waits in wall-clock time, and every
     * {@code Device.open} builds its own clock from the {@code clock} provider ({@code system}
     * returns a new instance each time), while {@code MockTransportProvider} refuses a
     * {@code network} whose clock is not the context's clock: three Devices and a relay cannot share
     * one mock network without a new shared-clock provider, and even then the run would be real
     * time, not the mock's deterministic virtual time.
     */
    static final String MOCK_NOT_RUN = "a Device (the folder model) cannot run on the mock topology: it has its own"
            + " lane thread and wall-clock waits, and each Device.open builds its own clock while MockTransportProvider"
            + " requires the mock network's clock instance";

    @TempDir
    Path dir;

    private RelayServer relay;
    private ClientComponent tools;
    private byte[] secret;
    private byte[] relayKey;
    private final List<Node> nodes = new ArrayList<>();

    /** One device: its directories, identity, proxy and open Device. */
    private static final class Node implements AutoCloseable {
        final String name;
        final Path folder;
        final UdpFaultProxy proxy;
        final Device device;

        Node(String name, Path folder, UdpFaultProxy proxy, Device device) {
            this.name = name;
            this.folder = folder;
            this.proxy = proxy;
            this.device = device;
        }

        @Override
        public void close() {
            device.close();
            proxy.close();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        relay = RelayServer.start(RelayConfig.of(Map.of("listen", "127.0.0.1:0", "http.listen", "127.0.0.1:0",
                "data.dir", dir.resolve("relay").toString())));
        tools = ClientComponent.create(ClientSettings.defaults(dir.resolve("tools")));
        secret = tools.entropy().bytes(32);
        relayKey = StaticIdentity.decodePublic(HexFormat.of().parseHex(relay.publicKeyHex()));
    }

    @AfterEach
    void tearDown() {
        for (Node n : nodes) {
            n.close();
        }
        relay.close();
        tools.transport().close();
    }

    private String relayAddress() {
        return relay.endpoint().host() + ":" + relay.endpoint().port();
    }

    private KeyPair newIdentity() throws Exception {
        return StaticIdentity.generate(tools.keyExchange().dh("25519"), tools.entropy());
    }

    private Node node(String name, long proxySeed, FaultProfile faults) throws Exception {
        UdpFaultProxy proxy = UdpFaultProxy.builder(new InetSocketAddress("127.0.0.1", relay.endpoint().port()))
                .seed(proxySeed).profile(Direction.UP, faults).profile(Direction.DOWN, faults).start();
        Device device = Device.open(dir.resolve("dev-" + name), newIdentity(), Secret.copyOf(secret),
                List.of(new RelayAddress("127.0.0.1:" + proxy.listenAddress().getPort(), relayKey)));
        Node n = new Node(name, Files.createDirectories(dir.resolve(name + "/" + FOLDER)), proxy, device);
        nodes.add(n);
        return n;
    }

    // ------------------------------------------------------------------ F-CONV

    @Test
    void F_CONV_01_threeDevicesEditDeleteRenameUnder20PercentLoss_identicalTreesNoLostEdit() throws Exception {
        FaultProfile loss = FaultProfile.NONE.withLoss(0.20);
        List<Node> three = List.of(node("a", 1201, loss), node("b", 1202, loss), node("c", 1203, loss));
        // T-LOSS-02: sync completes under the loss, so the settling passes run with the faults still on.
        runWorkloadAndConverge("F-CONV-01", three, false, Set.of("a", "b", "c"));
    }

    @Test
    void F_CONV_02_threeDevicesEditDeleteRenameUnderAsymmetricChaos_identicalTreesNoLostEdit() throws Exception {
        // S-CONV-03: A 200 ms latency each way, B 20% loss each way, C clean; healed before settling.
        List<Node> three = List.of(
                node("a", 1301, FaultProfile.NONE.withLatency(Duration.ofMillis(200), Duration.ZERO)),
                node("b", 1302, FaultProfile.NONE.withLoss(0.20)),
                node("c", 1303, FaultProfile.NONE));
        runWorkloadAndConverge("F-CONV-02", three, true, Set.of("b"));
    }

    @Test
    void F_CONV_01_onMock_notRun() {
        Assumptions.abort("NOT RUN: " + new NotRunException(MOCK_NOT_RUN).getMessage());
    }

    @Test
    void F_CONV_02_onMock_notRun() {
        Assumptions.abort("NOT RUN: " + new NotRunException(MOCK_NOT_RUN).getMessage());
    }

    @Test
    void F_CRASH_01_onMock_notRun() {
        Assumptions.abort("NOT RUN: " + new NotRunException(MOCK_NOT_RUN + "; and SIGKILL needs an OS process")
                .getMessage());
    }

    /** A change the user makes in a directory. */
    @FunctionalInterface
    private interface Edit {
        void run() throws IOException;
    }

    /** A write the workload made: content (unique) at path. */
    private record Write(String path, String content) {}

    /** The workload's log, for the no-lost-edit oracle. */
    private static final class Log {
        final List<Write> writes = new ArrayList<>();
        final Set<Write> superseded = new HashSet<>();
        long userClockMillis = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
        int retryableFailures;
        int refusals;
        int edits;
        int deletes;
        int renames;
    }

    /**
     * @param lossy the devices whose proxy must have dropped datagrams during the workload (the
     *     fault was acting, not just configured)
     */
    private void runWorkloadAndConverge(String id, List<Node> three, boolean healBeforeSettling, Set<String> lossy)
            throws Exception {
        long started = System.nanoTime();
        SplittableRandom random = new SplittableRandom(WORKLOAD_SEED ^ id.hashCode());
        Log log = new Log();
        for (int round = 0; round < ROUNDS; round++) {
            for (Node n : three) {
                int ops = 1 + random.nextInt(3);
                for (int op = 0; op < ops; op++) {
                    mutate(n, round, op, random, log);
                }
            }
            List<Node> order = new ArrayList<>(three);
            shuffle(order, random);
            int syncing = 1 + random.nextInt(three.size());
            for (Node n : order.subList(0, syncing)) {
                int r = round;
                // Half the passes: the user saves a file while the pass runs (after its publish,
                // before its apply); apply must leave that change alone, the next pass publishes it.
                Edit duringSync = random.nextBoolean() ? () -> editExisting(n, r, random, log) : null;
                syncPass(n, log, true, duringSync);
            }
        }
        StringBuilder faults = new StringBuilder();
        for (Node n : three) {
            DirectionStats up = n.proxy.stats().direction(Direction.UP);
            DirectionStats down = n.proxy.stats().direction(Direction.DOWN);
            faults.append(String.format(" %s up %d/%d down %d/%d dropped;", n.name, up.droppedDatagrams(),
                    up.receivedDatagrams(), down.droppedDatagrams(), down.receivedDatagrams()));
            if (lossy.contains(n.name)) {
                assertThat(up.droppedDatagrams()).as("%s: datagrams dropped towards the relay", n.name).isPositive();
                assertThat(down.droppedDatagrams()).as("%s: datagrams dropped towards the device", n.name).isPositive();
            }
        }
        if (healBeforeSettling) {
            for (Node n : three) {
                n.proxy.resetProfiles();
            }
        }
        long deadline = System.nanoTime() + SETTLE_DEADLINE.toNanos();
        int passes = 0;
        boolean quiet = false;
        while (!quiet && passes < SETTLE_PASSES && System.nanoTime() < deadline) {
            passes++;
            quiet = true;
            for (Node n : three) {
                quiet &= syncPass(n, log, !healBeforeSettling, null);
            }
            quiet &= tree(three.get(0).folder).equals(tree(three.get(1).folder))
                    && tree(three.get(0).folder).equals(tree(three.get(2).folder));
        }
        Map<String, String> expected = tree(three.get(0).folder);
        long copies = expected.keySet().stream().filter(ConflictNames::isConflictCopy).count();
        long distinctCopies = expected.entrySet().stream().filter(e -> ConflictNames.isConflictCopy(e.getKey()))
                .map(Map.Entry::getValue).distinct().count();
        System.out.printf("%s: %d writes (%d edits/creates, %d deletes, %d renames), %d superseded, %d conflict copies (%d distinct contents),"
                + " %d apply refusals (kept changes made during a pass), %d retryable sync failures under faults,"
                + " %d settling passes, quiet=%s, %d ms; workload faults:%s%n", id, log.writes.size(), log.edits,
                log.deletes, log.renames, log.superseded.size(), copies, distinctCopies, log.refusals, log.retryableFailures, passes,
                quiet, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), faults);
        assertThat(quiet).as("%s quiescent within %d passes / %s", id, SETTLE_PASSES, SETTLE_DEADLINE).isTrue();
        for (Node n : three) {
            assertThat(tree(n.folder)).as("tree of %s equals tree of %s", n.name, three.get(0).name).isEqualTo(expected);
        }
        assertThat(expected.keySet()).as("no temp file left").noneMatch(p -> p.endsWith(".zerok-part"));
        List<Write> lost = new ArrayList<>();
        for (Write w : log.writes) {
            if (!log.superseded.contains(w) && !present(expected, w)) {
                lost.add(w);
            }
        }
        if (!lost.isEmpty()) {
            fail("%s lost %d edit(s) (neither at their path nor in a conflict copy of it, and no device changed that"
                    + " path having seen them): %s%nfinal tree: %s", id, lost.size(), lost, expected);
        }
        assertThat(log.refusals).as("%s: apply met (and kept) at least one change made during a pass", id).isPositive();
    }

    private static boolean present(Map<String, String> tree, Write w) {
        int slash = w.path().lastIndexOf('/');
        String file = w.path().substring(slash + 1);
        int dot = file.lastIndexOf('.');
        String stem = w.path().substring(0, slash + 1) + (dot > 0 ? file.substring(0, dot) : file) + ConflictNames.MARKER;
        String ext = dot > 0 ? file.substring(dot) : "";
        for (Map.Entry<String, String> e : tree.entrySet()) {
            boolean here = e.getKey().equals(w.path())
                    || (e.getKey().startsWith(stem) && e.getKey().endsWith(ext) && e.getKey().indexOf('/', slash + 1) < 0);
            if (here && e.getValue().equals(w.content())) {
                return true;
            }
        }
        return false;
    }

    /** One random edit/create, delete or rename on {@code n}'s directory, logged. */
    private static void mutate(Node n, int round, int op, SplittableRandom random, Log log) throws IOException {
        String path = PATHS.get(random.nextInt(PATHS.size()));
        Path file = n.folder.resolve(path);
        String current = Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) ? Files.readString(file) : null;
        int kind = random.nextInt(10);
        if (current == null || kind < 5) {
            String content = content(n.name, round, op, random);
            if (current != null) {
                log.superseded.add(new Write(path, current));
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
            touch(file, random, log);
            log.writes.add(new Write(path, content));
            log.edits++;
        } else if (kind < 7) {
            log.superseded.add(new Write(path, current));
            Files.delete(file);
            log.deletes++;
        } else {
            String to = PATHS.get(random.nextInt(PATHS.size()));
            Path target = n.folder.resolve(to);
            if (to.equals(path) || Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                return;
            }
            log.superseded.add(new Write(path, current));
            Files.createDirectories(target.getParent());
            Files.move(file, target);
            log.writes.add(new Write(to, current));
            log.renames++;
        }
    }

    /** Edits one of the files {@code n}'s directory has (none: nothing), logged. */
    private static void editExisting(Node n, int round, SplittableRandom random, Log log) throws IOException {
        List<String> existing = new ArrayList<>();
        for (String path : PATHS) {
            if (Files.isRegularFile(n.folder.resolve(path), LinkOption.NOFOLLOW_LINKS)) {
                existing.add(path);
            }
        }
        if (existing.isEmpty()) {
            return;
        }
        String path = existing.get(random.nextInt(existing.size()));
        Path file = n.folder.resolve(path);
        log.superseded.add(new Write(path, Files.readString(file)));
        String content = content(n.name, round, 9, random);
        Files.writeString(file, content);
        touch(file, random, log);
        log.writes.add(new Write(path, content));
        log.edits++;
    }

    private static void touch(Path file, SplittableRandom random, Log log) throws IOException {
        // One write in four follows the last within a few ms: losing copies of one path from one device
        // within one second must not replace each other (ConflictNames.uniqueCopyPath).
        log.userClockMillis += random.nextInt(4) == 0 ? 1 + random.nextInt(5) : 1_000 + random.nextInt(2_000);
        Files.setLastModifiedTime(file, FileTime.fromMillis(log.userClockMillis));
    }

    private static String content(String device, int round, int op, SplittableRandom random) {
        StringBuilder s = new StringBuilder();
        s.append(device).append(" round ").append(round).append(" op ").append(op).append(' ')
                .append(Long.toHexString(random.nextLong())).append('\n');
        int lines = random.nextInt(40);
        for (int i = 0; i < lines; i++) {
            s.append(Long.toHexString(random.nextLong())).append('\n');
        }
        return s.toString();
    }

    /**
     * One pass of {@code zerok sync --once}. Under faults a pass may fail retryably (a timeout or
     * no relay reachable); it is counted and the next pass retries. Any other failure fails.
     *
     * @return true if the pass changed nothing (nothing published, written, deleted, pending,
     *     refused, no new conflict copy)
     */
    private static boolean syncPass(Node n, Log log, boolean faultsOn, Edit duringSync) throws Exception {
        try {
            FolderReport published = n.device.folders().publish(FOLDER, n.folder, (p, isDir) -> false,
                    TransferProgress.NONE);
            n.device.awaitSynced(WAIT);
            if (duringSync != null) {
                duringSync.run();
            }
            FolderReport applied = n.device.folders().apply(FOLDER, n.folder, true, false, TransferProgress.NONE);
            n.device.awaitSynced(WAIT);
            if (duringSync == null) {
                assertThat(applied.refused()).as("%s refused", n.name).isEmpty();
            } else {
                log.refusals += applied.refused().size();
                assertThat(applied.refused()).as("%s refused", n.name).allMatch(r -> r.contains("changed here since zerok"));
            }
            return published.published() == 0 && applied.published() == 0 && applied.written() == 0
                    && applied.deleted() == 0 && applied.pending() == 0 && applied.conflicts().isEmpty();
        } catch (DeviceException e) {
            boolean retryable = e.code() == DeviceException.Code.TIMEOUT
                    || e.code() == DeviceException.Code.ALL_RELAYS_FAILED;
            if (!faultsOn || !retryable) {
                throw e;
            }
            log.retryableFailures++;
            return false;
        }
    }

    private static void shuffle(List<Node> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            list.set(i, list.set(j, list.get(i)));
        }
    }

    /** Path to content ("<dir>" for a directory, "-> target" for a link), temp files included. */
    static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(p -> !p.equals(root)).toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "-> " + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(rel, "<dir>");
                } else {
                    out.put(rel, new String(Files.readAllBytes(p), StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ F-CRASH

    private static final int CRASH_FILE_MIB = 30;

    /**
     * A 30 MiB file of random bytes (several chunks) at version 1 on A and B; A publishes version 2
     * (other random bytes); B, as its own OS process ({@link FolderApplyProcess}, a slow disk of
     * 100 ms per chunk written), applies it and is killed with SIGKILL once it reports at least 8 MiB
     * written. Then: the target holds exactly version 1 (never a partial file); only a
     * {@code .big.bin.zerok-part} may be left beside it; the next apply (B reopened in this JVM)
     * writes version 2 byte for byte and removes the temp file.
     */
    @Test
    void F_CRASH_01_deviceKilledMidApply_noPartialFileAndResumes() throws Exception {
        long started = System.nanoTime();
        Path a = Files.createDirectories(dir.resolve("a/" + FOLDER));
        Path b = Files.createDirectories(dir.resolve("b/" + FOLDER));
        List<RelayAddress> relays = List.of(new RelayAddress(relayAddress(), relayKey));
        KeyPair idA = newIdentity();
        KeyPair idB = newIdentity();
        byte[] v1 = random(CRASH_FILE_MIB << 20, 1);
        byte[] v2 = random(CRASH_FILE_MIB << 20, 2);
        try (Device da = Device.open(dir.resolve("dev-a"), idA, Secret.copyOf(secret), relays)) {
            Files.write(a.resolve("big.bin"), v1);
            da.folders().publish(FOLDER, a, (p, isDir) -> false, TransferProgress.NONE);
            da.awaitSynced(WAIT);
            try (Device db = Device.open(dir.resolve("dev-b"), idB, Secret.copyOf(secret), relays)) {
                db.awaitSynced(WAIT);
                assertThat(db.folders().apply(FOLDER, b, true, false, TransferProgress.NONE).written()).isEqualTo(1);
            }
            assertThat(sha256(b.resolve("big.bin"))).isEqualTo(sha256(v1));
            Files.write(a.resolve("big.bin"), v2);
            Files.setLastModifiedTime(a.resolve("big.bin"), FileTime.fromMillis(System.currentTimeMillis() + 5_000));
            assertThat(da.folders().publish(FOLDER, a, (p, isDir) -> false, TransferProgress.NONE).published())
                    .isEqualTo(1);
            da.awaitSynced(WAIT);
        }

        Path identityFile = dir.resolve("b.key");
        Path secretFile = dir.resolve("group.key");
        try (Secret encoded = StaticIdentity.encodePrivate(idB)) {
            Files.write(identityFile, encoded.expose());
        }
        Files.write(secretFile, secret);
        List<String> command = List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                FolderApplyProcess.class.getName(), dir.resolve("dev-b").toString(), identityFile.toString(),
                secretFile.toString(), relayAddress(), HexFormat.of().formatHex(relayKey), FOLDER, b.toString(), "100");
        Path childLog = dir.resolve("apply-1.log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(childLog.toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (child.isAlive() && writtenSoFar(childLog) < (8L << 20) && System.nanoTime() < deadline) {
            child.waitFor(5, TimeUnit.MILLISECONDS);
        }
        assertThat(child.isAlive()).as("the applying process is still writing when killed; its log: %s",
                Files.readString(childLog)).isTrue();
        child.destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long writtenAtKill = writtenSoFar(childLog);
        assertThat(writtenAtKill).as("killed mid-file").isBetween(8L << 20, (CRASH_FILE_MIB << 20) - 1L);

        assertThat(sha256(b.resolve("big.bin"))).as("the target still holds the complete version 1")
                .isEqualTo(sha256(v1));
        try (Stream<Path> left = Files.list(b)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsOnly("big.bin", ".big.bin.zerok-part");
        }

        try (Device db = Device.open(dir.resolve("dev-b"), idB, Secret.copyOf(secret), relays)) {
            db.awaitSynced(WAIT);
            FolderReport resumed = db.folders().apply(FOLDER, b, true, false, TransferProgress.NONE);
            assertThat(resumed.written()).isEqualTo(1);
            assertThat(resumed.refused()).isEmpty();
        }
        assertThat(sha256(b.resolve("big.bin"))).as("version 2, byte for byte").isEqualTo(sha256(v2));
        try (Stream<Path> left = Files.list(b)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactly("big.bin");
        }
        System.out.printf("F-CRASH-01: killed after %d of %d bytes written; %d ms%n", writtenAtKill,
                CRASH_FILE_MIB << 20, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** The bytes the applying process reported written (its last {@code progress} line), 0 before any. */
    private static long writtenSoFar(Path childLog) throws IOException {
        long done = 0;
        for (String line : Files.readAllLines(childLog)) {
            if (line.startsWith("progress ")) {
                done = Long.parseLong(line.split(" ")[1]);
            }
        }
        return done;
    }

    private static byte[] random(int bytes, long seed) {
        byte[] out = new byte[bytes];
        new SplittableRandom(seed).nextBytes(out);
        return out;
    }

    private static String sha256(Path file) throws Exception {
        return sha256(Files.readAllBytes(file));
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
