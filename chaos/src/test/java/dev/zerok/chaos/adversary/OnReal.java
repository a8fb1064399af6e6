package dev.zerok.chaos.adversary;

import static org.assertj.core.api.Assertions.fail;

import dev.zerok.chaos.runner.ChaosRunner;
import dev.zerok.chaos.runner.RunReport;
import dev.zerok.chaos.runner.ScenarioResult;
import org.junit.jupiter.api.Assumptions;

/** Runs an adversarial catalogue entry on its real topology inside a JUnit test: FAILED fails, NOT RUN aborts (never passes). */
final class OnReal {
    static {
        RunReport.useCatalogue(AdversarialEntries.catalogue());
    }

    private OnReal() {}

    /**
     * @param iterations 0 for the category's count (seed 000 section 11.3: adversarial 10), else this many;
     *     {@code -Dzerok.chaos.iterations} and {@code -Dzerok.chaos.seed} still win
     */
    static void run(AdversarialScenarios.Entry entry, int iterations) {
        ChaosRunner.Settings fromProperties = ChaosRunner.Settings.fromSystemProperties();
        ChaosRunner.Settings settings = fromProperties.iterationsOverride() > 0 || iterations == 0 ? fromProperties
                : fromProperties.withIterations(iterations);
        ScenarioResult r = ChaosRunner.run(entry.scenario(), entry.factory(), settings);
        switch (r.verdict()) {
            case "PASSED" -> { }
            case "NOT RUN" -> Assumptions.abort("NOT RUN: " + r.notRunReason());
            default -> fail(entry.scenario().id() + " (" + entry.scenario().title() + ") failed after " + r.passed() + " of "
                    + r.iterations() + " iterations: " + r.failure());
        }
    }

    static void printSummary() {
        System.out.println("chaos summary (" + RunReport.runId() + "):\n" + RunReport.table());
    }
}
