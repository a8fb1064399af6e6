package dev.zerok.chaos.scenarios;

import static dev.zerok.chaos.scenarios.Steps.check;
import static dev.zerok.chaos.scenarios.Steps.converge;
import static dev.zerok.chaos.scenarios.Steps.payload;

import dev.zerok.chaos.runner.Category;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Relay;
import dev.zerok.chaos.topology.RelayResources;
import dev.zerok.chaos.topology.Topology;
import dev.zerok.ports.id.BlobId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Seed 000 section 13.2's memory baseline and threshold, which no catalogue ID owns: the relay's
 * memory steady state after {@value #WARM_UP_CYCLES} clean sync cycles, then sync cycles under
 * chaos for {@link #soakDuration()} (the seed: one hour), failing if the relay's RSS grows more than
 * {@value #MAX_GROWTH_PERCENT}% over that steady state ("&gt; 10%: leak"). Outside the catalogue
 * (its summary lists it under "Outside the catalogue"); needs a topology that can read the relay
 * process's RSS ({@link Capability#RELAY_RESOURCES} with {@code rssBytes >= 0}: the real topology).
 */
public final class SoakScenarios {
    /** System property: the soak's length as an ISO-8601 duration ({@code PT1H} by default, the seed's hour). */
    public static final String SOAK = "zerok.chaos.soak";
    /** Clean sync cycles before the steady state is read (seed 000 13.2). */
    public static final int WARM_UP_CYCLES = 1000;
    /** The seed's threshold: more growth than this over the steady state is a leak. */
    public static final int MAX_GROWTH_PERCENT = 10;
    /** One cycle: a 1 KiB push from one device received by the other. */
    static final int CYCLE_BLOB_BYTES = 1024;
    private static final Duration CYCLE_TIMEOUT = Duration.ofSeconds(120);

    private SoakScenarios() {}

    /** The soak's length ({@value #SOAK}). */
    public static Duration soakDuration() {
        return Duration.parse(System.getProperty(SOAK, "PT1H"));
    }

    /**
     * BASE-MEM: two devices on one relay; {@value #WARM_UP_CYCLES} clean cycles (each a 1 KiB push
     * one way, then the other, awaited at the receiver); the steady state is the relay's peak RSS
     * over the last tenth of them. Then 5% loss each way on both links and cycles until
     * {@link #soakDuration()} has passed, the relay's RSS read after every cycle. Fails if the peak
     * exceeds the steady state by more than {@value #MAX_GROWTH_PERCENT}%, or the relay's fds end
     * more than 2 above where the soak began; after healing, convergence and all invariants.
     */
    public static final Scenario MEMORY = new Scenario("BASE-MEM", "Relay memory steady over a soak under chaos",
            Category.SYNC, Set.of(Capability.RELAY_RESOURCES, Capability.LOSS), t -> {
                SplittableRandom random = Steps.random(t);
                List<Device> d = Steps.devicesOnOneRelay(t, 2);
                Relay relay = t.relays().get(0);
                converge(t, Steps.SETTLE);
                long steady = 0;
                for (int i = 0; i < WARM_UP_CYCLES; i++) {
                    cycle(t, d, i, random);
                    if (i >= WARM_UP_CYCLES - WARM_UP_CYCLES / 10) {
                        steady = Math.max(steady, rss(t, relay));
                    }
                }
                RelayResources atStart = t.relayResources(relay);
                t.timeline().note("steady state", "relay rss " + mib(steady) + " MiB after " + WARM_UP_CYCLES
                        + " cycles, fds " + atStart.openFds());
                for (Device device : d) {
                    Steps.faultAllLinks(t, device, LinkDirection.BOTH, LinkFaults.NONE.withLoss(0.05));
                }
                Instant end = t.now().plus(soakDuration());
                long peak = 0;
                int cycles = 0;
                while (t.now().isBefore(end)) {
                    cycle(t, d, cycles++, random);
                    peak = Math.max(peak, rss(t, relay));
                }
                for (Device device : d) {
                    t.heal(device);
                }
                converge(t, Steps.SETTLE);
                RelayResources atEnd = t.relayResources(relay);
                double growth = 100.0 * (peak - steady) / steady;
                String figures = String.format(Locale.ROOT, "relay rss steady %d MiB, peak %d MiB over %s (%d cycles "
                        + "under 5%% loss): %+.1f%%; fds %d -> %d", mib(steady), mib(peak), soakDuration(), cycles,
                        growth, atStart.openFds(), atEnd.openFds());
                t.timeline().note("soak", figures);
                check(peak <= steady + steady * MAX_GROWTH_PERCENT / 100, "relay memory grew more than "
                        + MAX_GROWTH_PERCENT + "% (a leak, seed 000 13.2): " + figures);
                check(atEnd.openFds() <= atStart.openFds() + 2, "relay fds leaked over the soak: " + figures);
                Steps.allInvariants(t);
            }).withInjection(Scenario.Injection.FAULT);

    private static void cycle(Topology t, List<Device> d, int i, SplittableRandom random) {
        Device from = d.get(i % 2);
        Device to = d.get(1 - i % 2);
        BlobId id = from.push(payload(random, CYCLE_BLOB_BYTES));
        check(t.await(() -> to.received().containsKey(id), CYCLE_TIMEOUT),
                "cycle " + i + ": " + to.name() + " did not receive " + from.name() + "'s blob within " + CYCLE_TIMEOUT);
    }

    private static long rss(Topology t, Relay relay) {
        long rss = t.relayResources(relay).rssBytes();
        if (rss < 0) {
            throw new dev.zerok.chaos.topology.NotRunException("the " + t.kind()
                    + " topology cannot read the relay process's RSS (the relay runs inside the test JVM)");
        }
        return rss;
    }

    private static long mib(long bytes) {
        return bytes >> 20;
    }
}
