package dev.zerok.chaos.topology;

/** A sync group of a topology (one group secret). Identity only: compare by reference. */
public interface Group {
    /** A stable, human name for timelines ({@code group-1}); never an id or a secret. */
    String name();
}
