package dev.zerok.chaos.topology;

/** A relay of a topology. Identity only: compare by reference; act on it through {@link Topology}. */
public interface Relay {
    /** A stable, human name for timelines ({@code relay-1}); never an id or an address. */
    String name();

    /** True while the relay runs (false after kill or stop, true again after restart). */
    boolean running();
}
