package dev.zerok.chaos.topology;

/** Which direction of a device-relay link a fault applies to. */
public enum LinkDirection {
    /** Device to relay. */
    UP,
    /** Relay to device. */
    DOWN,
    /** Both directions, each with the same faults (decided independently). */
    BOTH
}
