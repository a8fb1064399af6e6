package dev.zerok.chaos.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decision engine without sockets: rates, distributions, the link queue and determinism, on
 * virtual time (the {@code nowNanos} passed in). Tolerances are derived from the binomial or
 * sampling standard deviation and stated next to each assertion.
 */
class FaultEngineTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static byte[] datagram(int seq, int sizeBytes) {
        byte[] b = new byte[Math.max(sizeBytes, 4)];
        ByteBuffer.wrap(b).putInt(seq);
        return Arrays.copyOf(b, sizeBytes);
    }

    /** Sends {@code n} datagrams of 100 bytes one millisecond apart; returns the verdicts. */
    private static List<Verdict> run(FaultEngine engine, Direction d, int n) {
        List<Verdict> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            verdicts.add(engine.onDatagram(d, datagram(i, 100), i * MS));
        }
        return verdicts;
    }

    private static long count(List<Verdict> verdicts, Fault cause) {
        return verdicts.stream().filter(v -> v instanceof Verdict.Dropped dr && dr.cause() == cause).count();
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, -7})
    void onDatagram_twentyPercentLossOver10000_dropsTwentyPercentWithinTwoPoints(long seed) {
        FaultEngine engine = new FaultEngine(seed);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withLoss(0.2));

        List<Verdict> verdicts = run(engine, Direction.UP, 10_000);

        // Binomial: sigma = sqrt(0.2 * 0.8 / 10000) = 0.4 points; 2 points is 5 sigma
        // (false alarm ~6e-7 per seed), while a rate off by 2.5 points would fail.
        double rate = count(verdicts, Fault.LOSS) / 10_000.0;
        assertThat(rate).isCloseTo(0.2, within(0.02));
        assertThat(engine.stats(Direction.UP).dropped(Fault.LOSS)).isEqualTo(count(verdicts, Fault.LOSS));
        assertThat(engine.stats(Direction.UP).forwardedDatagrams()).isEqualTo(10_000 - count(verdicts, Fault.LOSS));
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void onDatagram_gilbertElliott_lossesComeInBurstsOfMeanOneOverBadToGood(long seed) {
        FaultEngine engine = new FaultEngine(seed);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withBurstLoss(new BurstLoss(0.05, 0.25, 1.0)));

        List<Verdict> verdicts = run(engine, Direction.UP, 10_000);

        List<Integer> bursts = burstLengths(verdicts);
        double meanBurst = bursts.stream().mapToInt(Integer::intValue).average().orElseThrow();
        // Bad sojourns are geometric with mean 1/0.25 = 4 and sd sqrt(0.75)/0.25 = 3.46; about
        // 10000 * (5/6) * 0.05 = 417 bursts, so the sd of the mean is 0.17; 0.7 is 4 sigma.
        assertThat(meanBurst).isCloseTo(4.0, within(0.7));
        // Long-run loss p/(p+r) = 1/6. The chain's correlation widens the spread: with mean burst
        // 4 the variance is about 7x the binomial one (sd ~1 point); 4 points is 4 sigma.
        double rate = count(verdicts, Fault.BURST_LOSS) / 10_000.0;
        assertThat(rate).isCloseTo(1.0 / 6, within(0.04));
    }

    @Test
    void onDatagram_independentLossAtTheSameRate_hasNoLongBursts() {
        FaultEngine engine = new FaultEngine(5);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withLoss(1.0 / 6));

        double meanBurst = burstLengths(run(engine, Direction.UP, 10_000)).stream()
                .mapToInt(Integer::intValue).average().orElseThrow();

        // Independent loss: runs are geometric with mean 1 / (1 - 1/6) = 1.2, far from 4.
        assertThat(meanBurst).isCloseTo(1.2, within(0.15));
    }

    private static List<Integer> burstLengths(List<Verdict> verdicts) {
        List<Integer> bursts = new ArrayList<>();
        int run = 0;
        for (Verdict v : verdicts) {
            if (v instanceof Verdict.Dropped) {
                run++;
            } else if (run > 0) {
                bursts.add(run);
                run = 0;
            }
        }
        return bursts;
    }

    @Test
    void onDatagram_latencyFiftyJitterTen_delaysAreNormalWithThoseMoments() {
        FaultEngine engine = new FaultEngine(11);
        engine.setProfile(Direction.DOWN, FaultProfile.NONE.withLatency(Duration.ofMillis(50), Duration.ofMillis(10)));

        double[] delaysMs = new double[10_000];
        for (int i = 0; i < delaysMs.length; i++) {
            long now = i * MS;
            Verdict.Forwarded f = (Verdict.Forwarded) engine.onDatagram(Direction.DOWN, datagram(i, 50), now);
            delaysMs[i] = (f.deliveries().getFirst().sendAtNanos() - now) / (double) MS;
        }

        double mean = Arrays.stream(delaysMs).average().orElseThrow();
        double sd = Math.sqrt(Arrays.stream(delaysMs).map(x -> (x - mean) * (x - mean)).sum() / (delaysMs.length - 1));
        // sd of the sample mean: 10/sqrt(10000) = 0.1 ms; of the sample sd: 10/sqrt(20000) = 0.07 ms.
        assertThat(mean).isCloseTo(50, within(0.5));
        assertThat(sd).isCloseTo(10, within(0.5));
        // Normal, not uniform: about 68.3% within one sd (binomial sd 0.47 points).
        long withinOneSd = Arrays.stream(delaysMs).filter(x -> Math.abs(x - 50) <= 10).count();
        assertThat(withinOneSd / 10_000.0).isCloseTo(0.683, within(0.025));
    }

    @Test
    void onDatagram_jitterLargerThanMean_negativeSamplesBecomeZeroNeverNegative() {
        FaultEngine engine = new FaultEngine(12);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withLatency(Duration.ZERO, Duration.ofMillis(10)));

        int atOnce = 0;
        for (int i = 0; i < 2_000; i++) {
            long now = 1_000 * MS + i * MS;
            Verdict.Forwarded f = (Verdict.Forwarded) engine.onDatagram(Direction.UP, datagram(i, 10), now);
            long delay = f.deliveries().getFirst().sendAtNanos() - now;
            assertThat(delay).isNotNegative();
            atOnce += delay == 0 ? 1 : 0;
        }
        // Half the mass of N(0, 10 ms) is below 0; binomial sd over 2000 is 1.1 points.
        assertThat(atOnce / 2_000.0).isCloseTo(0.5, within(0.05));
    }

    @Test
    void onDatagram_sameSeedSameSequence_sameVerdicts() {
        FaultProfile all = FaultProfile.NONE.withLoss(0.1).withBurstLoss(new BurstLoss(0.02, 0.3, 0.8))
                .withLatency(Duration.ofMillis(20), Duration.ofMillis(5)).withReorder(0.1, Duration.ofMillis(15))
                .withDuplicate(0.05).withCorrupt(0.05).withBandwidth(500_000);

        List<String> first = trace(new FaultEngine(99), all);
        List<String> again = trace(new FaultEngine(99), all);
        List<String> otherSeed = trace(new FaultEngine(100), all);

        assertThat(again).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
    }

    /** Both directions interleaved; each verdict written out in full (causes, times, bytes). */
    private static List<String> trace(FaultEngine engine, FaultProfile profile) {
        engine.setProfile(Direction.UP, profile);
        engine.setProfile(Direction.DOWN, profile);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            Direction d = i % 3 == 0 ? Direction.DOWN : Direction.UP;
            out.add(describe(engine.onDatagram(d, datagram(i, 200), i * MS / 2)));
        }
        return out;
    }

    private static String describe(Verdict v) {
        return switch (v) {
            case Verdict.Dropped d -> "drop " + d.cause();
            case Verdict.Forwarded f -> "fwd " + f.injected() + " " + f.deliveries().stream()
                    .map(x -> x.sendAtNanos() + ":" + Arrays.hashCode(x.payload())).toList();
        };
    }

    @Test
    void onDatagram_otherStagesOrOtherDirectionChange_lossDecisionsStayTheSame() {
        FaultEngine plain = new FaultEngine(7);
        plain.setProfile(Direction.UP, FaultProfile.NONE.withLoss(0.3));
        FaultEngine busy = new FaultEngine(7);
        busy.setProfile(Direction.UP, FaultProfile.NONE.withLoss(0.3)
                .withLatency(Duration.ofMillis(30), Duration.ofMillis(8)).withDuplicate(0.2).withCorrupt(0.2));
        busy.setProfile(Direction.DOWN, FaultProfile.NONE.withLoss(0.5));

        List<Boolean> plainDrops = new ArrayList<>();
        List<Boolean> busyDrops = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            plainDrops.add(plain.onDatagram(Direction.UP, datagram(i, 64), i * MS) instanceof Verdict.Dropped);
            busy.onDatagram(Direction.DOWN, datagram(i, 64), i * MS);
            busyDrops.add(busy.onDatagram(Direction.UP, datagram(i, 64), i * MS) instanceof Verdict.Dropped);
        }

        assertThat(busyDrops).isEqualTo(plainDrops).contains(true, false);
    }

    @Test
    void onDatagram_tenPercentDuplicate_twoIdenticalCopiesAtThatRate() {
        FaultEngine engine = new FaultEngine(21);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withDuplicate(0.1));

        int duplicated = 0;
        for (Verdict v : run(engine, Direction.UP, 10_000)) {
            Verdict.Forwarded f = (Verdict.Forwarded) v;
            if (f.injected().contains(Fault.DUPLICATE)) {
                duplicated++;
                assertThat(f.deliveries()).hasSize(2);
                assertThat(f.deliveries().get(1).payload()).isEqualTo(f.deliveries().get(0).payload());
            } else {
                assertThat(f.deliveries()).hasSize(1);
            }
        }
        // Binomial sd over 10000 at 0.1: 0.3 points; 1.5 points is 5 sigma.
        assertThat(duplicated / 10_000.0).isCloseTo(0.1, within(0.015));
        assertThat(engine.stats(Direction.UP).forwardedDatagrams()).isEqualTo(10_000 + duplicated);
    }

    @Test
    void onDatagram_tenPercentCorrupt_exactlyOneBitFlippedAtThatRate() {
        FaultEngine engine = new FaultEngine(22);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withCorrupt(0.1));

        int corrupted = 0;
        for (int i = 0; i < 10_000; i++) {
            byte[] sent = datagram(i, 100);
            byte[] original = sent.clone();
            Verdict.Forwarded f = (Verdict.Forwarded) engine.onDatagram(Direction.UP, sent, i * MS);
            byte[] out = f.deliveries().getFirst().payload();
            int bitsDiffering = 0;
            for (int j = 0; j < out.length; j++) {
                bitsDiffering += Integer.bitCount((out[j] ^ original[j]) & 0xff);
            }
            assertThat(sent).as("the input is never modified").isEqualTo(original);
            assertThat(bitsDiffering).isEqualTo(f.injected().contains(Fault.CORRUPT) ? 1 : 0);
            corrupted += bitsDiffering;
        }
        assertThat(corrupted / 10_000.0).isCloseTo(0.1, within(0.015));
        assertThat(engine.stats(Direction.UP).corrupted()).isEqualTo(corrupted);
    }

    @Test
    void onDatagram_emptyPayloadWithCorruptOne_forwardedUnchanged() {
        FaultEngine engine = new FaultEngine(23);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withCorrupt(1));

        Verdict v = engine.onDatagram(Direction.UP, new byte[0], 0);

        assertThat(v).isInstanceOfSatisfying(Verdict.Forwarded.class, f -> {
            assertThat(f.injected()).doesNotContain(Fault.CORRUPT);
            assertThat(f.deliveries().getFirst().payload()).isEmpty();
        });
    }

    @Test
    void onDatagram_reorder_heldBackByTheExtraDelayAtThatRate() {
        FaultEngine engine = new FaultEngine(24);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withLatency(Duration.ofMillis(5), Duration.ZERO)
                .withReorder(0.25, Duration.ofMillis(20)));

        int reordered = 0;
        for (int i = 0; i < 4_000; i++) {
            long now = i * MS;
            Verdict.Forwarded f = (Verdict.Forwarded) engine.onDatagram(Direction.UP, datagram(i, 10), now);
            long delay = f.deliveries().getFirst().sendAtNanos() - now;
            boolean held = f.injected().contains(Fault.REORDER);
            assertThat(delay).isEqualTo(held ? 25 * MS : 5 * MS);
            reordered += held ? 1 : 0;
        }
        // Binomial sd over 4000 at 0.25: 0.68 points; 3 points is 4.4 sigma.
        assertThat(reordered / 4_000.0).isCloseTo(0.25, within(0.03));
    }

    @Test
    void onDatagram_bandwidth100KBps_serialisesBackToBackDatagramsTenMsApart() {
        FaultEngine engine = new FaultEngine(25);
        engine.setProfile(Direction.DOWN, FaultProfile.NONE.withBandwidth(100_000));

        List<Long> sendAt = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Verdict.Forwarded f = (Verdict.Forwarded) engine.onDatagram(Direction.DOWN, datagram(i, 1_000), 0);
            sendAt.add(f.deliveries().getFirst().sendAtNanos());
        }

        // 1000 bytes at 100000 B/s = 10 ms each; 100 KB leaves the link after exactly 1 s.
        for (int i = 0; i < 100; i++) {
            assertThat(sendAt.get(i)).isEqualTo((i + 1) * 10 * MS);
        }
    }

    @Test
    void onDatagram_bandwidthQueueFull_tailDropsUntilTheQueueDrains() {
        FaultEngine engine = new FaultEngine(26);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withBandwidth(100_000).withQueueLimit(5_000));

        List<Verdict> burst = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            burst.add(engine.onDatagram(Direction.UP, datagram(i, 1_000), 0));
        }
        // Waiting bytes before datagram k are 1000 * k: k = 0..4 fit in 5000, k >= 5 do not.
        assertThat(burst.subList(0, 5)).allMatch(v -> v instanceof Verdict.Forwarded);
        assertThat(burst.subList(5, 8)).allMatch(v -> v.equals(new Verdict.Dropped(Fault.QUEUE_FULL)));
        // At 30 ms, 3 of the 5 have left: 2000 bytes wait, so 3 more fit, then full again.
        List<Verdict> later = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            later.add(engine.onDatagram(Direction.UP, datagram(i, 1_000), 30 * MS));
        }
        assertThat(later.subList(0, 3)).allMatch(v -> v instanceof Verdict.Forwarded);
        assertThat(later.get(3)).isEqualTo(new Verdict.Dropped(Fault.QUEUE_FULL));
        assertThat(engine.stats(Direction.UP).dropped(Fault.QUEUE_FULL)).isEqualTo(4);
    }

    @Test
    void onDatagram_limitData_cutsAfterTheBudgetAndStaysCut() {
        FaultEngine engine = new FaultEngine(27);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withLimitData(10_000));

        List<Verdict> verdicts = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            verdicts.add(engine.onDatagram(Direction.UP, datagram(i, 300), i * MS));
        }
        Verdict tinyAfterCut = engine.onDatagram(Direction.UP, datagram(0, 1), 60 * MS);
        Verdict downUnaffected = engine.onDatagram(Direction.DOWN, datagram(0, 300), 60 * MS);

        // 33 * 300 = 9900 <= 10000; the 34th would make 10200.
        assertThat(verdicts.subList(0, 33)).allMatch(v -> v instanceof Verdict.Forwarded);
        assertThat(verdicts.subList(33, 50)).allMatch(v -> v.equals(new Verdict.Dropped(Fault.LIMIT_DATA)));
        assertThat(tinyAfterCut).isEqualTo(new Verdict.Dropped(Fault.LIMIT_DATA));
        assertThat(downUnaffected).isInstanceOf(Verdict.Forwarded.class);
        assertThat(engine.stats(Direction.UP).limitDataCut()).isTrue();
        assertThat(engine.stats(Direction.UP).forwardedBytes()).isEqualTo(9_900);

        engine.setProfile(Direction.UP, FaultProfile.NONE.withLimitData(600));
        assertThat(engine.stats(Direction.UP).limitDataCut()).as("a new limit restarts the budget").isFalse();
        assertThat(engine.onDatagram(Direction.UP, datagram(0, 300), 70 * MS)).isInstanceOf(Verdict.Forwarded.class);
        assertThat(engine.onDatagram(Direction.UP, datagram(0, 300), 70 * MS)).isInstanceOf(Verdict.Forwarded.class);
        assertThat(engine.onDatagram(Direction.UP, datagram(0, 1), 70 * MS)).isInstanceOf(Verdict.Dropped.class);
    }

    @Test
    void setProfile_partitionThenHeal_dropsAllThenForwardsAgain() {
        FaultEngine engine = new FaultEngine(28);
        engine.updateProfile(Direction.UP, p -> p.withPartitioned(true));

        List<Verdict> during = run(engine, Direction.UP, 100);
        engine.updateProfile(Direction.UP, p -> p.withPartitioned(false));
        List<Verdict> after = run(engine, Direction.UP, 100);

        assertThat(during).allMatch(v -> v.equals(new Verdict.Dropped(Fault.PARTITION)));
        assertThat(after).allMatch(v -> v instanceof Verdict.Forwarded);
        DirectionStats stats = engine.stats(Direction.UP);
        assertThat(stats.receivedDatagrams()).isEqualTo(200);
        assertThat(stats.dropped(Fault.PARTITION)).isEqualTo(100);
        assertThat(stats.droppedDatagrams()).isEqualTo(100);
    }

    @Test
    void setProfile_liveChange_nextDatagramSeesTheNewProfile() {
        FaultEngine engine = new FaultEngine(29);

        Verdict before = engine.onDatagram(Direction.UP, datagram(1, 10), 0);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withLoss(1));
        Verdict after = engine.onDatagram(Direction.UP, datagram(2, 10), 0);
        engine.resetProfiles();
        Verdict reset = engine.onDatagram(Direction.UP, datagram(3, 10), 0);

        assertThat(before).isInstanceOf(Verdict.Forwarded.class);
        assertThat(after).isEqualTo(new Verdict.Dropped(Fault.LOSS));
        assertThat(reset).isInstanceOf(Verdict.Forwarded.class);
        assertThat(engine.profile(Direction.UP)).isEqualTo(FaultProfile.NONE);
    }

    @Test
    void onDatagram_allAlteringFaults_injectedListedInDeclarationOrder() {
        FaultEngine engine = new FaultEngine(31);
        engine.setProfile(Direction.UP, FaultProfile.NONE.withCorrupt(1).withDuplicate(1)
                .withReorder(1, Duration.ofMillis(1)));

        Verdict.Forwarded f = (Verdict.Forwarded) engine.onDatagram(Direction.UP, datagram(1, 20), 0);

        assertThat(f.injected()).containsExactly(Fault.CORRUPT, Fault.DUPLICATE, Fault.REORDER);
        assertThat(engine.stats(Direction.UP).dropped().keySet()).containsExactly(Fault.PARTITION, Fault.LOSS,
                Fault.BURST_LOSS, Fault.QUEUE_FULL, Fault.LIMIT_DATA);
    }

    @Test
    void onDatagram_noFaults_forwardsTheSameBytesAtOnce() {
        FaultEngine engine = new FaultEngine(30);
        byte[] payload = datagram(5, 1_200);

        Verdict v = engine.onDatagram(Direction.DOWN, payload, 123 * MS);

        assertThat(v).isInstanceOfSatisfying(Verdict.Forwarded.class, f -> {
            assertThat(f.injected()).isEmpty();
            assertThat(f.deliveries()).singleElement().satisfies(d -> {
                assertThat(d.payload()).isEqualTo(payload);
                assertThat(d.sendAtNanos()).isEqualTo(123 * MS);
            });
        });
    }
}
