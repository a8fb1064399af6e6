package dev.zerok.chaos.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.mock.MockTopologyFactory;
import dev.zerok.chaos.runner.Baseline;
import dev.zerok.chaos.runner.ChaosRunner;
import dev.zerok.chaos.runner.Category;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.runner.ScenarioResult;
import dev.zerok.chaos.scenarios.PlatformScenarios;
import dev.zerok.chaos.scenarios.Steps;
import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Device;
import dev.zerok.chaos.topology.LinkDirection;
import dev.zerok.chaos.topology.LinkFaults;
import dev.zerok.chaos.topology.Topology;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The runner's seed-004 guards on the mock topology: a declared fault that never acts fails the
 * scenario ("fault not exercised"), a process left behind fails it ("cleanup not proven"), a clean
 * scenario passes with cleanup proven and is compared with the baseline; and the X-PLAT verdicts.
 */
@Tag("mock")
class RunnerProofsTest {
    private final MockTopologyFactory mock = new MockTopologyFactory();

    private static ChaosRunner.Settings once() {
        ChaosRunner.Settings p = ChaosRunner.Settings.fromSystemProperties();
        return new ChaosRunner.Settings(p.baseSeed(), null, 1, p.runDir());
    }

    /** Two devices, {@code faults} on both, a blob each way, convergence. */
    private static void exchangeUnder(Topology t, LinkFaults faults) {
        SplittableRandom random = Steps.random(t);
        List<Device> d = Steps.devicesOnOneRelay(t, 2);
        for (Device x : d) {
            Steps.faultAllLinks(t, x, LinkDirection.BOTH, faults);
        }
        d.get(0).push(Steps.payload(random, 700));
        d.get(1).push(Steps.payload(random, 900));
        Steps.converge(t, Duration.ofMinutes(2));
    }

    @Test
    void declaredFault_thatNeverActs_failsAsFaultNotExercised() {
        // A "loss" that drops nothing: the shape of a fault made a no-op in the proxy or the mock network.
        Scenario noOp = new Scenario("T-LOSS-01", "no-op loss", Category.TRANSPORT, Set.of(Capability.LOSS),
                t -> exchangeUnder(t, LinkFaults.NONE.withLoss(0.0)));

        ScenarioResult r = ChaosRunner.run(noOp, mock, once());

        assertThat(r.verdict()).isEqualTo("FAILED");
        assertThat(r.failure()).contains("fault not exercised");
        assertThat(r.observations().faultEvents()).isZero();
        assertThat(r.observations().cleanup()).isEqualTo("proven");
    }

    @Test
    void declaredFault_thatActs_passesWithEventsCounted() {
        Scenario lossy = new Scenario("T-LOSS-01", "20% loss", Category.TRANSPORT, Set.of(Capability.LOSS),
                t -> exchangeUnder(t, LinkFaults.NONE.withLoss(0.2)));

        ScenarioResult r = ChaosRunner.run(lossy, mock, once());

        assertThat(r.verdict()).as(String.valueOf(r.failure())).isEqualTo("PASSED");
        assertThat(r.observations().faultEvents()).isPositive();
        assertThat(r.observations().timings().sync()).isPresent();
        assertThat(r.observations().vsBaseline()).contains("not compared"); // the mock's clean baseline is 0 ms
    }

    @Test
    void cleanScenario_declaringNoFault_passesAndIsHeldToTheBaseline() {
        Scenario clean = new Scenario("S-CONV-04", "clean", Category.SYNC, Set.of(),
                t -> exchangeUnder(t, LinkFaults.NONE), Scenario.Injection.NONE);

        ScenarioResult r = ChaosRunner.run(clean, mock, once());

        assertThat(r.verdict()).as(String.valueOf(r.failure())).isEqualTo("PASSED");
        assertThat(r.observations().cleanup()).isEqualTo("proven");
        assertThat(r.observations().vsBaseline()).doesNotContain("EXCEEDED");
    }

    @Test
    void cleanScenario_slowerThanTenTimesTheBaseline_fails() {
        // Declares no fault, yet 2 s of latency: its sync time is far above 10x the clean baseline.
        Scenario slow = new Scenario("S-CONV-04", "secretly slow", Category.SYNC, Set.of(Capability.LATENCY),
                t -> exchangeUnder(t, LinkFaults.NONE.withDelay(Duration.ofSeconds(2), Duration.ZERO)),
                Scenario.Injection.NONE);

        // The mock's own clean baseline is 0 ms (no link latency in virtual time): not comparable,
        // so the thresholds are checked against a real-looking baseline of 100 ms / 50 ms.
        Baseline base = new Baseline("mock", Duration.ofMillis(50), Duration.ofMillis(100), 1 << 20);

        ScenarioResult r = ChaosRunner.run(slow, mock, once(), base);
        ScenarioResult sameFaultDeclared = ChaosRunner.run(slow.withInjection(Scenario.Injection.SHAPING), mock,
                once(), base);

        assertThat(r.verdict()).isEqualTo("FAILED");
        assertThat(r.failure()).contains("baseline thresholds").contains("EXCEEDED");
        assertThat(sameFaultDeclared.verdict()).as("reported, not enforced, under a declared fault").isEqualTo("PASSED");
        assertThat(sameFaultDeclared.observations().vsBaseline()).contains("EXCEEDED>10x");
    }

    private static ChaosRunner.Settings lanes(int iterations, int lanes) {
        ChaosRunner.Settings p = ChaosRunner.Settings.fromSystemProperties();
        return new ChaosRunner.Settings(p.baseSeed(), null, iterations, p.runDir(), lanes);
    }

    @Test
    void lanes_runIterationsAtOnce_eachOnItsOwnTopology_allCounted() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Scenario lossy = new Scenario("T-LOSS-01", "20% loss, in lanes", Category.TRANSPORT, Set.of(Capability.LOSS), t -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                exchangeUnder(t, LinkFaults.NONE.withLoss(0.2));
                Thread.sleep(300); // wall time, so that the lanes overlap
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            } finally {
                running.decrementAndGet();
            }
        });

        ScenarioResult r = ChaosRunner.run(lossy, mock, lanes(6, 3));

        assertThat(r.verdict()).as(String.valueOf(r.failure())).isEqualTo("PASSED");
        assertThat(r.passed()).isEqualTo(6);
        assertThat(most.get()).as("iterations running at once").isBetween(2, 3);
        assertThat(r.observations().cleanup()).isEqualTo("proven");
    }

    @Test
    void lanes_aFailedIteration_stopsNewOnes_andFailsTheScenario() {
        AtomicInteger started = new AtomicInteger();
        Scenario second = new Scenario("T-LOSS-01", "the second iteration started fails", Category.TRANSPORT,
                Set.of(Capability.LOSS), t -> {
                    int n = started.incrementAndGet();
                    exchangeUnder(t, LinkFaults.NONE.withLoss(0.2));
                    if (n == 2) {
                        throw new AssertionError("iteration started second fails");
                    }
                });

        ScenarioResult r = ChaosRunner.run(second, mock, lanes(20, 2));

        assertThat(r.verdict()).isEqualTo("FAILED");
        assertThat(r.failure()).contains("iteration started second fails").contains("replay: -D");
        assertThat(started.get()).as("iterations started after the failure").isLessThan(20);
        assertThat(r.passed()).isLessThan(20);
    }

    @Test
    void cleanScenario_runsInOneLane_soItsTimesAreNotTheNeighboursLoad() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Scenario clean = new Scenario("S-CONV-04", "clean, lanes asked", Category.SYNC, Set.of(), t -> {
            most.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                exchangeUnder(t, LinkFaults.NONE);
            } finally {
                running.decrementAndGet();
            }
        }, Scenario.Injection.NONE);

        ScenarioResult r = ChaosRunner.run(clean, mock, lanes(4, 4));

        assertThat(r.verdict()).as(String.valueOf(r.failure())).isEqualTo("PASSED");
        assertThat(most.get()).isEqualTo(1);
    }

    @Test
    void processLeftRunning_failsTheCleanupProof() throws Exception {
        AtomicReference<Process> leaked = new AtomicReference<>();
        Scenario leaky = new Scenario("S-SM-04", "leaks a child process", Category.SYNC, Set.of(), t -> {
            exchangeUnder(t, LinkFaults.NONE);
            leaked.set(new ProcessBuilder("sleep", "120").start());
        }, Scenario.Injection.NONE);
        try {
            ScenarioResult r = ChaosRunner.run(leaky, mock, once());

            assertThat(r.verdict()).isEqualTo("FAILED");
            assertThat(r.failure()).contains("cleanup not proven").contains("process " + leaked.get().pid());
            assertThat(r.observations().cleanup()).startsWith("LEAKED");
        } finally {
            if (leaked.get() != null) {
                leaked.get().destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void xPlat01And04_notRun_namingThePlatform() {
        for (Scenario s : List.of(PlatformScenarios.X_PLAT_01, PlatformScenarios.X_PLAT_04)) {
            ScenarioResult r = ChaosRunner.run(s, mock, once());
            assertThat(r.verdict()).isEqualTo("NOT RUN");
            assertThat(r.notRunReason()).contains("Windows").contains(System.getProperty("os.name"));
        }
    }

    @Test
    void xPlat02_onTheMock_notRun_becauseItCannotPauseADevice() {
        ScenarioResult r = ChaosRunner.run(PlatformScenarios.X_PLAT_02, mock, once());
        assertThat(r.verdict()).isEqualTo("NOT RUN");
        assertThat(r.notRunReason()).contains("PAUSE_DEVICE");
    }

    @Test
    void xPlat03_threeDevicesThroughARelayRestart_convergeOnTheMock() {
        ScenarioResult r = ChaosRunner.run(PlatformScenarios.X_PLAT_03, mock,
                new ChaosRunner.Settings(ChaosRunner.DEFAULT_BASE_SEED, null,
                        Integer.getInteger(ChaosRunner.ITERATIONS, Category.CROSS_PLATFORM.iterations()),
                        ChaosRunner.Settings.fromSystemProperties().runDir()));
        assertThat(r.verdict()).as(String.valueOf(r.failure())).isEqualTo("PASSED");
        assertThat(r.passed()).isEqualTo(r.iterations());
        assertThat(r.observations().faultEvents()).isPositive(); // the kill landed
    }
}
