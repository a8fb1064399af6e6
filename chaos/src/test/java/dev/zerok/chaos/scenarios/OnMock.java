package dev.zerok.chaos.scenarios;

import static org.junit.jupiter.api.Assertions.fail;

import dev.zerok.chaos.mock.MockTopologyFactory;
import dev.zerok.chaos.runner.ChaosRunner;
import dev.zerok.chaos.runner.RunReport;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.runner.ScenarioResult;
import org.junit.jupiter.api.Assumptions;

/** Runs a scenario on the mock topology inside a JUnit test: FAILED fails it, NOT RUN aborts it (skipped, never passed). */
final class OnMock {
    private OnMock() {}

    static void run(Scenario scenario) {
        run(scenario, new MockTopologyFactory());
    }

    static void run(Scenario scenario, MockTopologyFactory factory) {
        run(scenario, factory, 0);
    }

    /**
     * @param iterations 0 for the category's count (seed 000 section 11.3), else this many;
     *     {@code -Dzerok.chaos.iterations} and {@code -Dzerok.chaos.seed} still win
     */
    static void run(Scenario scenario, MockTopologyFactory factory, int iterations) {
        ChaosRunner.Settings fromProperties = ChaosRunner.Settings.fromSystemProperties();
        ChaosRunner.Settings settings = fromProperties.iterationsOverride() > 0 || iterations == 0 ? fromProperties
                : fromProperties.withIterations(iterations);
        ScenarioResult r = ChaosRunner.run(scenario, factory, settings);
        switch (r.verdict()) {
            case "PASSED" -> { }
            case "NOT RUN" -> Assumptions.abort("NOT RUN: " + r.notRunReason());
            default -> fail(scenario.id() + " failed after " + r.passed() + " of " + r.iterations()
                    + " iterations: " + r.failure());
        }
    }

    /** Prints the run's summary table so far (the full table is in target/chaos-results/<run>/summary.md). */
    static void printSummary() {
        System.out.println("chaos summary (" + RunReport.runId() + "):\n" + RunReport.table());
    }
}
