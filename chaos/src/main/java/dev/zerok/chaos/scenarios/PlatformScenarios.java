package dev.zerok.chaos.scenarios;

import static dev.zerok.chaos.scenarios.Steps.check;
import static dev.zerok.chaos.scenarios.Steps.converge;
import static dev.zerok.chaos.scenarios.Steps.payload;

import dev.zerok.chaos.runner.Category;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.Group;
import dev.zerok.chaos.topology.NotRunException;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.ports.clientstate.VersionVector;
import dev.zerok.ports.id.BlobId;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seed 000 section 10.3, cross-platform chaos (category {@link Category#CROSS_PLATFORM}: five
 * iterations). This machine runs one OS, so the scenarios that need a second one (a Windows client,
 * Windows file locking) are NOT RUN naming the platform; the two whose failure mode is not
 * OS-specific run on any topology that can inject it: X-PLAT-02's lid close is
 * {@link Topology#pauseDevice}/{@link Topology#resumeDevice} (SIGSTOP/SIGCONT of a device
 * process on real) and X-PLAT-03 is three devices through a relay restart.
 */
public final class PlatformScenarios {
    /**
     * How long X-PLAT-02 keeps the lid closed: past the relay's QUIC idle timeout (30 s in
     * production, adapters-transport-quic README) so the relay must end the silent session on its own.
     */
    public static final Duration LID_CLOSED = Duration.ofSeconds(40);
    /** How long after waking the relay may still count a stale session before X-PLAT-02 fails. */
    public static final Duration STALE_SESSION_BOUND = Duration.ofSeconds(60);

    private PlatformScenarios() {}

    private static String os() {
        return System.getProperty("os.name", "?") + " " + System.getProperty("os.arch", "?");
    }

    private static boolean onWindows() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("windows");
    }

    public static final Scenario X_PLAT_01 = new Scenario("X-PLAT-01",
            "Linux client <-> Windows client, 500 ms latency, 20% loss", Category.CROSS_PLATFORM, Set.of(), t -> {
                throw new NotRunException("needs a Windows client and a Linux client on one relay (a Windows VM, seed 000 "
                        + "10.2); this run has only " + os());
            });

    /**
     * X-PLAT-02: a device's process is frozen (lid closed) for {@link #LID_CLOSED} while its peer
     * pushes; after waking it (1) recovers: SYNCED again, (2) sync resumes both ways: it receives
     * the blob pushed while it slept and its own new blob reaches the peer, and (3) no stale
     * session: the relay's live session count comes back to exactly the running devices (the
     * sleeper's pre-sleep session is gone, not kept beside the new one).
     */
    public static final Scenario X_PLAT_02 = new Scenario("X-PLAT-02",
            "Aggressive sleep (lid close: device process paused, then resumed)", Category.CROSS_PLATFORM,
            Set.of(Capability.PAUSE_DEVICE, Capability.RELAY_RESOURCES), PlatformScenarios::lidClose);

    private static void lidClose(Topology t) {
        SplittableRandom random = Steps.random(t);
        List<Device> d = Steps.devicesOnOneRelay(t, 2);
        Relay relay = t.relays().get(0);
        Device sleeper = d.get(0);
        Device peer = d.get(1);
        sleeper.push(payload(random, 512 + random.nextInt(2048)));
        converge(t, Duration.ofMinutes(2));
        check(t.relayResources(relay).sessions() == 2, "expected 2 relay sessions before the sleep, saw "
                + t.relayResources(relay).sessions());
        t.pauseDevice(sleeper);
        BlobId whileAsleep = peer.push(payload(random, 512 + random.nextInt(2048)));
        t.runFor(LID_CLOSED);
        check(!sleeper.received().containsKey(whileAsleep), sleeper.name() + " received a blob while frozen");
        t.resumeDevice(sleeper);
        BlobId afterWake = sleeper.push(payload(random, 512 + random.nextInt(2048)));
        converge(t, Duration.ofMinutes(3));
        check(sleeper.status().kind() == SyncStatus.Kind.SYNCED, sleeper.name() + " did not recover after waking");
        check(sleeper.received().containsKey(whileAsleep), sleeper.name() + " missed the blob pushed while it slept");
        check(peer.received().containsKey(afterWake), peer.name() + " missed the blob pushed after the wake");
        boolean noStale = t.await(() -> t.relayResources(relay).sessions() == 2, STALE_SESSION_BOUND);
        check(noStale, "stale session: the relay counts " + t.relayResources(relay).sessions()
                + " sessions for 2 running devices " + STALE_SESSION_BOUND + " after the wake");
        Steps.allInvariants(t);
    }

    /**
     * X-PLAT-03: three devices sync through one relay; the relay is killed, each device pushes while
     * it is down, the relay restarts; all three reconnect (SYNCED), every blob reaches every device,
     * version vectors are equal and dominate the pre-restart ones (no regression), and where the
     * topology can count sessions the relay holds exactly three.
     */
    public static final Scenario X_PLAT_03 = new Scenario("X-PLAT-03", "Three clients, relay restart (one OS here)",
            Category.CROSS_PLATFORM, Set.of(Capability.KILL_RELAY, Capability.RESTART_RELAY), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 3);
                Relay relay = t.relays().get(0);
                for (int i = 0; i < 6; i++) {
                    d.get(i % 3).push(payload(random, 256 + random.nextInt(4096)));
                }
                converge(t, Duration.ofMinutes(3));
                VersionVector before = d.get(0).versionVector();
                t.killRelay(relay);
                for (Device x : d) {
                    x.push(payload(random, 256 + random.nextInt(4096)));
                }
                t.runFor(Duration.ofSeconds(1 + random.nextInt(10)));
                t.restartRelay(relay);
                converge(t, Duration.ofMinutes(5));
                for (Device x : d) {
                    check(x.status().kind() == SyncStatus.Kind.SYNCED, x.name() + " did not reconnect");
                    check(x.versionVector().dominates(before), x.name() + " regressed across the relay restart");
                }
                if (t.capabilities().contains(Capability.RELAY_RESOURCES)) {
                    boolean three = t.await(() -> t.relayResources(relay).sessions() == 3, STALE_SESSION_BOUND);
                    check(three, "the relay counts " + t.relayResources(relay).sessions() + " sessions for 3 devices");
                }
                Steps.allInvariants(t);
            });

    public static final Scenario X_PLAT_04 = new Scenario("X-PLAT-04", "Windows file locking during blob write",
            Category.CROSS_PLATFORM, Set.of(), t -> {
                if (!onWindows()) {
                    throw new NotRunException("needs Windows (mandatory file locks, \"file in use\"); this run has "
                            + os());
                }
                throw new NotRunException("no Windows file-lock injector exists yet (seed 000 10.3 X-PLAT-04)");
            });

    public static final List<Scenario> ALL = List.of(X_PLAT_01, X_PLAT_02, X_PLAT_03, X_PLAT_04);
}
