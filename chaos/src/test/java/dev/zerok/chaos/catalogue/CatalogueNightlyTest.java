package dev.zerok.chaos.catalogue;

import dev.zerok.chaos.runner.Catalogue;
import dev.zerok.chaos.runner.Category;
import dev.zerok.chaos.runner.ChaosRunner;
import dev.zerok.chaos.runner.RunReport;
import dev.zerok.chaos.runner.ScenarioResult;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;

/**
 * The nightly chaos run (seed 000 section 12.4): every catalogue ID on the real topology at the
 * seed's iterations (section 11.3: transport 10, encryption 50, sync 25, content 25, multi-relay
 * 25, adversarial 10, cross-platform 5), each variant on its factory ({@link RealFactories}), except
 * the crypto-internal ones ({@link #CRYPTO_INTERNAL}: kernel unit tests cover them). One dynamic
 * test per ID; {@code target/chaos-results/<run>/summary.md} lists every ID.
 *
 * <p>{@code ./mvnw -pl chaos -am verify -Pnightly -Dtest=CatalogueNightlyTest
 * -Dsurefire.failIfNoSpecifiedTests=false [-Dzerok.chaos.category=TRANSPORT] [-Dzerok.chaos.ids=E-HS-04]}; docs/CHAOS.md
 * "Running the suite" has the commands and wall-time estimates.
 */
@Tag("nightly")
class CatalogueNightlyTest {
    /** Selects one {@link Category} by name (comma-separated for several); all when unset. */
    static final String CATEGORY = "zerok.chaos.category";
    /** Selects IDs by name (comma-separated), on top of {@link #CATEGORY}; all when unset. */
    static final String IDS = "zerok.chaos.ids";

    /**
     * Properties of the key schedule that no topology can observe: E-PQ-04 (the session key needs
     * both the X25519 and the ML-KEM secret) asks to extract each component secret and derive from
     * one alone, which only the key schedule's own inputs allow (kernel HybridScenariosTest E-PQ-04).
     * Every other E-* ID runs on real relays over QUIC (faults above QUIC and the watched KeyExchange
     * of in-process devices).
     */
    static final Set<String> CRYPTO_INTERNAL = Set.of("E-PQ-04");

    @AfterAll
    static void summary() {
        CatalogueOnReal.printSummary();
    }

    static boolean selected(String id) {
        String ids = System.getProperty(IDS, "").trim();
        if (!ids.isEmpty() && !List.of(ids.toUpperCase(Locale.ROOT).split("\\s*,\\s*")).contains(id)) {
            return false;
        }
        String wanted = System.getProperty(CATEGORY, "").trim();
        if (wanted.isEmpty()) {
            return true;
        }
        Category c = CatalogueOnReal.CATALOGUE.category(id);
        return List.of(wanted.toUpperCase(Locale.ROOT).split("\\s*,\\s*")).contains(c.name());
    }

    @TestFactory
    Stream<DynamicTest> everyCatalogueIdOnReal() {
        Catalogue c = CatalogueOnReal.CATALOGUE;
        return c.ids().stream().filter(CatalogueNightlyTest::selected).map(id -> DynamicTest.dynamicTest(
                id + " " + c.scenario(id).map(s -> s.title()).orElse(""), () -> {
                    if (CRYPTO_INTERNAL.contains(id)) {
                        String why = "crypto-internal (a property of the key schedule's inputs, not observable at "
                                + "topology level), covered by kernel HybridScenariosTest " + id;
                        // In the summary with its reason, not as "not selected in this run".
                        RunReport.record(ChaosRunner.Settings.fromSystemProperties().runDir(), new ScenarioResult(id,
                                "real", c.category(id).iterations(), 0, why, null, null, 0));
                        Assumptions.abort("NOT RUN: " + why);
                    }
                    CatalogueOnReal.run(id, 0);
                }));
    }
}
