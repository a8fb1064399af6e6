package dev.zerok.chaos.proxy;

import java.util.Locale;
import java.util.Optional;

/**
 * Which way a datagram travels through the {@link UdpFaultProxy}. Each direction has its own
 * {@link FaultProfile}, its own random stream and its own counters, so a fault on one path never
 * changes the decisions taken on the other.
 */
public enum Direction {
    /** From a client (a device) through the proxy to the upstream (the relay). Wire name {@code up}. */
    UP,
    /** From the upstream (the relay) back through the proxy to the client. Wire name {@code down}. */
    DOWN;

    /** The name used by the control API and the command line: {@code up} or {@code down}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name.
     *
     * @param wireName {@code up} or {@code down}, exactly (lower case)
     * @return the direction, or empty when the name is neither
     */
    public static Optional<Direction> fromWireName(String wireName) {
        for (Direction d : values()) {
            if (d.wireName().equals(wireName)) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}
