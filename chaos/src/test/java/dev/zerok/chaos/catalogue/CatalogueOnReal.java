package dev.zerok.chaos.catalogue;

import static org.assertj.core.api.Assertions.fail;

import dev.zerok.chaos.adversary.AdversarialEntries;
import dev.zerok.chaos.runner.Catalogue;
import dev.zerok.chaos.runner.ChaosRunner;
import dev.zerok.chaos.runner.RunReport;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.runner.ScenarioResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;

/** Runs catalogue IDs on the real topology inside JUnit: FAILED fails, NOT RUN aborts (never passes). */
final class CatalogueOnReal {
    static final Catalogue CATALOGUE = AdversarialEntries.catalogue();

    static {
        RunReport.useCatalogue(CATALOGUE);
    }

    private CatalogueOnReal() {}

    /**
     * Every variant of {@code id}, {@code iterations} each (0: the category's count; the system
     * properties still win). An ID without a scenario aborts with the catalogue's reason.
     */
    static void run(String id, int iterations) {
        List<Catalogue.Variant> variants = CATALOGUE.variants(id);
        if (variants.isEmpty()) {
            Assumptions.abort("NOT RUN: " + id + ": " + CATALOGUE.missingReason(id).orElseThrow());
        }
        runVariants(id, variants, iterations);
    }

    /** A scenario outside the catalogue (BASE-MEM), on the factory {@link RealFactories} gives it. */
    static void runOutsideCatalogue(Scenario scenario, int iterations) {
        runVariants(scenario.id(), List.of(new Catalogue.Variant(scenario, Optional.empty())), iterations);
    }

    /** A scenario outside the catalogue on {@code factory} (a catalogue scenario under other relay settings). */
    static void runOutsideCatalogue(Scenario scenario, dev.zerok.chaos.topology.TopologyFactory factory, int iterations) {
        runVariants(scenario.id(), List.of(new Catalogue.Variant(scenario, Optional.of(factory))), iterations);
    }

    private static void runVariants(String id, List<Catalogue.Variant> variants, int iterations) {
        ChaosRunner.Settings p = ChaosRunner.Settings.fromSystemProperties();
        ChaosRunner.Settings settings = p.iterationsOverride() > 0 || iterations == 0 ? p
                : p.withIterations(iterations);
        List<String> failures = new ArrayList<>();
        List<String> notRun = new ArrayList<>();
        for (Catalogue.Variant v : variants) {
            ScenarioResult r = ChaosRunner.run(v.scenario(), RealFactories.forVariant(v), settings);
            switch (r.verdict()) {
                case "PASSED" -> { }
                case "NOT RUN" -> notRun.add(v.scenario().title() + ": " + r.notRunReason());
                default -> failures.add(v.scenario().title() + " failed after " + r.passed() + " of " + r.iterations()
                        + " iterations: " + r.failure());
            }
        }
        if (!failures.isEmpty()) {
            fail(id + ": " + String.join("\n", failures));
        }
        if (notRun.size() == variants.size()) {
            Assumptions.abort("NOT RUN: " + id + ": " + String.join("; ", notRun));
        }
    }

    static void printSummary() {
        System.out.println("chaos summary (" + RunReport.runId() + "):\n" + RunReport.table());
    }
}
