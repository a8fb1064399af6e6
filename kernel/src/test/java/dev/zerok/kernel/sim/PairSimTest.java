package dev.zerok.kernel.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.kernel.relay.RelayLimits;
import dev.zerok.kernel.relay.TokenBucketLimiter;
import dev.zerok.kernel.sync.DeliveredBlob;
import dev.zerok.kernel.sync.SyncConfig;
import dev.zerok.kernel.sync.SyncStatus;
import dev.zerok.kernel.wire.ErrorCode;
import dev.zerok.kernel.wire.Message;
import dev.zerok.ports.id.BlobId;
import dev.zerok.ports.relaystore.StoredBlob;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** Two devices syncing through the real relay machine in the pair simulator. */
class PairSimTest {
    @Test
    void push_ofFiftyBlobs_isStoredOnceAndDeliveredToThePeer() {
        Sim sim = new Sim(1);
        SimRelay relay = sim.relay(RelayLimits.DEFAULTS);
        SimDevice a = sim.device(List.of(relay));
        SimDevice b = sim.device(List.of(relay));
        sim.start(a);
        sim.start(b);
        List<BlobId> pushed = new ArrayList<>();

        for (int i = 0; i < 50; i++) {
            pushed.add(a.push(("blob " + i).getBytes(StandardCharsets.UTF_8)));
        }
        boolean done = sim.runUntil(() -> b.delivered().size() == 50, Duration.ofMinutes(1));

        assertThat(done).as("B received all 50 within a virtual minute").isTrue();
        assertThat(b.delivered()).extracting(DeliveredBlob::blob).containsExactlyElementsOf(pushed);
        assertThat(b.delivered()).allSatisfy(d -> assertThat(d.sender()).isEqualTo(a.id()));
        assertThat(b.engine().versionVector().get(a.id())).isEqualTo(50);
        assertThat(relay.pushesRefused(ErrorCode.RATE_LIMITED)).as("refusals under the default 400-push burst").isZero();
        List<StoredBlob> log = relay.log(sim.group());
        assertThat(log).hasSize(50);
        assertThat(log).extracting(StoredBlob::blob).containsExactlyElementsOf(pushed);
        assertThat(log).extracting(s -> s.cursor().value()).containsExactly(
                java.util.stream.LongStream.rangeClosed(1, 50).boxed().toArray(Long[]::new));
    }

    /** One seed, one run: two runs of the same script with the same seed agree to the byte, another seed does not. */
    @Test
    void run_ofTheSameSeedTwice_isIdenticalToTheByte() {
        List<String> first = scriptedRun(7);
        List<String> second = scriptedRun(7);
        List<String> otherSeed = scriptedRun(8);

        assertThat(second).containsExactlyElementsOf(first);
        assertThat(otherSeed).hasSameSizeAs(first).isNotEqualTo(first);
    }

    /**
     * Two devices over slow links through a tightly rate-limited relay (refusals, retries, pauses:
     * timing matters), each pushing; returns the relay's log (cursor, sender, sealed payload in
     * hex), each device's deliveries and the virtual time at the end.
     */
    private static List<String> scriptedRun(long seed) {
        Sim sim = new Sim(seed);
        SimRelay relay = sim.relay(RelayLimits.DEFAULTS, new TokenBucketLimiter.Rate(40, 3));
        SimDevice a = sim.device(List.of(relay), c -> withWindow(c, 8)).latency(relay, Duration.ofMillis(30));
        SimDevice b = sim.device(List.of(relay)).latency(relay, Duration.ofMillis(70));
        sim.start(a);
        sim.start(b);
        for (int i = 0; i < 40; i++) {
            a.push(("a" + i).getBytes(StandardCharsets.UTF_8));
            if (i % 4 == 0) {
                b.push(("b" + i).getBytes(StandardCharsets.UTF_8));
            }
            sim.runFor(Duration.ofMillis(3));
        }
        assertThat(sim.runUntil(() -> b.delivered().size() == 40 && a.delivered().size() == 10, Duration.ofMinutes(5)))
                .as("both devices received the other's blobs").isTrue();
        assertThat(relay.pushesRefused(ErrorCode.RATE_LIMITED)).as("pushes the relay refused with RATE_LIMITED").isPositive();
        List<String> trace = new ArrayList<>();
        HexFormat hex = HexFormat.of();
        for (StoredBlob row : relay.log(sim.group())) {
            trace.add(row.cursor().value() + " " + (row.sender().equals(a.id()) ? "A" : "B") + " " + hex.formatHex(row.payload()));
        }
        for (SimDevice d : List.of(a, b)) {
            for (DeliveredBlob blob : d.delivered()) {
                trace.add("delivered " + new String(blob.data(), StandardCharsets.UTF_8) + " " + hex.formatHex(blob.blob().bytes()));
            }
        }
        trace.add("end " + sim.now());
        return trace;
    }

    /**
     * Pushes issued in a tight loop through a rate-limited relay keep the sender's order: in the
     * relay's log (the sender's rows by cursor) and in the peer's deliveries, each blob once.
     */
    @Property(tries = 60, seed = "13")
    void pushes_throughARateLimitedRelay_keepPushOrderInTheLogAndAtThePeer(
            @ForAll @IntRange(min = 20, max = 300) int pushes,
            @ForAll @IntRange(min = 20, max = 500) int devicePerSecond,
            @ForAll @IntRange(min = 1, max = 50) int deviceBurst,
            @ForAll @IntRange(min = 0, max = 200) int latencyAMillis,
            @ForAll @IntRange(min = 0, max = 200) int latencyBMillis,
            @ForAll @IntRange(min = 1, max = 32) int window,
            @ForAll @IntRange(min = 0, max = 5) int millisBetweenPushes,
            @ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        Sim sim = new Sim(seed);
        SimRelay relay = sim.relay(RelayLimits.DEFAULTS, new TokenBucketLimiter.Rate(devicePerSecond, deviceBurst));
        SimDevice a = sim.device(List.of(relay), c -> withWindow(c, window)).latency(relay, Duration.ofMillis(latencyAMillis));
        SimDevice b = sim.device(List.of(relay)).latency(relay, Duration.ofMillis(latencyBMillis));
        sim.start(a);
        sim.start(b);
        boolean up = sim.runUntil(() -> a.engine().status().kind() == SyncStatus.Kind.SYNCED
                && b.engine().status().kind() == SyncStatus.Kind.SYNCED, Duration.ofSeconds(5));
        assertThat(up).as("both devices connected").isTrue();
        List<BlobId> pushed = new ArrayList<>();

        for (int i = 0; i < pushes; i++) {
            pushed.add(a.push(("blob " + i).getBytes(StandardCharsets.UTF_8)));
            sim.runFor(Duration.ofMillis(millisBetweenPushes));
        }
        boolean done = sim.runUntil(() -> b.delivered().size() >= pushes, Duration.ofMinutes(10));

        boolean rateLimited = relay.pushesRefused(ErrorCode.RATE_LIMITED) > 0;
        Statistics.label("relay refused a push with RATE_LIMITED").collect(rateLimited);
        // Not vacuous: the relay must have refused pushes in a good share of the tries.
        Statistics.label("relay refused a push with RATE_LIMITED").coverage(
                c -> c.check(true).percentage(p -> p >= 25));
        assertThat(done).as("B received all %d blobs within 10 virtual minutes", pushes).isTrue();
        // Blob ids print redacted: compare push indexes (-1 = a blob A never pushed).
        List<Integer> pushOrder = IntStream.range(0, pushes).boxed().toList();
        List<Integer> logOfA = relay.log(sim.group()).stream().filter(s -> s.sender().equals(a.id()))
                .map(s -> pushed.indexOf(s.blob())).toList();
        assertThat(logOfA).as("push indexes of A's rows in the relay's log, by cursor").containsExactlyElementsOf(pushOrder);
        assertThat(b.delivered()).extracting(d -> pushed.indexOf(d.blob())).as("push indexes of B's deliveries")
                .containsExactlyElementsOf(pushOrder);
        assertThat(relay.log(sim.group())).as("rows in the relay's log").hasSize(pushes);
        // Nothing is lost on these links: every Push A sent was stored once or refused, and only refusals were sent again.
        assertThat(a.sent().stream().filter(m -> m instanceof Message.Push).count()).as("Push messages A sent")
                .isEqualTo(pushes + relay.pushesRefused(ErrorCode.RATE_LIMITED));
        assertThat(b.engine().versionVector().get(a.id())).isEqualTo(pushes);
    }

    private static SyncConfig withWindow(SyncConfig c, int window) {
        return new SyncConfig(c.device(), c.relays(), c.connectTimeout(), c.responseTimeout(), c.pullMaxBlobs(),
                c.pullMaxBytes(), window, c.pushTtl(), c.keepAlive());
    }
}
