package dev.zerok.chaos.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerok.chaos.adversary.AdversarialEntries;
import dev.zerok.chaos.runner.Catalogue;
import dev.zerok.chaos.runner.RunReport;
import dev.zerok.chaos.runner.Scenario;
import dev.zerok.chaos.runner.ScenarioResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The catalogue covers seed 000 exactly: the IDs are parsed at test time from the seed's scenario
 * tables (the committed extract {@code seed-000-scenario-rows.md}, and the seed file itself where it
 * is present: {@code -Dzerok.seed000=PATH}, default {@code /work/shared/seeds/000_*.txt}), so a
 * missing or duplicated ID fails here.
 */
class CatalogueTest {
    /** A scenario table row of the seed: {@code | T-LAT-01 | ...}. */
    private static final Pattern ROW_ID = Pattern.compile("^\\| ([A-Z]+-[A-Z]+-[0-9]+) \\|", Pattern.MULTILINE);

    static List<String> idsOf(String text) {
        List<String> ids = new ArrayList<>();
        Matcher m = ROW_ID.matcher(text);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    private static String extract() throws IOException {
        try (InputStream in = CatalogueTest.class.getResourceAsStream("/seed-000-scenario-rows.md")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void seedIds_eachAppearsExactlyOnceInTheCatalogue() throws IOException {
        List<String> seedIds = idsOf(extract());
        assertThat(seedIds).hasSize(68).doesNotHaveDuplicates();

        Map<String, Long> occurrences = Catalogue.standard().ids().stream()
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        for (String id : seedIds) {
            assertThat(occurrences.get(id)).as("occurrences of seed 000 ID %s in Catalogue.ids()", id).isEqualTo(1L);
        }
        assertThat(Catalogue.SEED_000_IDS).containsExactlyElementsOf(seedIds);
    }

    @Test
    void seedFileItself_wherepresent_hasTheSameIdsAsTheExtract() throws IOException {
        Path seed = Path.of(System.getProperty("zerok.seed000", "/work/shared/seeds/000_0614452a14482544.txt"));
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isRegularFile(seed), "seed 000 not at " + seed);
        assertThat(new LinkedHashSet<>(idsOf(Files.readString(seed)))).containsExactlyElementsOf(idsOf(extract()));
    }

    @Test
    void everyScenario_sitsUnderItsOwnId_andIdsWithoutOneSayWhy() {
        Catalogue c = AdversarialEntries.catalogue();
        for (String id : c.ids()) {
            for (Catalogue.Variant v : c.variants(id)) {
                assertThat(v.scenario().id()).isEqualTo(id);
            }
            if (c.variants(id).isEmpty()) {
                assertThat(c.missingReason(id)).as(id).isPresent();
            }
        }
        assertThat(c.variants("A-RES-02")).hasSize(2);
        assertThat(c.variants("E-HS-06")).hasSize(2);
        assertThat(c.scenario("X-PLAT-03")).isPresent();
        assertThat(c.scenario("T-CONN-01")).isPresent();
        assertThat(c.scenario("C-STOR-01")).isPresent();
        assertThat(c.missingReason("F-CRASH-01").orElseThrow()).contains("FolderScenariosTest");
    }

    @Test
    void with_unknownId_isRefused() {
        Scenario typo = new Scenario("T-LOS-02", "typo", dev.zerok.chaos.runner.Category.TRANSPORT, java.util.Set.of(),
                t -> { });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Catalogue.standard().with(List.of(typo)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("T-LOS-02");
    }

    @Test
    void summary_listsEveryCatalogueId_withVerdictAndReason() {
        String summary = RunReport.table();
        for (String id : Catalogue.ALL_IDS) {
            assertThat(summary).as(id).containsPattern("(?m)^\\| " + Pattern.quote(id) + " \\| (PASSED|FAILED|NOT RUN) \\|");
        }
        assertThat(summary).contains("| F-CRASH-01 | NOT RUN |").contains("FolderScenariosTest");
        assertThat(Catalogue.ALL_IDS).hasSize(68 + 5 + 5);
    }

    @Test
    void summaryRow_carriesObservations() {
        ScenarioResult r = new ScenarioResult("S-CONC-01", "mock", 3, 3, null, null, null, 42,
                new ScenarioResult.Observations("proven", 0, new dev.zerok.chaos.runner.Timings(
                        java.util.Optional.of(java.time.Duration.ofMillis(30)),
                        java.util.Optional.of(java.time.Duration.ofMillis(80))), "sync 80 ms (1.1x)", "relay-1 rss peak 90 MiB"));
        assertThat(dev.zerok.chaos.runner.RunReportAccess.summary(List.of(r)))
                .contains("| S-CONC-01 | PASSED | mock | 3/3 | 42 | proven | 0 | sync 80 ms (1.1x) | relay-1 rss peak 90 MiB |");
    }
}
