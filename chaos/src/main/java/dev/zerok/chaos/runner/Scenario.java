package dev.zerok.chaos.runner;

import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Topology;
import java.util.Set;

/**
 * One chaos scenario of the catalogue: its ID (seed 000 or MR-n), category (iteration count), the
 * capabilities it needs and its body, written against {@link Topology} only.
 *
 * @param id the catalogue ID, e.g. {@code S-CONC-01}
 * @param title one line, from the catalogue
 * @param category decides the iteration count
 * @param requires the topology capabilities the body uses; missing ones make it NOT RUN
 * @param body the scenario: arrange, inject, assert; throws {@link AssertionError} on a violated
 *     invariant and {@code NotRunException} if it cannot run here
 */
public record Scenario(String id, String title, Category category, Set<Capability> requires, Body body) {
    /** A scenario body. */
    @FunctionalInterface
    public interface Body {
        void run(Topology topology) throws Exception;
    }

    public Scenario {
        requires = Set.copyOf(requires);
    }
}
