package dev.zerok.chaos.runner;

import dev.zerok.chaos.topology.Capability;
import dev.zerok.chaos.topology.Topology;
import java.util.Objects;
import java.util.Set;

/**
 * One chaos scenario of the catalogue: its ID (seed 000, MR-n or F-*), category (iteration count),
 * the capabilities it needs, what it injects and its body, written against {@link Topology} only.
 *
 * @param id the catalogue ID, e.g. {@code S-CONC-01}
 * @param title one line, from the catalogue
 * @param category decides the iteration count
 * @param requires the topology capabilities the body uses; missing ones make it NOT RUN
 * @param body the scenario: arrange, inject, assert; throws {@link AssertionError} on a violated
 *     invariant and {@code NotRunException} if it cannot run here
 * @param injection what the body injects; the runner fails an iteration whose declared fault was
 *     never observed to act ("fault not exercised", seed 004 fake-green detection)
 */
public record Scenario(String id, String title, Category category, Set<Capability> requires, Body body,
        Injection injection) {
    /** A scenario body. */
    @FunctionalInterface
    public interface Body {
        void run(Topology topology) throws Exception;
    }

    /**
     * What a scenario injects, and so what evidence the runner demands after each iteration.
     * See {@link FaultEvidence} for what counts as evidence on each topology.
     */
    public enum Injection {
        /**
         * Faults that act on individual datagrams or messages (loss, partition, limit-data,
         * corruption, duplication, reorder) or on processes (kill, stop, crash, pause, tampering
         * with stored blobs, disk full): at least one must be observed to land.
         */
        FAULT,
        /**
         * Only shaping of every datagram (fixed latency, bandwidth, clock offset) that leaves no
         * per-datagram event: the evidence is that the shaped link carried traffic while the
         * shaping was installed (real: the proxy forwarded datagrams; mock: the shaped device
         * exchanged messages). Weaker than {@link #FAULT}; docs/CHAOS.md says so.
         */
        SHAPING,
        /**
         * No fault: a clean run whose stress is its own workload (concurrency, volume, an edge
         * case) or that validates the tooling (S-CONV-04). Passing needs no fault evidence, and the
         * baseline thresholds of seed 000 section 13.2 apply to it.
         */
        NONE,
        /**
         * The body is the attacker (adversarial scenarios, seed 000 section 9): the attack is its own
         * traffic and the body's assertions observe the relay's answer to it.
         */
        ATTACKER
    }

    public Scenario {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(injection, "injection");
        requires = Set.copyOf(requires);
    }

    /** A scenario that injects {@link Injection#FAULT faults} (the default: evidence is demanded). */
    public Scenario(String id, String title, Category category, Set<Capability> requires, Body body) {
        this(id, title, category, requires, body, Injection.FAULT);
    }

    /** This scenario declaring {@code value} as what it injects. */
    public Scenario withInjection(Injection value) {
        return new Scenario(id, title, category, requires, body, value);
    }
}
