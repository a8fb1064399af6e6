package dev.zerok.chaos.runner;

import dev.zerok.chaos.scenarios.BlobScenarios;
import dev.zerok.chaos.scenarios.CollectionScenarios;
import dev.zerok.chaos.scenarios.FolderModelScenarios;
import dev.zerok.chaos.scenarios.NetworkScenarios;
import dev.zerok.chaos.scenarios.PlatformScenarios;
import dev.zerok.chaos.scenarios.SyncScenarios;
import dev.zerok.chaos.scenarios.TransportScenarios;
import dev.zerok.chaos.topology.TopologyFactory;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The chaos catalogue: every scenario ID of seed 000 (sections 5 to 10, in the seed's order), the
 * multi-relay MR-1..5 and the folder F-* scenarios, each mapped to the {@link Scenario}s
 * ("variants") that implement it, and an ID without one reported NOT RUN with the reason. An ID may
 * have several variants (A-RES-02 has two on real; E-HS-06 a topology-level stub and a relay-process
 * attack); the ID passes if one variant passes and none fails.
 *
 * <p>{@link #standard()} holds the scenarios of {@code chaos/src/main}; test code adds the
 * adversarial entries (which carry their own relay configuration) with {@link #with}. Immutable;
 * {@link #with} returns a new catalogue.
 */
public final class Catalogue {
    /** Seed 000's scenario IDs in the seed's order (CatalogueTest checks them against the seed's tables). */
    public static final List<String> SEED_000_IDS = List.of(
            "T-LAT-01", "T-LAT-02", "T-LAT-03", "T-LAT-04",
            "T-LOSS-01", "T-LOSS-02", "T-LOSS-03", "T-LOSS-04",
            "T-CONN-01", "T-CONN-02", "T-CONN-03", "T-CONN-04", "T-CONN-05",
            "T-BW-01", "T-BW-02", "T-BW-03",
            "E-HS-01", "E-HS-02", "E-HS-03", "E-HS-04", "E-HS-05", "E-HS-06",
            "E-ENC-01", "E-ENC-02", "E-ENC-03", "E-ENC-04", "E-ENC-05",
            "E-PQ-01", "E-PQ-02", "E-PQ-03", "E-PQ-04", "E-PQ-05",
            "S-SM-01", "S-SM-02", "S-SM-03", "S-SM-04",
            "S-CONC-01", "S-CONC-02", "S-CONC-03", "S-CONC-04",
            "S-CONV-01", "S-CONV-02", "S-CONV-03", "S-CONV-04",
            "S-BLOB-01", "S-BLOB-02", "S-BLOB-03", "S-BLOB-04",
            "C-STOR-01", "C-STOR-02", "C-STOR-03", "C-STOR-04",
            "C-COLL-01", "C-COLL-02",
            "A-PROTO-01", "A-PROTO-02", "A-PROTO-03", "A-PROTO-04", "A-PROTO-05",
            "A-RES-01", "A-RES-02", "A-RES-03", "A-RES-04", "A-RES-05",
            "X-PLAT-01", "X-PLAT-02", "X-PLAT-03", "X-PLAT-04");

    /** Multi-relay scenarios (seed 000 section 4.4). */
    public static final List<String> MULTI_RELAY_IDS = List.of("MR-1", "MR-2", "MR-3", "MR-4", "MR-5");

    /** Folder scenarios: F-MODEL-* are {@link FolderModelScenarios}; the others are JUnit tests of their own. */
    public static final List<String> FOLDER_IDS = List.of("F-MODEL-01", "F-MODEL-02", "F-CONV-01", "F-CONV-02",
            "F-CRASH-01");

    /** IDs covered by a JUnit test that is not a {@link Scenario}, and which test. */
    public static final Map<String, String> COVERED_ELSEWHERE = Map.of(
            "F-CONV-01", "runs as FolderScenariosTest.F_CONV_01 (cli-app processes), not as a Scenario",
            "F-CONV-02", "runs as FolderScenariosTest.F_CONV_02 (cli-app processes), not as a Scenario",
            "F-CRASH-01", "runs as FolderScenariosTest.F_CRASH_01 (a killed apply process), not as a Scenario");

    /** Every ID, catalogue order: seed 000, then MR, then F. */
    public static final List<String> ALL_IDS = Stream.of(SEED_000_IDS, MULTI_RELAY_IDS, FOLDER_IDS)
            .flatMap(List::stream).toList();

    /**
     * One implementation of an ID.
     *
     * @param scenario the scenario
     * @param factory the topology it must run on (an adversarial entry's relay configuration), or
     *     empty to let the caller choose
     */
    public record Variant(Scenario scenario, Optional<TopologyFactory> factory) {}

    private final Map<String, List<Variant>> variants;

    private Catalogue(Map<String, List<Variant>> variants) {
        this.variants = variants;
    }

    /** The scenarios of {@code chaos/src/main}: Transport, Sync, Blob, Collection, Network, FolderModel and Platform. */
    public static Catalogue standard() {
        Catalogue c = new Catalogue(new LinkedHashMap<>());
        for (List<Scenario> list : List.of(TransportScenarios.ALL, SyncScenarios.ALL, BlobScenarios.ALL, CollectionScenarios.ALL,
                NetworkScenarios.ALL,
                FolderModelScenarios.ALL, PlatformScenarios.ALL)) {
            c = c.with(list);
        }
        return c;
    }

    /** This catalogue plus {@code scenarios} (each a further variant of its ID, the topology left to the caller). */
    public Catalogue with(Collection<Scenario> scenarios) {
        Catalogue c = this;
        for (Scenario s : scenarios) {
            c = c.with(s, Optional.empty());
        }
        return c;
    }

    /**
     * This catalogue plus {@code scenario} as a further variant of its ID.
     *
     * @throws IllegalArgumentException if the ID is not in {@link #ALL_IDS} (a typo must not create a
     *     scenario the summary cannot place)
     */
    public Catalogue with(Scenario scenario, Optional<TopologyFactory> factory) {
        if (!ALL_IDS.contains(scenario.id())) {
            throw new IllegalArgumentException(scenario.id() + " is not a catalogue ID (Catalogue.ALL_IDS)");
        }
        Map<String, List<Variant>> copy = new LinkedHashMap<>();
        variants.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        List<Variant> list = new ArrayList<>(copy.getOrDefault(scenario.id(), List.of()));
        list.add(new Variant(scenario, factory));
        copy.put(scenario.id(), List.copyOf(list));
        return new Catalogue(copy);
    }

    /** Every ID in catalogue order ({@link #ALL_IDS}). */
    public List<String> ids() {
        return ALL_IDS;
    }

    /** The variants of {@code id}, empty if none is implemented (yet). */
    public List<Variant> variants(String id) {
        return variants.getOrDefault(id, List.of());
    }

    /** The first variant's scenario of {@code id}, if any. */
    public Optional<Scenario> scenario(String id) {
        return variants(id).stream().map(Variant::scenario).findFirst();
    }

    /** Why {@code id} cannot run at all here, or empty if it has a scenario. */
    public Optional<String> missingReason(String id) {
        if (!variants(id).isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(COVERED_ELSEWHERE.getOrDefault(id, "no scenario"));
    }

    /** The category of {@code id} (from its first variant, else from its prefix). */
    public Category category(String id) {
        return scenario(id).map(Scenario::category).orElse(prefixCategory(id));
    }

    static Category prefixCategory(String id) {
        return switch (id.substring(0, id.indexOf('-'))) {
            case "T" -> Category.TRANSPORT;
            case "E" -> Category.ENCRYPTION;
            case "S", "F" -> Category.SYNC;
            case "C" -> Category.CONTENT;
            case "A" -> Category.ADVERSARIAL;
            case "X" -> Category.CROSS_PLATFORM;
            case "MR" -> Category.MULTI_RELAY;
            default -> throw new IllegalArgumentException("no category for " + id);
        };
    }
}
